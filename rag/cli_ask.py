"""The commands that ask: `rag ask` (one question) and `rag chat` (a conversation).

Both take the question's scope (`--year`, `--author`) beside the shared options, and
print answers with `rag/cli_output.py` as they stream. Answering itself (retrieval,
refusals, the citation check, the history window's use) is `rag.qa`'s, not theirs.
"""

from __future__ import annotations

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


@click.command()
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


@click.command()
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
