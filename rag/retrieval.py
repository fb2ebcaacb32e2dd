"""Retrieval: conversation-aware query building and hybrid (dense + lexical) abstract search.

Chunks are searched two ways: by cosine similarity of embeddings in Chroma, and lexically
with BM25 over jieba/word tokens. Each abstract takes the best score of its chunks (chunks
vote for their abstract), and the ranking score is
    dense + lexical_weight * coverage
where coverage is the IDF-weighted share of the question's terms found in the abstract.
Calibrated sums beat rank fusion here: an English question about a Chinese abstract may
rank it 20th on the dense side, and only the size of its lexical match (an acronym, a
dataset name) can lift it. An abstract is *relevant* when its dense score or its coverage
passes its threshold; with none relevant the question is refused.

Follow-ups are resolved without an LLM: a question that leans on the conversation ("What
datasets did it use?") is searched together with the last self-contained user question.

Leaves out cross-lingual translation and per-language normalisation (the bilingual issue).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

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
    coverage: float  # IDF-weighted share of query terms in the abstract
    rank_score: float  # dense + lexical_weight * coverage
    relevant: bool

    @property
    def score(self) -> float:
        """The relevance shown to users: the stronger of the two signals, in [0, 1]."""
        return round(min(max(self.dense, self.coverage, 0.0), 1.0), 3)


class HybridRetriever(BaseRetriever):
    """LangChain retriever over the store's abstracts; `search` gives scored `Hit`s."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    store: Store
    embedder: Embeddings
    settings: Settings
    bm25: BM25
    abstract_terms: dict[str, set[str]]

    @classmethod
    def from_store(cls, store: Store, embedder: Embeddings, settings: Settings) -> HybridRetriever:
        return cls(
            store=store,
            embedder=embedder,
            settings=settings,
            bm25=BM25([c.text for c in store.chunks]),
            abstract_terms={aid: set(tokenize(a.text)) for aid, a in store.abstracts.items()},
        )

    def search(self, query: str, query_vector: Sequence[float] | None = None) -> list[Hit]:
        """Abstracts for the query, relevant ones first, each group best first."""
        s = self.settings
        vector = query_vector if query_vector is not None else self.embedder.embed_query(query)
        dense: dict[str, float] = {}
        result = self.store.chunks_collection.query(
            query_embeddings=[list(vector)],
            n_results=min(s.fetch_k, len(self.store.chunks)),
            include=["metadatas", "distances"],
        )
        for meta, distance in zip(result["metadatas"][0], result["distances"][0], strict=True):
            aid = meta["abstract_id"]
            dense[aid] = max(dense.get(aid, -1.0), 1.0 - distance)
        terms = tokenize(query)
        lexical_scores = self.bm25.scores(terms)
        best = sorted(range(len(lexical_scores)), key=lambda i: -lexical_scores[i])[: s.fetch_k]
        candidates = set(dense) | {
            self.store.chunks[i].abstract_id for i in best if lexical_scores[i] > 0
        }
        min_dense = s.min_dense if detect_language(query) == "en" else s.min_dense_zh
        floor = min(dense.values(), default=0.0)  # unseen by the dense side: at most its last
        hits = []
        for aid in candidates:
            d = dense.get(aid, floor)
            cov = self.bm25.coverage(terms, self.abstract_terms[aid])
            hits.append(
                Hit(
                    abstract=self.store.abstracts[aid],
                    dense=round(d, 4),
                    coverage=round(cov, 4),
                    rank_score=d + s.lexical_weight * cov,
                    relevant=d >= min_dense or cov >= s.min_lexical,
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
                    "coverage": h.coverage,
                    "language": h.abstract.language,
                },
            )
            for h in self.search(query)
            if h.relevant
        ][: self.settings.top_k]
