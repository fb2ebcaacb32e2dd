"""Retrieval: conversation-aware query building and bilingual hybrid abstract search.

Chunks are searched two ways: by cosine similarity of embeddings in Chroma, and lexically
with BM25 over jieba/word tokens. Each abstract takes the best score of its chunks (chunks
vote for their abstract).

The dense side guards against same-language bias. A multilingual model scores an English
question higher against *every* English abstract than against any Chinese one, so the
right Chinese abstract can rank 15th on raw cosine while ranking 1st among Chinese ones.
So each language gets its own candidate list (a Chroma query filtered by language), and an
abstract's dense score is its margin over its language's mean, in standard deviations:

    z = (cosine - mean of its language's candidates) / their standard deviation

The ranking score adds lexical evidence, the IDF-weighted share of the question's terms
found in the abstract (acronyms, datasets and numbers survive machine translation):

    rank_score = z + lexical_weight * coverage

An abstract is *relevant* when its margin (cosine - language mean) and its cosine pass
their thresholds and it shares at least one term with the question, or when its coverage
passes its own threshold; with none relevant the question is refused. Both thresholds were tuned on
the labelled questions of `rag eval` (see `rag/config.py`).

Follow-ups are resolved without an LLM: a question that leans on the conversation ("What
datasets did it use?") is searched together with the last self-contained user question.

Leaves out translation of the question and learned re-ranking: both need a model that
does not ship on PyPI.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.embeddings import Embeddings
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from rag.config import Settings
from rag.corpus import detect_language
from rag.lexical import BM25, tokenize
from rag.store import Store
from rag.types import Abstract

# Words by which a question points back into the conversation instead of naming its subject.
_ANAPHORA_EN = re.compile(
    r"\b(it|its|it's|they|them|their|this|that|these|those|the (?:paper|method|model|approach|"
    r"authors?|framework|same|work|study|results?))\b",
    re.IGNORECASE,
)
_ANAPHORA_ZH = re.compile(r"它|其|该|这个|这种|这篇|这项|此|上述|他们")


# "Which papers are about X?" asks for every abstract on a topic, not for one fact.
_LIST_QUESTION = re.compile(
    r"\b(?:which|what|list|any)\s+(?:other\s+)?(?:papers|abstracts|works|studies|articles|"
    r"methods)\b|哪些(?:论文|文章|工作|研究|摘要|方法)|哪几篇",
    re.IGNORECASE,
)


def is_list_question(question: str) -> bool:
    """Whether a question asks for all abstracts on a topic ("Which papers use X?")."""
    return bool(_LIST_QUESTION.search(question))


def is_follow_up(question: str) -> bool:
    """Whether a question refers back to earlier turns rather than naming its own subject."""
    return bool(_ANAPHORA_EN.search(question) or _ANAPHORA_ZH.search(question))


def standalone_query(question: str, history: Sequence[dict] | None) -> str:
    """The text to search for: the question, plus the conversation's subject for follow-ups.

    The subject is the last earlier user question that was itself self-contained, so a
    chain of follow-ups keeps pointing at the same abstract, and a question that names a
    new subject starts afresh.
    """
    if not history or not is_follow_up(question):
        return question
    for message in reversed(history):
        if message.get("role") == "user" and not is_follow_up(message.get("content", "")):
            return f"{message['content']} {question}"
    return question


@dataclass(frozen=True)
class Hit:
    """An abstract found for a query, with the parts of its score."""

    abstract: Abstract
    dense: float  # best chunk cosine similarity
    margin: float  # dense minus the mean of its language's candidates
    z: float  # margin in standard deviations of its language's candidates
    coverage: float  # IDF-weighted share of query terms in the abstract
    rank_score: float  # z + lexical_weight * coverage
    relevant: bool
    matched: tuple[str, ...] = ()  # the query's terms (and concepts) found in the abstract

    @property
    def score(self) -> float:
        """The relevance shown to users, in [0, 1]: rank_score squashed, same order."""
        return round(1.0 - math.exp(-max(self.rank_score, 0.0) / 3.0), 3)


@dataclass(frozen=True)
class _LanguageStats:
    mean: float
    std: float


def _language_stats(dense: dict[str, float], language: dict[str, str]) -> dict[str, _LanguageStats]:
    """Mean and spread of each language's candidate scores; pooled where a language is thin."""
    pooled = np.fromiter(dense.values(), dtype=np.float64)
    fallback = _LanguageStats(float(pooled.mean()), float(pooled.std()) or 1.0)
    stats = {}
    for lang in set(language.values()):
        values = np.array([d for aid, d in dense.items() if language[aid] == lang])
        # Under five candidates a mean and spread say little: use the pooled ones.
        stats[lang] = (
            _LanguageStats(float(values.mean()), float(values.std()) or 1.0)
            if len(values) >= 5
            else fallback
        )
    return stats


class HybridRetriever(BaseRetriever):
    """LangChain retriever over the store's abstracts; `search` gives scored `Hit`s."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    store: Store
    embedder: Embeddings
    settings: Settings
    bm25: BM25
    abstract_terms: dict[str, frozenset[str]]
    chunks_per_language: dict[str, int]

    @classmethod
    def from_store(cls, store: Store, embedder: Embeddings, settings: Settings) -> HybridRetriever:
        counts: dict[str, int] = {}
        for chunk in store.chunks:
            lang = store.abstracts[chunk.abstract_id].language
            counts[lang] = counts.get(lang, 0) + 1
        return cls(
            store=store,
            embedder=embedder,
            settings=settings,
            bm25=BM25([c.text for c in store.chunks]),
            abstract_terms={aid: frozenset(tokenize(a.text)) for aid, a in store.abstracts.items()},
            chunks_per_language=counts,
        )

    def dense_scores(self, vector: Sequence[float]) -> dict[str, float]:
        """Best chunk cosine per abstract, from one candidate list per language."""
        dense: dict[str, float] = {}
        for lang, count in self.chunks_per_language.items():
            result = self.store.chunks_collection.query(
                query_embeddings=[list(vector)],
                n_results=min(self.settings.fetch_k, count),
                where={"language": lang},
                include=["metadatas", "distances"],
            )
            for meta, distance in zip(result["metadatas"][0], result["distances"][0], strict=True):
                aid = meta["abstract_id"]
                dense[aid] = max(dense.get(aid, -1.0), 1.0 - distance)
        return dense

    def search(self, query: str, query_vector: Sequence[float] | None = None) -> list[Hit]:
        """Abstracts for the query, relevant ones first, each group best first."""
        s = self.settings
        vector = query_vector if query_vector is not None else self.embedder.embed_query(query)
        dense = self.dense_scores(vector)
        terms = tokenize(query)
        lexical_scores = self.bm25.scores(terms)
        best = sorted(range(len(lexical_scores)), key=lambda i: -lexical_scores[i])[: s.fetch_k]
        candidates = set(dense) | {
            self.store.chunks[i].abstract_id for i in best if lexical_scores[i] > 0
        }
        language = {aid: self.store.abstracts[aid].language for aid in candidates}
        asked_in = detect_language(query)
        stats = _language_stats(dense, language) if dense else {}
        hits = []
        for aid in candidates:
            st = stats.get(language[aid], _LanguageStats(0.0, 1.0))
            # Unseen by its language's dense list: it ranks below every abstract that was.
            d = dense.get(aid, min(dense.values(), default=0.0))
            cov = self.bm25.coverage(terms, self.abstract_terms[aid])
            z = (d - st.mean) / st.std
            floor = s.min_dense_same if language[aid] == asked_in else s.min_dense_cross
            dense_match = d - st.mean >= s.min_margin and d >= floor and cov >= s.min_dense_support
            hits.append(
                Hit(
                    abstract=self.store.abstracts[aid],
                    dense=round(d, 4),
                    margin=round(d - st.mean, 4),
                    z=round(z, 3),
                    coverage=round(cov, 4),
                    rank_score=z + s.lexical_weight * cov,
                    relevant=dense_match or cov >= s.min_lexical,
                    matched=tuple(sorted(set(terms) & self.abstract_terms[aid])),
                )
            )
        hits.sort(key=lambda h: (not h.relevant, -h.rank_score))
        return hits

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun
    ) -> list[Document]:
        return [
            Document(
                page_content=h.abstract.text,
                metadata={
                    "id": h.abstract.id,
                    "score": h.score,
                    "dense": h.dense,
                    "z": h.z,
                    "coverage": h.coverage,
                    "language": h.abstract.language,
                },
            )
            for h in self.search(query)
            if h.relevant
        ][: self.settings.top_k]
