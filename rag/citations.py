"""The citation check: keep a generated answer's `[n]` only where source n says the claim.

A generated sentence is a claim followed (or interrupted) by markers. For each marker the
claim is compared with the cited abstract:

- every figure in the claim (73.0, 51%, 2023) must appear in the abstract: a model that
  changes a number is wrong however close the wording;
- and the claim must be close to one of the abstract's sentences: cosine similarity of
  the claim's embedding to the stored sentence vectors at least `min_cosine`, or at
  least `min_overlap` of the claim's terms (`rag.lexical.tokenize`: words, jieba words,
  glossary concepts shared across languages) found in the abstract.

A marker that fails is removed, with a notice; a marker out of range is removed. A
sentence left with no supported marker (or that had none) is given the marker of the
source that best supports it, if one does, and is otherwise **dropped** with a notice
quoting it. Dropping rather than flagging keeps the promise that every sentence we show is
backed by an abstract; the notice keeps the removal visible. Sentences without content
words ("Here is the answer:") are dropped silently.

Leaves out entailment: a claim that reuses a source's words and figures but negates or
inverts them passes. That needs a model trained for it, which does not ship offline.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from langchain_core.embeddings import Embeddings

from rag.answering import Draft
from rag.lexical import tokenize
from rag.prompts import NOTICE_DROPPED_SENTENCE, NOTICE_OUT_OF_RANGE, NOTICE_UNSUPPORTED_CITATION
from rag.retrieval import Passage
from rag.types import MARKER, Span, cited

# "[1, 2]" and "[1][2]" both mean two citations; the first is rewritten as "[1] [2]".
_MARKER_LIST = re.compile(r"\[(\d+(?:\s*[,，、]\s*\d+)+)\]")
# A sentence ends at . ! ? (before a space, a marker or the end; so 73.0 is not an end) or
# at Chinese 。！？； and takes the markers that follow its full stop.
_SENTENCE = re.compile(
    r".+?(?:[.!?](?=\s|\[|$)|[。！？；]|$)(?:\s*\[\d+\])*",
    re.DOTALL,
)
_FIGURE = re.compile(r"\d+(?:[.,]\d+)*")
_CLAIM_CHARS = 80  # notices quote this much of a claim


@dataclass(frozen=True)
class Checked:
    """A checked answer: markers point into the passages given (1-based)."""

    draft: Draft
    notices: tuple[str, ...] = field(default_factory=tuple)


def split_sentences(text: str) -> list[str]:
    """The answer's sentences, each with the markers that follow it."""
    text = _MARKER_LIST.sub(lambda m: " ".join(f"[{n}]" for n in re.split(r"\D+", m[1])), text)
    return [m.group(0).strip() for m in _SENTENCE.finditer(text) if m.group(0).strip()]


def _quote(claim: str) -> str:
    claim = " ".join(claim.split())
    return claim if len(claim) <= _CLAIM_CHARS else claim[: _CLAIM_CHARS - 1] + "…"


def _figures(text: str) -> set[str]:
    return {f.replace(",", "") for f in _FIGURE.findall(text)}


class CitationChecker:
    """Checks generated answers against the passages they were written from."""

    def __init__(
        self, embedder: Embeddings, min_cosine: float = 0.90, min_overlap: float = 0.5
    ) -> None:
        self.embedder = embedder
        # Both calibrated with multilingual-e5-small on the shipped corpus: each sentence of
        # each abstract against the three abstracts retrieved for it. Its best cosine in
        # such a *wrong* abstract passes 0.90 in 2% of cases (0.86 in 5%), while the first
        # 60% of its words score >= 0.88 against its own abstract in 95% of cases.
        self.min_cosine = min_cosine
        # Share of the claim's terms found in the cited abstract: a wrong abstract holds
        # 0.39 of a sentence's terms at the 99.5th percentile.
        self.min_overlap = min_overlap

    def support(self, claim: str, vector: np.ndarray, passage: Passage) -> Span | None:
        """The sentence of the passage that supports the claim, or None if none does."""
        abstract = passage.hit.abstract.text
        if not _figures(claim) <= _figures(abstract):
            return None
        if not passage.sentences:
            return None
        cosines = passage.sentence_vectors @ vector
        best = int(np.argmax(cosines))
        terms = set(tokenize(claim))
        overlap = len(terms & passage.terms) / len(terms) if terms else 0.0
        if cosines[best] >= self.min_cosine or overlap >= self.min_overlap:
            return passage.sentences[best]
        return None

    def check(self, text: str, passages: Sequence[Passage]) -> Checked:
        """Keep supported citations and sentences; say what was removed and why.

        Args:
            text: the generated answer, with `[n]` markers into `passages` (1-based).
            passages: what the model was shown, in the order it was numbered.

        Returns:
            `Checked` whose draft holds the kept sentences (markers still numbered as the
            passages are) and, per passage number, the sentences that support them.
        """
        sentences = split_sentences(text)
        claims = [MARKER.sub("", s).strip() for s in sentences]
        wordy = [i for i, c in enumerate(claims) if tokenize(c)]
        vectors = (
            np.asarray(self.embedder.embed_documents([claims[i] for i in wordy]), np.float32)
            if wordy
            else np.zeros((0, 0), np.float32)
        )
        notices: list[str] = []
        pieces: list[str] = []
        used: dict[int, list[Span]] = {}
        for row, i in enumerate(wordy):
            claim, vector = claims[i], vectors[row]
            kept: list[int] = []
            for n in cited(sentences[i]):
                if not 1 <= n <= len(passages):
                    notices.append(NOTICE_OUT_OF_RANGE.format(n=n))
                    continue
                span = self.support(claim, vector, passages[n - 1])
                if span is None:
                    notices.append(NOTICE_UNSUPPORTED_CITATION.format(n=n, claim=_quote(claim)))
                    continue
                kept.append(n)
                used.setdefault(n, []).append(span)
            if not kept:  # uncited or wrongly cited: does any source say it?
                for n, passage in enumerate(passages, start=1):
                    span = self.support(claim, vector, passage)
                    if span is not None:
                        kept.append(n)
                        used.setdefault(n, []).append(span)
                        break
            if not kept:
                notices.append(NOTICE_DROPPED_SENTENCE.format(claim=_quote(claim)))
                continue
            pieces.append(claim + " " + " ".join(f"[{n}]" for n in kept))
        used = {n: sorted(set(spans), key=lambda s: s.start) for n, spans in used.items()}
        return Checked(Draft(" ".join(pieces), used), tuple(notices))
