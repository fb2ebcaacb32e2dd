"""Hits: what a search yields (`Hit`, an abstract with the parts of its score), what an
answerer reads (`Passage`, a hit with its stored sentences), and the per-language
statistics a hit's z-score is measured against.

Leaves out the search and its thresholds (rag/retrieval.py), which fill these in.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from rag.types import Abstract, Span


@dataclass(frozen=True)
class Hit:
    """An abstract found for a query, with the parts of its score."""

    abstract: Abstract
    dense: float  # best chunk cosine similarity
    margin: float  # dense minus the mean of its language's candidates
    # margin in standard deviations of its language's candidates (for an English question
    # and abstract, the mean with the English model's: rag/english.py)
    z: float
    coverage: float  # IDF-weighted share of query terms in the abstract
    rank_score: float  # z + lexical_weight * coverage
    relevant: bool
    matched: tuple[str, ...] = ()  # the query's terms (and concepts) found in the abstract

    @property
    def score(self) -> float:
        """The relevance shown to users, in [0, 1]: rank_score squashed, same order."""
        return round(1.0 - math.exp(-max(self.rank_score, 0.0) / 3.0), 3)


@dataclass(frozen=True)
class Passage:
    """A retrieved abstract as an answerer sees it."""

    hit: Hit
    sentences: list[Span]
    sentence_vectors: np.ndarray  # (len(sentences), dim), normalised
    # Tokenized once per store, not per question (jieba is the slow part of answering).
    sentence_terms: tuple[frozenset[str], ...]  # tokenize() of each sentence
    terms: frozenset[str]  # tokenize() of the whole abstract


@dataclass(frozen=True)
class LanguageStats:
    mean: float
    std: float


def language_stats(dense: dict[str, float], language: dict[str, str]) -> dict[str, LanguageStats]:
    """Mean and spread of each language's candidate scores; pooled where a language is thin."""
    pooled = np.fromiter(dense.values(), dtype=np.float64)
    fallback = LanguageStats(float(pooled.mean()), float(pooled.std()) or 1.0)
    stats = {}
    for lang in set(language.values()):
        values = np.array([d for aid, d in dense.items() if language[aid] == lang])
        # Under five candidates a mean and spread say little: use the pooled ones.
        stats[lang] = (
            LanguageStats(float(values.mean()), float(values.std()) or 1.0)
            if len(values) >= 5
            else fallback
        )
    return stats
