"""How a cited paper is named to a reader: "Title — First Author et al. (Year)", with its link.

A corpus with metadata (BibTeX, RIS, CSV, JSON) gives the title, authors and year. The seed
format has none, so a short label is derived from the abstract itself: the name it gives
its method ("named Cross Modal Transformer (CMT)", "称为LGD(标签引导自蒸馏)"), else the
name it proposes with an acronym ("We introduce Argoverse 2 (AV2)"), else its first
words; such a label is marked as derived, never passed off as a title.

Leaves out citation styles (APA, BibTeX output) and the `[n]` marker, which stays the
answer's own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Protocol

DERIVED = "label from the abstract"  # the mark shown after a derived label

_WORD = r"[A-Z0-9][\w+-]*"
_NAME = rf"{_WORD}(?:(?:\s+(?:of|for|and|the|with))?\s+{_WORD})*"
_ACRONYM = r"\s*\([A-Za-z][A-Za-z0-9+-]{1,20}\)"
# "… named Cross Modal Transformer (CMT), …", "called Co-teaching+", "dubbed RELIANT".
_CALLED = re.compile(
    rf"\b(?:named|called|dubbed|termed|coined)\s+({_NAME}(?:{_ACRONYM})?)(?=[\s,.;:]|$)"
)
# "We propose a new paradigm Reversible Column Network (RevCol)", "We introduce Argoverse 2 (AV2)".
_PROPOSED = re.compile(
    rf"\b(?i:propose|introduce|present)[sd]?\b[^.]{{0,80}}?\b({_NAME}{_ACRONYM})"
)
_CALLED_ZH = re.compile(r"(?:称为|名为|叫做|称作)\s*([^，,。；;：:]{2,30})")
_PROPOSED_ZH = re.compile(
    r"提出了?一种([^，,。；;()（）]{2,20}[（(][A-Za-z][A-Za-z0-9+-]{1,20}[)）])"
)


class Cited(Protocol):
    """What a heading is made from: a `Source` or an `Abstract`."""

    text: str
    language: str
    title: str | None
    authors: tuple[str, ...]
    year: int | None
    url: str | None


@dataclass(frozen=True)
class Heading:
    """The line that names a cited paper."""

    text: str  # "Title — First Author et al. (Year)", or a derived label
    derived: bool  # True when the corpus gave no title and `text` is made from the abstract
    url: str | None = None

    def __str__(self) -> str:
        return f"{self.text} [{DERIVED}]" if self.derived else self.text


def heading(paper: Cited) -> Heading:
    """How to name `paper`: from its metadata, else a label derived from its abstract."""
    if not paper.title:
        if paper.authors or paper.year:  # no title, but who and when: still worth saying
            return Heading(_by(derived_label(paper.text, paper.language), paper), True, paper.url)
        return Heading(derived_label(paper.text, paper.language), True, paper.url)
    return Heading(_by(paper.title, paper), False, paper.url)


def _by(name: str, paper: Cited) -> str:
    text = name
    if paper.authors:
        first = surname(paper.authors[0])
        text += f" — {first}" + (" et al." if len(paper.authors) > 1 else "")
    if paper.year:
        text += f" ({paper.year})"
    return text


def surname(name: str) -> str:
    """'Müller, Jörg' -> 'Müller'; 'Jörg Müller' -> 'Müller'; '李伟' -> '李伟'."""
    name = name.strip()
    if "," in name:
        return name.split(",", 1)[0].strip()
    return name.split()[-1] if name.split() else name


def derived_label(text: str, language: str = "en") -> str:
    """A short name for an abstract without a title: the name it gives its method, else
    the first name it proposes with an acronym, else its first words."""
    patterns = (_CALLED_ZH, _PROPOSED_ZH) if language == "zh" else (_CALLED, _PROPOSED)
    for pattern in patterns:
        found = pattern.search(text)
        if found:
            return " ".join(found.group(1).split())
    if language == "zh":
        return text[:12] + "…"
    return " ".join(text.split()[:6]) + "…"
