"""`rag eval`: the labelled questions asked, and the figures printed as a table or JSON.

Loading the question sets, scoring and the table are `rag.eval_questions`' and
`rag.evaluation`'s; this command picks the split, prints, and sets the exit code of
`--check`. It never reads the question files itself.
"""

from __future__ import annotations

from pathlib import Path

import click

from rag.cli_options import (
    answerer_option,
    chroma_url_option,
    corpus_option,
    friendly,
    make_settings,
    store_option,
)


@click.command(name="eval")
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
