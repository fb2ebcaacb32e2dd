"""The values that flow through the pipeline: abstracts, chunks, sources and answers.

All are frozen dataclasses, so a value handed to a caller cannot change under the cache
that produced it. Leaves out behaviour: parsing, retrieval and answering live in their
own modules.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# The marker that cites a source in an answer's text: `[n]` is `Answer.sources[n-1]`.
MARKER = re.compile(r"\[(\d+)\]")


def cited(text: str) -> list[int]:
    """The source numbers `text` cites, in order of first appearance."""
    return list(dict.fromkeys(int(n) for n in MARKER.findall(text)))


@dataclass(frozen=True)
class Location:
    """One place an abstract appears: a corpus file name and the 1-based line its entry
    starts on (a BibTeX entry's `@`, a RIS record's `TY`, a CSV row, a JSON object)."""

    file: str
    line: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass(frozen=True)
class Abstract:
    """A distinct abstract of the corpus, with every place it appears (first one first)."""

    id: str  # content hash: the same text gets the same id in every build
    text: str  # exactly as in the corpus line, without the line break
    language: str  # "en" or "zh"
    locations: tuple[Location, ...]
    # What the corpus says of the paper; None or empty when it says nothing (the seed format).
    title: str | None = None
    authors: tuple[str, ...] = ()
    year: int | None = None
    url: str | None = None  # the entry's URL, else its DOI's or its arXiv page


@dataclass(frozen=True)
class Span:
    """A half-open character range [start, end) in an abstract's text."""

    start: int
    end: int


@dataclass(frozen=True)
class Chunk:
    """A token-bounded piece of an abstract: the unit that is embedded and searched."""

    abstract_id: str
    index: int  # position among its abstract's chunks
    span: Span
    text: str
    n_tokens: int

    @property
    def id(self) -> str:
        return f"{self.abstract_id}:{self.index}"


@dataclass(frozen=True)
class Relevance:
    """Why an abstract was retrieved: the parts of its score, for a "why this source" view."""

    dense: float  # best chunk cosine similarity to the question
    lexical: float  # IDF-weighted share of the question's terms found in the abstract
    terms: tuple[str, ...] = ()  # the question's terms (and glossary concepts) it contains


@dataclass(frozen=True)
class Source:
    """A cited abstract as the caller sees it: `Answer.text`'s `[n]` is `sources[n-1]`."""

    id: str
    text: str
    file: str  # where it first appears
    line: int
    language: str
    score: float  # relevance in [0, 1]; how it is computed is in rag/retrieval.py
    locations: tuple[Location, ...] = ()
    highlights: tuple[Span, ...] = ()  # the sentences the answer used
    relevance: Relevance | None = None
    title: str | None = None
    authors: tuple[str, ...] = ()
    year: int | None = None
    url: str | None = None

    @property
    def where(self) -> str:
        """Every place the abstract appears, as `file:line, file:line`."""
        return ", ".join(str(loc) for loc in self.locations)


@dataclass(frozen=True)
class Answer:
    """What `ask()` returns.

    `notices` says what the reader should know about how the answer was made: citations
    or sentences the citation check removed from a generated answer, or that the model
    failed and the extractive answer stands in. Empty for a plain extractive answer.

    `draft` is True on the partial answers `QA.stream` yields while a generated answer is
    still being written: their text is unchecked and may hold claims the check removes.
    `answered_by` names who wrote the final text ("extractive" when a generative backend
    failed and quoted evidence stands in).
    """

    text: str
    sources: tuple[Source, ...] = field(default_factory=tuple)
    found: bool = True
    notices: tuple[str, ...] = ()
    draft: bool = False
    answered_by: str = "extractive"
