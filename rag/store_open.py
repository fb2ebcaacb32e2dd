"""Opening a store generation for reading, without writing a byte of it.

`open_store` opens the generation being served, checks it (manifest, counts, a probe),
and holds what retrieval needs: abstracts, chunks, sentence spans and vectors, and a
chunk `search`. A local generation is pinned and its vectors are memory-mapped from the
.npy files (`rag.store_vectors`); a generation in a Chroma server (`rag.store_server`)
is searched by the server, and its sentence vectors are fetched as answers need them.

Leaves out building and swapping generations (`rag.store`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import IO

import numpy as np
from langchain_core.embeddings import Embeddings

from rag import background, english, store_english, store_terms
from rag import store_chroma as chroma
from rag import store_layout as layout
from rag import store_server as server
from rag import store_vectors as vectors_io
from rag.bridge import BridgeTable
from rag.config import Settings
from rag.errors import StoreError
from rag.types import Abstract, Chunk, Location, Span

# 4: .npy vectors, rows.json (and terms.json) beside chroma/; 3: chunks carry their language;
# 2: generations + CURRENT; 1: flat chroma/ + manifest.json
SCHEMA = 4


@dataclass
class Store:
    """An opened, complete store, with what retrieval needs held in memory."""

    path: Path
    abstracts: dict[str, Abstract]
    # (query vector, n, language, scope=None) -> the n nearest chunks of that language
    # (only those in the `rag.scope.Scope`, if one is given) as (abstract id, cosine),
    # best first; the scope filters where the vectors are searched, not after
    search: Callable[..., list[tuple[str, float]]]
    chunks: list[Chunk]
    sentence_spans: dict[str, list[Span]]  # abstract id -> its sentences, in order
    sentence_vectors: dict[str, np.ndarray]  # abstract id -> (n_sentences, dim)
    generation: Path | None = None  # the gen-* folder opened; it stays while this is alive
    pin: IO | None = field(default=None, repr=False, compare=False)
    # Whether this is still the generation the store serves (one small read or request)
    still_served: Callable[[], bool] = field(default=lambda: True, repr=False, compare=False)
    terms: store_terms.Terms | None = None  # saved by the build; None: Index tokenizes
    bridge: BridgeTable | None = None  # saved by the build; None (an older store): `QA` makes it
    # The background questions' vectors (rag/background.py); None: `QA` embeds them
    background: dict[str, np.ndarray] | None = field(default=None, repr=False, compare=False)
    # The English model's vectors of `english.own_chunks` (rag/english.py); None: `QA` embeds
    english: np.ndarray | None = field(default=None, repr=False, compare=False)


def open_store(settings: Settings, embedder: Embeddings) -> Store:
    """Open the serving generation, checked; StoreError with a remedy when it is not usable."""
    if settings.store.chroma_url:
        return _open_in_server(settings, embedder)
    path = settings.store.store_dir
    gen, handle, manifest = _pin_current(path)
    try:
        _check(manifest, gen, settings)
        store = _read(gen, manifest)
    except BaseException:
        handle.close()
        raise

    def still_served() -> bool:
        return layout.current_generation(path) == gen

    return replace(
        store,
        path=path,
        pin=handle,
        still_served=still_served,
        terms=store_terms.read(gen),
        bridge=BridgeTable.load(gen),
        background=background.load(gen),
        english=english.load(gen, model, english.own_chunks(store.chunks, store.abstracts))
        if (model := settings.retrieval.english_model)
        else None,
    )


def _open_in_server(settings: Settings, embedder: Embeddings) -> Store:
    """The generation the server serves: rows from its manifest, search by the server."""
    url = settings.store.chroma_url
    db = server.connect(url)
    gen = server.call(url, server.current, db)
    if gen is None:
        raise StoreError(f"No store in the Chroma server at {url}. Run `rag build` first.")
    manifest = server.call(url, server.read_manifest, db, gen)
    _check(manifest, gen, settings)
    names = server.prefix(gen)
    chroma.verify(db, f"{gen} at {url}", manifest["chunks"], manifest["sentences"], embedder, names)
    abstracts = _abstracts(manifest)
    rows = manifest["rows"]
    counts: dict[str, int] = {}
    for aid, *_ in rows["sentences"]:
        counts[aid] = counts.get(aid, 0) + 1
    spans = {
        aid: [Span(s, e) for _, _, s, e in r]
        for aid, r in _sentence_rows(gen, abstracts, rows["sentences"]).items()
    }
    chunks, sentences = (
        server.call(url, db.get_collection, names + part)
        for part in (chroma.CHUNKS, chroma.SENTENCES)
    )
    pieces = _chunks(rows, abstracts)
    model = settings.retrieval.english_model
    return Store(
        settings.store.store_dir,
        abstracts,
        server.ServerSearch(chunks, url),
        pieces,
        spans,
        server.SentenceVectors(sentences, counts, url),
        still_served=lambda: server.call(url, server.current, db) == gen,
        terms=store_terms.decode(manifest.get("terms")),
        bridge=server.call(url, server.read_bridge, db, gen),
        english=english.ordered(
            server.call(url, store_english.read, db, gen, model),
            english.own_chunks(pieces, abstracts),
        )
        if model
        else None,
    )


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


def _check(manifest: dict | None, gen: Path | str, settings: Settings) -> None:
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


def _abstracts(manifest: dict) -> dict[str, Abstract]:
    """The manifest's abstracts, with their locations and metadata (title, authors, ...)."""
    return {
        a["id"]: Abstract(
            **{
                **a,
                "locations": tuple(Location(**loc) for loc in a["locations"]),
                "authors": tuple(a.get("authors", ())),
            }
        )
        for a in manifest["abstracts"]
    }


def _chunks(rows: dict, abstracts: dict[str, Abstract]) -> list[Chunk]:
    """The chunks of rows.json, ordered by abstract id and position."""
    chunks = []
    for aid, index, start, end, tokens in sorted(rows["chunks"], key=lambda r: r[:2]):
        chunks.append(Chunk(aid, index, Span(start, end), abstracts[aid].text[start:end], tokens))
    return chunks


def _read(gen: Path, manifest: dict) -> Store:
    """The generation's abstracts, chunks, sentence spans and vectors, mapped read-only."""
    abstracts = _abstracts(manifest)
    rows, chunk_vectors, sentence_vectors = vectors_io.read(
        gen, manifest["chunks"], manifest["sentences"]
    )
    chunks = _chunks(rows, abstracts)
    search = vectors_io.VectorSearch(
        chunk_vectors,
        [c[0] for c in rows["chunks"]],
        [abstracts[c[0]].language for c in rows["chunks"]],
        rows.get("papers", {}),  # none: no chunk has a year or authors
    )
    spans, vectors = _sentences(gen, abstracts, rows["sentences"], sentence_vectors)
    return Store(gen.parent, abstracts, search, chunks, spans, vectors, gen)


def _sentence_rows(gen, abstracts, rows) -> dict[str, list[tuple]]:
    """Abstract id -> its rows of rows.json's "sentences", in order; all abstracts have some."""
    by_abstract: dict[str, list[tuple]] = {}
    for r, row in enumerate(rows):
        by_abstract.setdefault(row[0], []).append((row[1], r, row[2], row[3]))
    if set(by_abstract) != set(abstracts):
        raise StoreError(
            f"The store generation {gen} lacks the sentences of "
            f"{len(set(abstracts) - set(by_abstract))} abstracts (a damaged store). "
            "Run `rag build --force` to rebuild it."
        )
    for found in by_abstract.values():
        found.sort()
    return by_abstract


def _sentences(gen, abstracts, rows, vectors) -> tuple[dict, dict]:
    """Abstract id -> its sentence spans in order, and -> their vectors (views, no copies)."""
    spans, out = {}, {}
    for aid, found in _sentence_rows(gen, abstracts, rows).items():
        spans[aid] = [Span(start, end) for _, _, start, end in found]
        numbers = [r for _, r, _, _ in found]
        contiguous = numbers == list(range(numbers[0], numbers[-1] + 1))
        out[aid] = vectors[numbers[0] : numbers[-1] + 1] if contiguous else vectors[numbers]
    return spans, out
