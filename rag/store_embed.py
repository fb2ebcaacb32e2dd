"""The vectors of a new generation: reused from the one served where the text is the same,
embedded in batches where it is not.

A row is (row id, text): a chunk ("<abstract id>:<n>") or a sentence ("<abstract id>:s<n>").
The abstract id is a hash of its text, so the same row id with the same text, built with the
same chunking settings and model (the caller checks the manifest's `vector_key`), has the
same vector: it is copied, not embedded again.

Leaves out deciding whether to build, and writing the generation (`rag.store`).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from langchain_core.embeddings import Embeddings

from rag import store_chroma as chroma
from rag import store_layout as layout
from rag import store_server as server
from rag import store_vectors as vectors_io
from rag.config import Settings

BATCH = 32  # texts per embed_documents call


def vectors_for(
    rows: list[tuple[str, str]],
    known: dict[str, tuple[str, np.ndarray]],
    embedder: Embeddings,
    progress: bool,
) -> tuple[np.ndarray, int]:
    """A vector for every row, reused where the same row id holds the same text; and how
    many were embedded afresh."""
    todo = [text for rid, text in rows if known.get(rid, (None,))[0] != text]
    fresh = iter(_embed_all(todo, embedder, progress))
    vectors = np.asarray(
        [
            known[rid][1] if known.get(rid, (None,))[0] == text else next(fresh)
            for rid, text in rows
        ],
        dtype=np.float32,
    )
    return vectors, len(todo)


def served_vectors(settings: Settings, manifest: dict) -> dict[str, tuple[str, np.ndarray]]:
    """Row id -> (text, vector) of the generation served, locally or in the server."""
    if settings.store.chroma_url:
        return _server_vectors(settings.store.chroma_url)
    return _stored_vectors(layout.current_generation(settings.store.store_dir), manifest)


def _stored_vectors(gen: Path, manifest: dict) -> dict[str, tuple[str, np.ndarray]]:
    """Row id -> (text, vector) of every chunk and sentence, from the read-only files."""
    rows, chunk_vectors, sentence_vectors = vectors_io.read(
        gen, manifest["chunks"], manifest["sentences"]
    )
    text = {a["id"]: a["text"] for a in manifest["abstracts"]}
    known = {}
    for (aid, i, start, end, _), v in zip(rows["chunks"], chunk_vectors, strict=True):
        known[f"{aid}:{i}"] = (text[aid][start:end], v)
    for (aid, i, start, end), v in zip(rows["sentences"], sentence_vectors, strict=True):
        known[f"{aid}:s{i}"] = (text[aid][start:end], v)
    return known


def _server_vectors(url: str) -> dict[str, tuple[str, np.ndarray]]:
    """Row id -> (text, vector) of every chunk and sentence of the generation served."""
    db = server.connect(url)
    names = server.prefix(server.current(db))
    known = {}
    for name in (chroma.CHUNKS, chroma.SENTENCES):
        collection = db.get_collection(names + name)
        for rid, text, vector in server.all_rows(collection):
            known[rid] = (text, np.asarray(vector, dtype=np.float32))
    return known


def _embed_all(texts: list[str], embedder: Embeddings, progress: bool) -> np.ndarray:
    from tqdm import tqdm

    out = []
    with tqdm(total=len(texts), desc="Embedding", unit="text", disable=not progress) as bar:
        for i in range(0, len(texts), BATCH):
            batch = texts[i : i + BATCH]
            out.extend(embedder.embed_documents(batch))
            bar.update(len(batch))
    return np.asarray(out, dtype=np.float32)
