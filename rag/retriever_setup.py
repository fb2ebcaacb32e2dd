"""Retriever setup: one store generation's `Index` + `Settings` -> its `HybridRetriever`.

The retriever's helpers come from the store when the build saved them, and are made here
when it did not (a store built before they were saved, or one in a Chroma server): the
bilingual bridge's word table, the background questions' vectors, the English model's
chunk vectors. Each is made only when its setting asks for it; the speller is built from
the index's IDF.

Leaves out when to build a retriever (`QA` makes one per served generation, rag/qa.py)
and what the retriever does with its helpers (rag/retrieval.py).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from langchain_core.embeddings import Embeddings

from rag import background, english
from rag.background import Exemplars
from rag.bridge import Bridge, BridgeTable, table_terms
from rag.config import Settings
from rag.english import EnglishOpinion
from rag.index import Index
from rag.retrieval import HybridRetriever
from rag.spelling import Speller

_log = logging.getLogger(__name__)


def build_retriever(
    index: Index,
    settings: Settings,
    embedder: Embeddings,
    english_embedder: Callable[[], Embeddings],
) -> HybridRetriever:
    """The retriever over `index`, with the helpers `settings.retrieval` turns on.

    Args:
        index: the store generation to search.
        settings: which helpers to use, and their margins.
        embedder: the model the store was built with.
        english_embedder: loads the English-only model; called only when the store has
            English chunks and `retrieval.english_model` is set, so a Chinese-only corpus
            never loads it.

    Returns:
        A `HybridRetriever` over `index`.
    """
    r = settings.retrieval
    bridge = None
    if r.bridge:
        table = index.store.bridge
        if table is None:  # a store built before the bridge was saved with it
            _log.info("Embedding the corpus's words for the bilingual bridge.")
            table = BridgeTable.build(embedder, table_terms(index.abstract_terms))
        bridge = Bridge(embedder, table)
    sets = {}
    margins = {"everyday": r.background_margin, "instructions": r.instruction_margin}
    # The everyday questions serve two tests: a question's, and a follow-up's own words
    # (each checks its own margin).
    wanted = {
        "everyday": max(r.background_margin, r.follow_up_background_margin) >= 0,
        "instructions": r.instruction_margin >= 0,
    }
    if any(wanted.values()):
        vectors = index.store.background
        if vectors is None:  # a Chroma server's store, or one built before it was saved
            _log.info("Embedding the background questions.")
            vectors = background.embedded(embedder)
        cross = r.min_dense_same - r.min_dense_cross  # cosines across languages run lower
        sets = {
            name: Exemplars(vectors[name], margins[name], cross) for name in margins if wanted[name]
        }
    return HybridRetriever(
        index=index,
        embedder=embedder,
        settings=settings,
        bridge=bridge,
        english=english_opinion(index, r.english_model, english_embedder),
        speller=Speller(index.bm25.idf) if r.spelling else None,
        **sets,
    )


def english_opinion(
    index: Index, model: str, english_embedder: Callable[[], Embeddings]
) -> EnglishOpinion | None:
    """The English model's second opinion on the English abstracts, or None when `model`
    is '' or the store has no English chunks (then the model is not loaded)."""
    store = index.store
    own = english.own_chunks(store.chunks, store.abstracts)
    if not model or not own:
        return None
    embedder = english_embedder()
    vectors = store.english
    if vectors is None:  # a store built before they were saved with it
        _log.info("Embedding the chunks with the English model.")
        vectors = english.embedded(embedder, own)
    return EnglishOpinion(embedder, own, vectors)
