"""The store: Chroma collections of chunk and sentence embeddings, built beside and swapped in.

A store is a series of generations (see `rag.store_layout` for the files), in store_dir
or, with RAG_CHROMA_URL, in a Chroma server (`rag.store_server`). A local one holds
    chroma/           collection "chunks" (searched) and "sentences" (evidence), cosine
    *.npy, rows.json  the same vectors and rows, which readers map read-only
                      (`rag.store_vectors`): only the build ever opens chroma/
    terms.json        every chunk, abstract and sentence tokenized (`rag.store_terms`)
    bridge.npz        the corpus's words embedded, for the bilingual bridge (`rag.bridge`;
                      in a Chroma server, a collection of its own)
    background.npz    everyday questions and instructions embedded, to tell off-subject ones
                      (`rag.background`; a server's readers embed them at start)
    english.npz       the chunks embedded by the English model (`rag.english`; in a
                      Chroma server, a collection of its own)
    manifest.json     fingerprint of corpus + settings, counts, and every abstract with
                      its locations and metadata (title, authors, year, url); written
                      last, so a generation with one is complete

A build reuses the vectors of unchanged abstracts from the serving generation (the id is
a hash of the text, so same id and same chunking settings and model mean same vectors),
and those an unfinished build saved (`rag.store_resume`), embeds only the rest, saving
each batch as it goes, writes a new generation, verifies it (counts, and a probe query that
must find its own chunk), and only then switches CURRENT to it. Opening checks the same
things, so a damaged store fails at once with a remedy instead of answering wrongly.
Opening writes nothing: every file of the generation being served stays byte-identical.

Opening for reading is `rag.store_open` (re-exported here); where each vector of a new
generation comes from is `rag.store_embed`; writing, verifying and swapping it in is
`rag.store_write`. Leaves out deleting single abstracts in place: every build writes a
whole generation, which for a corpus of thousands of abstracts is still seconds of
copying, not embedding.
"""

from __future__ import annotations

import hashlib
import json
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import closing, contextmanager
from dataclasses import asdict, dataclass

import numpy as np
from langchain_core.embeddings import Embeddings

from rag import background, bridge, store_english, store_terms
from rag import store_embed as embed
from rag import store_layout as layout
from rag import store_server as server
from rag import store_server_lock as server_lock
from rag.bridge import BridgeTable, table_terms
from rag.config import Settings, vector_settings
from rag.errors import StoreError
from rag.store_open import SCHEMA, Store, open_store
from rag.store_resume import SavedVectors
from rag.store_write import Rows, write_generation, write_to_server
from rag.types import Abstract

_Rows = Rows  # the name tests/test_e5_runtime.py and benchmarks/build_speed.py import

__all__ = ["SCHEMA", "BuildReport", "Store", "build_store", "is_current", "open_store", "tidy"]


def vector_key(settings: Settings) -> str:
    """What a vector depends on besides its text: reuse a vector only when this matches.

    Made from the settings fields marked `affects_vectors` (rag/config.py), so a new such
    field takes part without anyone remembering to add it here.
    """
    return json.dumps({"schema": SCHEMA, **vector_settings(settings)}, sort_keys=True)


def fingerprint(abstracts: Sequence[Abstract], settings: Settings) -> str:
    """A hash of everything the stored vectors depend on: change any of it and we rebuild."""
    h = hashlib.sha256(vector_key(settings).encode())
    h.update(store_terms.key().encode())  # a new tokenizer rewrites the saved terms
    h.update(f"bridge {bridge.VERSION}".encode())
    h.update(f"background {background.version()}".encode())  # new questions: embed them
    h.update(f"english {settings.retrieval.english_model}".encode())  # rag/english.py
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
    resumed: int = 0  # ... or from the vectors an unfinished build saved (`rag.store_resume`)
    skipped: tuple[tuple[str, str], ...] = ()  # (file or file:line, reason) of what was left out
    words: int = 0  # corpus words embedded for the bilingual bridge (`rag.bridge`), not reused
    examples: int = 0  # background questions embedded (`rag.background`), not reused
    english: int = 0  # chunk texts embedded by the English model (`rag.english`), not reused


def _current_manifest(settings: Settings) -> dict | None:
    if settings.store.chroma_url:
        db = server.connect(settings.store.chroma_url)
        gen = server.current(db)
        return None if gen is None else server.read_manifest(db, gen)
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
    if settings.store.chroma_url or not settings.store.store_dir.is_dir():
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
    with _writing(settings) as lock:
        current = None if force else up_to_date_report(settings, abstracts)
        if current is not None:
            return current
        rows = Rows.of(abstracts, settings)
        fresh = 0  # background questions embedded, not reused
        saved = SavedVectors.of(settings, vector_key(settings))
        if force:  # trusts nothing stored, not even what an unfinished build saved
            saved.discard()
        known = {} if force else _reusable_vectors(settings)
        with closing(saved):
            vectors, embedded, resumed = embed.vectors_for(
                rows.texts, known, embedder, progress, saved
            )
        manifest = _manifest(settings, abstracts, rows.chunks, rows.sentences, vectors)
        _phase(progress, f"Tokenizing {len(rows.texts):,} texts for keyword search")
        terms = rows.terms(abstracts)
        words = table_terms(terms.abstracts)
        _phase(progress, f"Embedding the corpus's words for the bilingual bridge ({len(words):,})")
        table = BridgeTable.build(
            embedder, words, known=None if force else _reusable_bridge(settings)
        )
        parts = (abstracts, rows, vectors, embedder, manifest, terms)
        writing = f"Writing and verifying the new generation ({len(rows.chunks):,} chunks)"
        english_part, english_fresh = store_english.for_build(
            settings, rows.chunks, {a.id: a for a in abstracts}, force, progress
        )
        if settings.store.chroma_url:
            _phase(progress, writing)
            write_to_server(settings.store.chroma_url, lock, *parts, table, english_part)
        else:  # a server's readers embed the background questions when they start
            examples = None if force else _reusable_background(settings)
            if examples is None:
                count = sum(len(background.texts(name)) for name in background.SETS)
                _phase(progress, f"Embedding {count} background questions and instructions")
                examples = background.embed(embedder)
                fresh = count
            _phase(progress, writing)
            write_generation(settings.store.store_dir, *parts, table, examples, english_part)
        saved.discard()  # the generation served holds them now
    return BuildReport(
        True,
        len(abstracts),
        len(rows.chunks),
        len(rows.sentences),
        time.perf_counter() - started,
        embedded=embedded,
        resumed=resumed,
        words=table.fresh,
        examples=fresh,
        english=english_fresh,
    )


def _phase(progress: bool, what: str) -> None:
    """A line on stderr for the steps after embedding: at 10,000 abstracts they take
    minutes, and a bar that has reached 100% and then says nothing looks hung."""
    if progress:
        print(f"{what}…", file=sys.stderr, flush=True)


@contextmanager
def _writing(settings: Settings) -> Iterator[server_lock.ServerLock | None]:
    """Hold the lock of the one build allowed to write: locally the store's flock (then
    clear the debris of killed builds), in server mode the server's own lock."""
    s = settings.store
    if s.chroma_url:
        with server_lock.hold(s.chroma_url, s.chroma_lock_timeout) as lock:
            yield lock
        return
    with layout.write_lock(s.store_dir):
        layout.cleanup(s.store_dir)
        yield None


def _reusable_vectors(settings: Settings) -> dict[str, tuple[str, np.ndarray]]:
    """Row id -> (text, vector) from the serving generation, if built the same way."""
    try:
        manifest = _current_manifest(settings)
        if not manifest or manifest.get("vector_key") != vector_key(settings):
            return {}
        return embed.served_vectors(settings, manifest)
    except StoreError:  # a damaged serving store: nothing to reuse, embed everything
        return {}


def _reusable_bridge(settings: Settings) -> BridgeTable | None:
    """The bridge's word vectors of the serving generation, if built with the same model."""
    try:
        manifest = _current_manifest(settings)
        if not manifest or manifest.get("vector_key") != vector_key(settings):
            return None
        if settings.store.chroma_url:
            db = server.connect(settings.store.chroma_url)
            gen = server.current(db)
            return None if gen is None else server.read_bridge(db, gen)
        gen = layout.current_generation(settings.store.store_dir)
    except StoreError:
        return None
    return None if gen is None else BridgeTable.load(gen)


def _reusable_background(settings: Settings) -> dict[str, np.ndarray] | None:
    """The background questions' vectors of the serving generation, if built with the
    same model and the same questions."""
    try:
        manifest = _current_manifest(settings)
        if not manifest or manifest.get("vector_key") != vector_key(settings):
            return None
        gen = layout.current_generation(settings.store.store_dir)
    except StoreError:
        return None
    return None if gen is None else background.load(gen)


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
