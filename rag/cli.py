"""The `rag` command: a thin shell over the library.

Each command turns options into `Settings`, calls one library function, and prints.
Our errors (`RagError`: bad settings, bad questions, a missing store) are shown as one
line with no traceback; anything else is a bug and shows as one. The library's log
(warnings such as "another build is writing") goes to stderr.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from pathlib import Path

import click

from rag.cli_options import (
    answerer_option,
    chroma_url_option,
    columns_option,
    corpus_option,
    friendly,
    make_settings,
    store_option,
)
from rag.cli_output import echo_stream
from rag.errors import RagError

_year = click.option(
    "--year",
    metavar="RANGE",
    help="Only papers of these years: 2022, 2022.., ..2021 or 2020..2022.",
)
_author = click.option(
    "--author",
    "authors",
    multiple=True,
    metavar="NAME",
    help="Only papers with an author of this name (repeat for several, all must match).",
)

SHOW_SKIPPED = 20  # skipped files and records listed one by one; past it, only the count


def _where(year: str | None, authors: tuple[str, ...]) -> dict | None:
    """`--year` and `--author` as `ask`'s `where`."""
    from rag.scope import parse_years

    where: dict = {}
    if year:
        where["year"] = parse_years(year)
    if authors:
        where["authors"] = list(authors)
    return where or None


def _asking(command: Callable) -> Callable:
    """The options of the commands that ask (`ask`, `chat`): scope, corpus and store, answerer;
    errors become one line (`friendly`)."""
    command = friendly(command)
    for option in (
        answerer_option,
        chroma_url_option,
        columns_option,
        store_option,
        corpus_option,
        _author,
        _year,
    ):
        command = option(command)
    return command


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="abstracts-qa")
def cli() -> None:
    """Ask questions of research-paper abstracts, in English or Chinese, offline.

    Answers quote the abstracts and cite them as [n]. The store of embeddings is built
    on first use (or with `rag build`) and reused until the corpus or settings change.
    """
    logging.basicConfig(level=logging.WARNING, format="%(message)s")


@cli.command()
@corpus_option
@store_option
@columns_option
@chroma_url_option
@click.option(
    "--force",
    is_flag=True,
    help="Re-embed everything even if the store is current (nothing reused or resumed).",
)
@friendly
def build(
    corpus: Path | None,
    store: Path | None,
    columns: str | None,
    chroma_url: str | None,
    force: bool,
) -> None:
    """Build the store from the corpus; does nothing when nothing changed.

    The new store is built beside the one in use and switched in only once verified, so a
    running chat keeps answering. Only new or changed abstracts are embedded, and a
    build that was stopped resumes from what it had embedded. A second build of the same
    store waits for the first. Unreadable corpus files are skipped
    with a warning.
    """
    from rag.building import build as build_store

    # This process only builds: the embedder's threads may spin between steps instead of
    # sleeping (25% faster at 200 abstracts). Serving processes keep them passive (see
    # rag/embeddings.py), and a user's own OMP_WAIT_POLICY wins.
    os.environ.setdefault("OMP_WAIT_POLICY", "ACTIVE")
    settings = make_settings(corpus, store, chroma_url=chroma_url, new_store=True, columns=columns)
    report = build_store(settings, force=force, progress=True)
    where = settings.store.chroma_url or settings.store.store_dir
    for name, reason in report.skipped[:SHOW_SKIPPED]:
        click.echo(f"Warning: skipped {name}: {reason}.", err=True)
    if len(report.skipped) > SHOW_SKIPPED:
        click.echo(f"Warning: skipped {len(report.skipped)} files and records in all.", err=True)
    if report.rebuilt:
        resumed = f"{report.resumed} resumed from an unfinished build, " if report.resumed else ""
        click.echo(
            f"Built {where}: {report.abstracts} abstracts, "
            f"{report.chunks} chunks, "
            f"{report.sentences} sentences in {report.seconds:.1f} s "
            f"({report.embedded} of {report.chunks + report.sentences} texts embedded, "
            f"{resumed}the rest reused)."
        )
    else:
        click.echo(f"{where} is up to date ({report.abstracts} abstracts); use --force to rebuild.")


@cli.command()
@click.argument("question")
@_asking
def ask(
    question: str,
    year: str | None,
    authors: tuple[str, ...],
    corpus: Path | None,
    store: Path | None,
    columns: str | None,
    chroma_url: str | None,
    answerer: str | None,
) -> None:
    """Answer QUESTION (streamed as it is written) and list the cited papers: title, authors
    and year (or a label derived from the abstract), link, and every file:line."""
    from rag.qa import get_qa

    where = _where(year, authors)
    qa = get_qa(make_settings(corpus, store, answerer, columns=columns, chroma_url=chroma_url))
    echo_stream(qa.stream(question, where=where))


@cli.command()
@_asking
def chat(
    year: str | None,
    authors: tuple[str, ...],
    corpus: Path | None,
    store: Path | None,
    columns: str | None,
    chroma_url: str | None,
    answerer: str | None,
) -> None:
    """A conversation in the terminal; follow-up questions use the earlier turns.

    Type a question and press Enter; the arrow keys edit the line and recall earlier
    questions. Ctrl-D (or /quit) ends the chat; an empty line is ignored.
    """
    try:
        import readline  # noqa: F401 (input() gains line editing and history)
    except ImportError:  # Windows: plain input
        pass
    from rag.qa import get_qa

    where = _where(year, authors)
    qa = get_qa(make_settings(corpus, store, answerer, columns=columns, chroma_url=chroma_url))
    history: list[dict] = []
    window = qa.settings.ui.history_messages
    click.echo("Ask about the abstracts (Ctrl-D or /quit to end).")
    while True:
        try:
            question = input("\nyou> ").strip()
        except (EOFError, KeyboardInterrupt):
            click.echo()
            return
        if question in ("/quit", "/exit"):
            return
        if not question:
            continue
        try:
            answer = echo_stream(qa.stream(question, history[-window:], where=where))
        except RagError as err:
            click.echo(f"Error: {err}")
            continue
        history += [
            {"role": "user", "content": question},
            {"role": "assistant", "content": answer.text},
        ]


@cli.command(name="eval")
@click.option(
    "--split",
    type=click.Choice(["test", "dev", "all"]),
    default="test",
    show_default=True,
    help="Which shipped question set: test (never tuned on: the honest figures), dev (what "
    "thresholds, glossary and rules were tuned on), or all.",
)
@click.option(
    "--questions",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="Your own JSON-lines question set instead of a shipped split.",
)
@click.option("--json", "as_json", is_flag=True, help="Print figures and outcomes as JSON.")
@click.option("--check", is_flag=True, help="Exit 1 when a figure misses its goal.")
@corpus_option
@store_option
@chroma_url_option
@answerer_option
@friendly
def evaluate(
    split: str,
    questions: Path | None,
    as_json: bool,
    check: bool,
    corpus: Path | None,
    store: Path | None,
    chroma_url: str | None,
    answerer: str | None,
) -> None:
    """Measure retrieval and answers on labelled questions, per kind of question.

    Rows: each kind of question (language pairs such as en-zh, paraphrase, typo, multi,
    follow-up, near-miss, off-topic, injection, ...), cross-language, and all. Columns:
    hit@1, hit@5, MRR, rec@5 (share of the relevant abstracts in the top 5), fact
    (key-fact accuracy), cite (share of cited sources that are relevant), ref.P / ref.R
    (refusal precision / recall), named (near-misses refused while citing the paper
    asked about), false.R (answerable questions refused), fallbk (generated answers
    replaced by the extractive one), ask() latency p50 / p95.
    """
    from rag.eval_questions import load_questions
    from rag.evaluation import evaluate as run_evaluation
    from rag.evaluation import format_table
    from rag.qa import get_qa

    labelled = load_questions(questions, split=split)
    qa = get_qa(make_settings(corpus, store, answerer, chroma_url=chroma_url))
    report = run_evaluation(qa, labelled)
    click.echo(report.to_json() if as_json else format_table(report))
    failures = report.failures()
    if failures and not as_json:
        click.echo("\nMissing a goal:\n  " + "\n  ".join(failures))
    if check and failures:
        raise SystemExit(1)


@cli.command()
@click.option(
    "--port",
    type=int,
    default=7860,
    show_default=True,
    envvar="GRADIO_SERVER_PORT",
    help="Port to serve on (or $GRADIO_SERVER_PORT).",
)
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    envvar="GRADIO_SERVER_NAME",
    help="Address to bind; 0.0.0.0 serves other machines (set RAG_UI_AUTH then).",
)
@click.option(
    "--read-only",
    is_flag=True,
    default=None,
    help="No upload box: the page never adds files to the corpus (or $RAG_UI_READ_ONLY).",
)
@corpus_option
@store_option
@columns_option
@chroma_url_option
@answerer_option
@friendly
def ui(
    port: int,
    host: str,
    read_only: bool | None,
    corpus: Path | None,
    store: Path | None,
    columns: str | None,
    chroma_url: str | None,
    answerer: str | None,
) -> None:
    """Start the chat in the browser (the store is built first if needed).

    --answerer sets the default of the chat's answerer menu. RAG_UI_AUTH=user:password
    asks for a login. The Corpus tab's upload box adds files to the --corpus folder and
    rebuilds; --read-only removes it.
    """
    from ui.serve import launch

    settings = make_settings(corpus, store, answerer, columns=columns, chroma_url=chroma_url)
    if read_only:
        settings = settings.replace(ui_read_only=True)
    launch(settings, host=host, port=port)


def main() -> None:
    cli()


if __name__ == "__main__":
    main()
