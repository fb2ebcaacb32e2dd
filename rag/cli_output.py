"""How the `rag` command prints an answer: its text, then its numbered sources.

`format_answer` lays out one finished answer; `echo_stream` prints a streamed one as it
grows. Nothing here asks, retrieves or checks: the answer arrives finished (or as a
stream of drafts) from `rag.qa`, and the evaluation table is `rag.evaluation`'s.
"""

from __future__ import annotations

from collections.abc import Iterable

import click

from rag.types import Answer, Source


def format_answer(answer: Answer) -> str:
    """The answer, then its numbered sources: places, the sentence used, and the paper's
    title, first author and year (or a derived label) with its link."""
    from rag.citation import heading

    lines = [answer.text]
    if answer.sources:
        lines.append("")
        lines.append("Sources:")
        for n, s in enumerate(answer.sources, start=1):
            named = heading(s)
            lines.append(f"  [{n}] {s.where}  ({s.language}, score {s.score:.2f})")
            lines.append(f"      {preview(s)}")
            lines.append(f"      {named}" + (f"  {named.url}" if named.url else ""))
    for notice in answer.notices:
        lines.append(f"Note: {notice}")
    return "\n".join(lines)


def preview(source: Source, width: int = 160) -> str:
    """The first sentence the answer used from `source` (else its opening), cut to `width`."""
    if source.highlights:
        span = source.highlights[0]
        text = source.text[span.start : span.end].strip()
    else:
        text = source.text
    return text if len(text) <= width else text[: width - 3] + "..."


def echo_stream(answers: Iterable[Answer]) -> Answer:
    """Print a streamed answer as it grows, then its sources; return the final answer.

    A generated answer is checked once complete; when the check changed it, the checked
    text is printed after the draft, so what the sources support is what stays on screen.
    """
    shown, answer = "", None
    for answer in answers:
        if answer.text.startswith(shown):
            click.echo(answer.text[len(shown) :], nl=False)
            shown = answer.text
    assert answer is not None  # a stream always ends with its final answer
    body = format_answer(answer)
    if answer.text != shown:
        click.echo("\n\nChecked against the sources:")
        click.echo(body)
    else:
        click.echo(body[len(answer.text) :])
    return answer
