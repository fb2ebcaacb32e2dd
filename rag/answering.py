"""Answerers: turn a question and retrieved abstracts into an answer with `[n]` markers.

`Answerer` is the interface; `ExtractiveAnswerer` is the default and needs no language
model. It scores every sentence of the retrieved abstracts against the question
(embedding similarity + IDF-weighted term overlap, + a nudge toward sentences with
figures when the question asks for a quantity, or toward the sentence that introduces a
name when it asks for one) and quotes the best ones, each followed by
the marker of its abstract. Quoting keeps every claim grounded by construction; the price
is that a Chinese abstract is quoted in Chinese.

Leaves out generative backends and the citation check they need (the LLM issue).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from rag.lexical import tokenize
from rag.retrieval import Hit
from rag.types import Span

_QUANTITY = re.compile(
    r"\b(how (?:much|many|large|big|fast|well)|what (?:is|was|are)? ?(?:the )?"
    r"(?:accuracy|score|nds|map|miou|improvement|gain|number|rate|percentage)|"
    r"by how)\b|多少|提升|提高|几|准确率",
    re.IGNORECASE,
)
_FIGURE = re.compile(r"\d")
# "What framework/method ... ?" asks for a name: the sentence that introduces one answers it.
_NAME_QUESTION = re.compile(
    r"\b(?:what|which) (?:\w+ )?(?:framework|method|model|approach|dataset|benchmark|"
    r"system|algorithm|network)\b|什么(?:框架|方法|模型)|叫什么|名为",
    re.IGNORECASE,
)
_INTRODUCES = re.compile(r"\b(?:named|called|propose[sd]?|introduce[sd]?)\b|称为|名为|提出", re.I)


@dataclass(frozen=True)
class Passage:
    """A retrieved abstract as an answerer sees it."""

    hit: Hit
    sentences: list[Span]
    sentence_vectors: np.ndarray  # (len(sentences), dim), normalised


@dataclass(frozen=True)
class Draft:
    """An answerer's output: text whose `[n]` point into the passages it was given (1-based)."""

    text: str
    used: dict[int, list[Span]] = field(default_factory=dict)  # passage number -> sentences


class Answerer(Protocol):
    """Composes an answer from passages, best passage first; cites only what it uses."""

    def compose(
        self, question: str, passages: Sequence[Passage], question_vector: Sequence[float]
    ) -> Draft: ...


class ExtractiveAnswerer:
    """Quote the best evidence sentences, each with its abstract's marker."""

    def __init__(
        self,
        idf: dict[str, float],
        max_sentences: int = 3,
        lexical_weight: float = 0.5,
        contender_ratio: float = 0.85,
    ) -> None:
        self.idf = idf
        self.max_sentences = max_sentences
        self.lexical_weight = lexical_weight
        # Another abstract joins the answer only if it ranks this close to the best one.
        self.contender_ratio = contender_ratio

    def sentence_scores(
        self, question: str, passage: Passage, question_vector: Sequence[float]
    ) -> np.ndarray:
        """How well each sentence of the passage answers the question."""
        q = np.asarray(question_vector, dtype=np.float32)
        scores = passage.sentence_vectors @ q
        terms = set(tokenize(question))
        weight = sum(self.idf.get(t, 0.0) for t in terms)
        text = passage.hit.abstract.text
        wants_figure = bool(_QUANTITY.search(question))
        wants_name = bool(_NAME_QUESTION.search(question))
        for i, span in enumerate(passage.sentences):
            sentence = text[span.start : span.end]
            if weight:
                found = set(tokenize(sentence)) & terms
                scores[i] += self.lexical_weight * sum(self.idf.get(t, 0) for t in found) / weight
            if wants_figure and _FIGURE.search(sentence):
                scores[i] += 0.15
            if wants_name and _INTRODUCES.search(sentence):
                scores[i] += 0.15
        return scores

    def compose(
        self, question: str, passages: Sequence[Passage], question_vector: Sequence[float]
    ) -> Draft:
        if not passages:
            return Draft("")
        chosen: list[tuple[int, int]] = []  # (passage number, sentence index)
        top = passages[0].hit.rank_score
        for number, passage in enumerate(passages, start=1):
            if not passage.sentences:
                continue
            if number > 1 and passage.hit.rank_score < self.contender_ratio * top:
                break
            scores = self.sentence_scores(question, passage, question_vector)
            order = np.argsort(-scores)
            chosen.append((number, int(order[0])))
            # A close second sentence of the best abstract often holds the rest of the fact.
            if number == 1 and len(order) > 1 and scores[order[1]] >= 0.9 * scores[order[0]]:
                chosen.append((number, int(order[1])))
        chosen = chosen[: self.max_sentences]
        chosen.sort()
        used: dict[int, list[Span]] = {}
        pieces = []
        for number, index in chosen:
            span = passages[number - 1].sentences[index]
            used.setdefault(number, []).append(span)
            pieces.append(
                f"{passages[number - 1].hit.abstract.text[span.start : span.end]} [{number}]"
            )
        return Draft(" ".join(pieces), used)
