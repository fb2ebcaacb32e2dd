"""Presentation: an answerer's `Draft` and the retrieval hits -> the public `Answer`.

An answerer numbers its citations by the passages it was given, all of them; a reader
should see only the sources the answer cites, numbered 1..n in the order they are cited.
So a final draft keeps the sources it uses, each with the sentences it quotes, and its
`[n]` markers are renumbered to match. A partial draft of a stream is not checked yet, so
it points at every hit.

Leaves out deciding what to answer (rag/answering.py, rag/generation.py) and the answers
that need no answerer, nothing found or the detail not stated (rag/chain.py): this only
dresses a draft.
"""

from __future__ import annotations

from collections.abc import Sequence

from rag.answering import Draft
from rag.prompts import NOT_FOUND
from rag.query import Query
from rag.retrieval import Hit
from rag.types import MARKER, Answer, Relevance, Source, Span


def answer_of(draft: Draft, hits: Sequence[Hit], query: Query) -> Answer:
    """The `Answer` for a draft: a partial one cites every hit; a final one only the sources
    it uses, with markers renumbered 1..n in that order.

    Args:
        draft: the answerer's output; its `[n]` point at `hits[n-1]`.
        hits: the retrieved abstracts, in the order the answerer was given them.
        query: the resolved question (its language picks the not-found wording).

    Returns:
        The public `Answer`; `found` is False when a final draft cites nothing.
    """
    if not draft.final:
        provisional = tuple(source_of(h, ()) for h in hits)
        return Answer(
            draft.text, provisional, draft=not draft.checked, answered_by=draft.answered_by
        )
    numbers = sorted(draft.used)
    if not numbers:
        text = NOT_FOUND[query.language]
        return Answer(text, (), found=False, notices=draft.notices, answered_by=draft.answered_by)
    renumber = {old: new for new, old in enumerate(numbers, start=1)}
    text = MARKER.sub(
        lambda m: f"[{renumber[int(m.group(1))]}]" if int(m.group(1)) in renumber else "",
        draft.text,
    )
    sources = tuple(source_of(hits[n - 1], draft.used[n]) for n in numbers)
    return Answer(text.strip(), sources, notices=draft.notices, answered_by=draft.answered_by)


def source_of(hit: Hit, highlights: Sequence[Span]) -> Source:
    """The public `Source` of a hit: the whole abstract, where it comes from, why it was
    found, and the quoted sentences to highlight (in reading order)."""
    a = hit.abstract
    return Source(
        id=a.id,
        text=a.text,
        file=a.locations[0].file,
        line=a.locations[0].line,
        language=a.language,
        score=hit.score,
        locations=a.locations,
        highlights=tuple(sorted(highlights, key=lambda s: s.start)),
        relevance=Relevance(hit.dense, hit.coverage, hit.matched),
        title=a.title,
        authors=a.authors,
        year=a.year,
        url=a.url,
    )
