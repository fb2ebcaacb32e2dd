"""The vectors of a new generation: reused from the one served where the text is the same,
resumed from what an unfinished build saved, embedded in batches (and saved) where neither.

A row is (row id, text): a chunk ("<abstract id>:<n>") or a sentence ("<abstract id>:s<n>").
The abstract id is a hash of its text, so the same row id with the same text, built with the
same chunking settings and model (the caller checks the manifest's `vector_key`), has the
same vector: it is copied, not embedded again. An unfinished build's vectors are looked up
by a hash of their text (`rag.store_resume`), and every batch embedded here is saved there
before the next one starts, so a build killed after an hour loses at most one batch.

Leaves out deciding whether to build (`rag.store`), and writing the generation
(`rag.store_write`).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
from langchain_core.embeddings import Embeddings

from rag import store_chroma as chroma
from rag import store_layout as layout
from rag import store_server as server
from rag import store_vectors as vectors_io
from rag.config import Settings
from rag.store_resume import SavedVectors, text_key

BATCH = 32  # fewest texts per embed_documents call, and what a small build saves at a time
MAX_BATCH = 256  # most: e5-int8 batches like lengths within a call, so bigger calls run faster


def batch_size(todo: int) -> int:
    """Texts per call: about an eighth of the work, within BATCH..MAX_BATCH. A large build
    runs in big calls (fewer, fuller forward passes: 28.3 s against 25 s at 200 abstracts),
    a small one still saves its progress several times; a kill loses at most one call."""
    return min(MAX_BATCH, max(BATCH, todo // 8))


def vectors_for(
    rows: list[tuple[str, str]],
    known: dict[str, tuple[str, np.ndarray]],
    embedder: Embeddings,
    progress: bool,
    saved: SavedVectors | None = None,
) -> tuple[np.ndarray, int, int]:
    """A vector for every row, in order.

    Args:
        rows: (row id, text) of every chunk, then every sentence.
        known: row id -> (text, vector) of the generation served; used where the text matches.
        embedder: embeds the rest, `BATCH` texts a call.
        progress: show a progress bar of the texts to embed on stderr.
        saved: an unfinished build's vectors, used before embedding; each batch embedded
            now is appended to them.

    Returns:
        The vectors (float32, one row each), how many texts were embedded, and how many
        were resumed from `saved`.
    """
    resumable = saved.load() if saved is not None else {}
    chosen: list[np.ndarray | None] = []  # None: to embed
    todo, resumed = [], 0
    for rid, text in rows:
        old = known.get(rid)
        if old is not None and old[0] == text:
            chosen.append(old[1])
            continue
        vector = resumable.get(text_key(text))
        chosen.append(vector)
        if vector is None:
            todo.append(text)
        else:
            resumed += 1
    fresh = iter(_embed_all(todo, embedder, progress, saved.save if saved is not None else None))
    vectors = np.asarray([next(fresh) if v is None else v for v in chosen], dtype=np.float32)
    return vectors, len(todo), resumed


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


def _embed_all(
    texts: list[str],
    embedder: Embeddings,
    progress: bool,
    done: Callable[[list[str], np.ndarray], None] | None = None,
) -> np.ndarray:
    """Every text's vector, `batch_size` at a time; `done(batch, vectors)` after each."""
    from tqdm import tqdm

    out, size = [], batch_size(len(texts))
    with tqdm(total=len(texts), desc="Embedding", unit="text", disable=not progress) as bar:
        for i in range(0, len(texts), size):
            batch = texts[i : i + size]
            vectors = np.asarray(embedder.embed_documents(batch), dtype=np.float32)
            if done is not None:
                done(batch, vectors)
            out.extend(vectors)
            bar.update(len(batch))
    return np.asarray(out, dtype=np.float32)
