"""The store: Chroma collections of chunk and sentence embeddings, built beside and swapped in.

A store is a series of generations (see `rag.store_layout` for the files). Each holds
    chroma/        collection "chunks" (searched) and "sentences" (evidence), cosine space
    manifest.json  fingerprint of corpus + settings, counts, and every abstract with its
                   locations and metadata (title, authors, year, url); written last, so a
                   generation with a manifest is complete

A build reuses the vectors of unchanged abstracts from the serving generation (the id is
a hash of the text, so same id and same chunking settings and model mean same vectors),
embeds only the rest, writes a new generation, verifies it (counts, and a probe query that
must find its own chunk), and only then switches CURRENT to it. Opening checks the same
things, so a damaged store fails at once with a remedy instead of answering wrongly.

Leaves out deleting single abstracts in place: every build writes a whole generation,
which for a corpus of thousands of abstracts is still seconds of copying, not embedding.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import IO

import numpy as np
from langchain_core.embeddings import Embeddings

from rag import store_chroma as chroma
from rag import store_layout as layout
from rag.chunking import chunk_text, get_encoding, sentence_spans
from rag.config import Settings, vector_settings
from rag.errors import StoreError
from rag.types import Abstract, Chunk, Location, Span

# 3: chunks carry their language; 2: generations + CURRENT; 1: flat chroma/ + manifest.json
SCHEMA = 3
_BATCH = 32


def vector_key(settings: Settings) -> str:
    """What a vector depends on besides its text: reuse a vector only when this matches.

    Made from the settings fields marked `affects_vectors` (rag/config.py), so a new such
    field takes part without anyone remembering to add it here.
    """
    return json.dumps({"schema": SCHEMA, **vector_settings(settings)}, sort_keys=True)


def fingerprint(abstracts: Sequence[Abstract], settings: Settings) -> str:
    """A hash of everything the stored vectors depend on: change any of it and we rebuild."""
    h = hashlib.sha256(vector_key(settings).encode())
    for a in abstracts:
        h.update(a.id.encode())
        h.update(a.text.encode())
        h.update("|".join(str(loc) for loc in a.locations).encode())
        if a.title or a.authors or a.year or a.url:  # the seed format's stores stay current
            h.update(json.dumps([a.title, a.authors, a.year, a.url]).encode())
    return h.hexdigest()


@dataclass(frozen=True)
class BuildReport:
    """What `build_store` did, for the CLI to print."""

    rebuilt: bool
    abstracts: int
    chunks: int
    sentences: int
    seconds: float
    embedded: int = 0  # texts embedded; the rest were reused from the serving generation
    skipped: tuple[tuple[str, str], ...] = ()  # (file or file:line, reason) of what was left out


@dataclass
class Store:
    """An opened, complete store, with what retrieval needs held in memory."""

    path: Path
    abstracts: dict[str, Abstract]
    chunks_collection: object  # chromadb Collection
    chunks: list[Chunk]
    sentence_spans: dict[str, list[Span]]  # abstract id -> its sentences, in order
    sentence_vectors: dict[str, np.ndarray]  # abstract id -> (n_sentences, dim)
    generation: Path | None = None  # the gen-* folder opened; it stays while this is alive
    pin: IO | None = field(default=None, repr=False, compare=False)


def _current_manifest(settings: Settings) -> dict | None:
    gen = layout.current_generation(settings.store.store_dir)
    return None if gen is None else layout.read_manifest(gen)


def is_current(settings: Settings, abstracts: Sequence[Abstract]) -> bool:
    """Whether the store was built from exactly this corpus and these settings.

    A missing or damaged store is simply not current: building replaces it.
    """
    try:
        manifest = _current_manifest(settings)
    except StoreError:
        return False
    return bool(manifest) and manifest.get("fingerprint") == fingerprint(abstracts, settings)


def up_to_date_report(settings: Settings, abstracts: Sequence[Abstract]) -> BuildReport | None:
    """A no-op report when the store is current, so callers can skip loading the model."""
    if not is_current(settings, abstracts):
        return None
    manifest = _current_manifest(settings) or {}
    return BuildReport(
        False, len(abstracts), manifest.get("chunks", 0), manifest.get("sentences", 0), 0.0
    )


def tidy(settings: Settings) -> list[str]:
    """Delete the debris of killed builds, unless a build is running (it cleans up itself)."""
    if not settings.store.store_dir.is_dir():
        return []
    with layout.write_lock(settings.store.store_dir, wait=False) as locked:
        return layout.cleanup(settings.store.store_dir) if locked else []


def build_store(
    settings: Settings,
    abstracts: Sequence[Abstract],
    embedder: Embeddings,
    *,
    force: bool = False,
    progress: bool = True,
) -> BuildReport:
    """Build a new generation beside the serving one, verify it, and switch to it.

    Args:
        settings: where the store lives and how to chunk.
        abstracts: the corpus, from `load_corpus`.
        embedder: turns chunk and sentence texts into vectors (`embed_documents` only).
        force: rebuild even when the fingerprint matches, and re-embed every text.
        progress: show a progress bar on stderr.

    Returns:
        What was done, with counts, texts embedded and the time taken.

    Raises:
        StoreError: the new generation failed verification; the serving one is untouched.
    """
    started = time.perf_counter()
    path = settings.store.store_dir
    with layout.write_lock(path):
        layout.cleanup(path)  # debris of builds that were killed
        current = None if force else up_to_date_report(settings, abstracts)
        if current is not None:
            return current
        rows = _Rows.of(abstracts, settings)
        known = {} if force else _reusable_vectors(settings)
        vectors, embedded = _vectors(rows.texts, known, embedder, progress)
        _write_generation(path, settings, abstracts, rows, vectors, embedder)
    return BuildReport(
        True,
        len(abstracts),
        len(rows.chunks),
        len(rows.sentences),
        time.perf_counter() - started,
        embedded=embedded,
    )


@dataclass(frozen=True)
class _Rows:
    """What a generation stores: chunks, sentences, and (row id, text) of both, chunks first."""

    chunks: list[Chunk]
    sentences: list[tuple[str, int, Span]]  # (abstract id, index, span)
    texts: list[tuple[str, str]]

    @classmethod
    def of(cls, abstracts: Sequence[Abstract], settings: Settings) -> _Rows:
        s = settings.store
        enc = get_encoding(s.encoding)
        chunks = [
            c
            for a in abstracts
            for c in chunk_text(a.id, a.text, enc, s.chunk_tokens, s.chunk_overlap_tokens)
        ]
        sentences = [
            (a.id, i, sp) for a in abstracts for i, sp in enumerate(sentence_spans(a.text))
        ]
        text_of = {a.id: a.text for a in abstracts}
        texts = [(c.id, c.text) for c in chunks] + [
            (f"{aid}:s{i}", text_of[aid][sp.start : sp.end]) for aid, i, sp in sentences
        ]
        return cls(chunks, sentences, texts)


def _vectors(
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


def _write_generation(
    path: Path,
    settings: Settings,
    abstracts: Sequence[Abstract],
    rows: _Rows,
    vectors: np.ndarray,
    embedder: Embeddings,
) -> None:
    """Write, verify and switch to a new generation; on any failure it is deleted."""
    gen = layout.new_generation(path)
    try:
        chroma.write_collections(
            gen, rows.chunks, rows.sentences, rows.texts, vectors, embedder, abstracts
        )
        manifest = _manifest(settings, abstracts, rows.chunks, rows.sentences, vectors)
        layout.write_manifest(gen, manifest)
        chroma.verify(gen, len(rows.chunks), len(rows.sentences), embedder)
    except BaseException:
        shutil.rmtree(gen, ignore_errors=True)
        raise
    layout.switch_to(path, gen)
    layout.cleanup(path)  # the previous generation, unless a reader still pins it


def _reusable_vectors(settings: Settings) -> dict[str, tuple[str, np.ndarray]]:
    """Row id -> (text, vector) from the serving generation, if built the same way."""
    try:
        gen = layout.current_generation(settings.store.store_dir)
        manifest = layout.read_manifest(gen) if gen else None
        if not manifest or manifest.get("vector_key") != vector_key(settings):
            return {}
        return chroma.stored_vectors(gen)
    except StoreError:  # a damaged serving store: nothing to reuse, embed everything
        return {}


def _manifest(settings, abstracts, chunks, sentences, vectors) -> dict:
    return {
        "schema": SCHEMA,
        "fingerprint": fingerprint(abstracts, settings),
        "vector_key": vector_key(settings),
        "embedding_model": settings.store.embedding_model,
        "dimension": int(vectors.shape[1]) if len(vectors) else 0,
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "chunks": len(chunks),
        "sentences": len(sentences),
        "abstracts": [asdict(a) for a in abstracts],
    }


def _embed_all(texts: list[str], embedder: Embeddings, progress: bool) -> np.ndarray:
    from tqdm import tqdm

    out = []
    with tqdm(total=len(texts), desc="Embedding", unit="text", disable=not progress) as bar:
        for i in range(0, len(texts), _BATCH):
            batch = texts[i : i + _BATCH]
            out.extend(embedder.embed_documents(batch))
            bar.update(len(batch))
    return np.asarray(out, dtype=np.float32)


def open_store(settings: Settings, embedder: Embeddings) -> Store:
    """Open the serving generation, checked; StoreError with a remedy when it is not usable."""
    path = settings.store.store_dir
    gen, handle, manifest = _pin_current(path)
    try:
        _check(manifest, gen, settings)
        chroma.verify(gen, manifest.get("chunks", -1), manifest.get("sentences", -1), embedder)
        store = _read(gen, manifest, embedder)
    except BaseException:
        handle.close()
        raise
    return replace(store, path=path, pin=handle)


def _pin_current(path: Path) -> tuple[Path, IO, dict | None]:
    """The serving generation, pinned so no cleanup deletes it while we read, and its manifest."""
    for _ in range(3):  # a build may swap and clean up between reading CURRENT and pinning
        gen = layout.current_generation(path)
        if gen is None:
            if layout.has_legacy_layout(path):
                raise StoreError(
                    f"The store at {path} has the layout of an older version (chroma/ and "
                    "manifest.json, no CURRENT). Run `rag build` to rebuild it beside the old one."
                )
            raise StoreError(f"No store at {path}. Run `rag build` first.")
        try:
            handle = layout.pin(gen)
        except OSError:
            continue
        manifest = layout.read_manifest(gen)
        if manifest is not None or layout.current_generation(path) == gen:
            return gen, handle, manifest
        handle.close()
    raise StoreError(f"The store at {path} keeps changing under us. Try again.")


def _check(manifest: dict | None, gen: Path, settings: Settings) -> None:
    """StoreError unless the manifest describes a store this version can read with this model."""
    path, model = settings.store.store_dir, settings.store.embedding_model
    if manifest is None:
        raise StoreError(
            f"The store generation {gen} has no manifest (a damaged store). "
            "Run `rag build --force` to rebuild it."
        )
    if manifest.get("embedding_model") != model:
        raise StoreError(
            f"The store at {path} was built with {manifest.get('embedding_model')!r}, "
            f"not {model!r}. Run `rag build` to rebuild it."
        )
    if manifest.get("schema") != SCHEMA:
        raise StoreError(
            f"The store at {path} has schema {manifest.get('schema')}, this version reads "
            f"{SCHEMA}. Run `rag build --force` to rebuild it."
        )


def _read(gen: Path, manifest: dict, embedder: Embeddings) -> Store:
    """The generation's abstracts, chunks, sentence spans and sentence vectors, in memory."""
    abstracts = {
        a["id"]: Abstract(
            **{
                **a,
                "locations": tuple(Location(**loc) for loc in a["locations"]),
                "authors": tuple(a.get("authors", ())),
            }
        )
        for a in manifest["abstracts"]
    }
    chunk_col, got, sents = chroma.read_collections(gen, embedder)
    chunks = sorted(
        (
            Chunk(m["abstract_id"], m["index"], Span(m["start"], m["end"]), doc, m["tokens"])
            for doc, m in zip(got["documents"], got["metadatas"], strict=True)
        ),
        key=lambda c: (c.abstract_id, c.index),
    )
    rows: dict[str, list[tuple[int, Span, np.ndarray]]] = {}
    for m, v in zip(sents["metadatas"], sents["embeddings"], strict=True):
        rows.setdefault(m["abstract_id"], []).append(
            (m["index"], Span(m["start"], m["end"]), np.asarray(v, dtype=np.float32))
        )
    if set(rows) != set(abstracts):
        raise StoreError(
            f"The store generation {gen} lacks the sentences of "
            f"{len(set(abstracts) - set(rows))} abstracts (a damaged store). "
            "Run `rag build --force` to rebuild it."
        )
    for aid in rows:
        rows[aid].sort(key=lambda r: r[0])
    spans = {aid: [span for _, span, _ in r] for aid, r in rows.items()}
    vectors = {aid: np.stack([v for _, _, v in r]) for aid, r in rows.items()}
    return Store(gen.parent, abstracts, chunk_col, chunks, spans, vectors, gen)
