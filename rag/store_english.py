"""The English model's chunk vectors in a store generation (rag/english.py): embedded by
the build, only for the chunks the serving generation lacks, and kept with the generation:
`english.npz` in a local one, a collection `abstracts-qa-<gen>-english` in a Chroma server
(each chunk's `english.key` as its document, the model in the collection's metadata).

Leaves out the opinion itself (rag/english.py) and the rest of a generation (rag/store.py).
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from langchain_core.embeddings import Embeddings

from rag import english
from rag import store_layout as layout
from rag import store_server as server
from rag.config import Settings
from rag.embeddings import get_embedder
from rag.errors import StoreError
from rag.types import Abstract, Chunk


@dataclass(frozen=True)
class EnglishVectors:
    """What a new generation keeps of the English model: its name, the English abstracts'
    chunks (`english.own_chunks`) and their vectors, one row each."""

    model: str
    chunks: list[Chunk]
    vectors: np.ndarray

    def save(self, folder: Path) -> None:
        english.save(folder, self.model, self.chunks, self.vectors)


def for_build(
    settings: Settings,
    chunks: Sequence[Chunk],
    abstracts: Mapping[str, Abstract],
    force: bool,
    progress: bool,
    embedder: Embeddings | None = None,
) -> tuple[EnglishVectors | None, int]:
    """The vectors of the English abstracts' chunks for a new generation, and how many
    texts were embedded (the rest are the serving generation's).

    Args:
        settings: `retrieval.english_model` names the model ('' : none).
        chunks: every chunk of the new generation; only the English ones are embedded.
        abstracts: the corpus by id, for each chunk's language.
        force: reuse nothing.
        progress: say on stderr what is being embedded.
        embedder: the English model; default: loaded from the setting.

    Returns:
        (the vectors, or None when there is no model or no English chunk; texts embedded).
    """
    model = settings.retrieval.english_model
    own = english.own_chunks(chunks, abstracts)
    if not model or not own:
        return None, 0
    known = (None if force else reusable(settings, model)) or {}
    todo = len({english.key(c.text) for c in own} - set(known))
    if todo and progress:
        print(f"Embedding {todo:,} chunks with the English model ({model})…", file=sys.stderr)
    vectors = english.embed(embedder or get_embedder(model), own, known)
    return EnglishVectors(model, own, vectors), todo


def reusable(settings: Settings, model: str) -> dict[str, np.ndarray] | None:
    """The serving generation's vectors by this model, by `english.key`; None when there
    are none or the store is damaged (then everything is embedded)."""
    try:
        if settings.store.chroma_url:
            url = settings.store.chroma_url
            db = server.connect(url)
            gen = server.call(url, server.current, db)
            return None if gen is None else server.call(url, read, db, gen, model)
        gen = layout.current_generation(settings.store.store_dir)
    except StoreError:
        return None
    return None if gen is None else english.known_vectors(gen, model)


def write(db, gen: str, kept: EnglishVectors) -> None:
    """Store the vectors in the Chroma server, as a collection of `gen`."""
    collection = db.create_collection(
        server.prefix(gen) + server.ENGLISH, metadata={"model": kept.model}
    )
    chunks, page = kept.chunks, server.PAGE
    for start in range(0, len(chunks), page):
        part = range(start, min(start + page, len(chunks)))
        collection.add(
            ids=[chunks[i].id for i in part],
            documents=[english.key(chunks[i].text) for i in part],
            embeddings=[kept.vectors[i].tolist() for i in part],
        )


def read(db, gen: str, model: str) -> dict[str, np.ndarray] | None:
    """`english.key` -> vector, as `write` stored them for `gen` with this model; None
    when there are none (a generation built before they were stored, or by another model)."""
    try:
        collection = db.get_collection(server.prefix(gen) + server.ENGLISH)
    except Exception:  # noqa: BLE001 (no such collection)
        return None
    if (collection.metadata or {}).get("model") != model:
        return None
    return {k: np.asarray(v, dtype=np.float32) for _, k, v in server.all_rows(collection)}
