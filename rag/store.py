"""The persisted store: a Chroma database of chunk and sentence embeddings, plus a manifest.

Layout of `store_dir`:
    chroma/        Chroma's files: collection "chunks" (searched) and "sentences" (evidence)
    manifest.json  fingerprint of corpus + settings, and the abstracts with all locations
    .lock          held while a build writes, so two builds never interleave

The manifest is written last, so a store whose manifest matches the fingerprint is
complete; anything else is rebuilt. Leaves out incremental re-embedding and building
beside a serving store: a rebuild replaces the collections in place.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
from langchain_core.embeddings import Embeddings

from rag.chunking import chunk_text, get_encoding, sentence_spans
from rag.config import Settings
from rag.errors import StoreError
from rag.types import Abstract, Chunk, Location, Span

os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

SCHEMA = 2  # bump when the layout changes: an older store is then rebuilt
CHUNKS = "chunks"
SENTENCES = "sentences"
_BATCH = 32


class ChromaEmbeddingFunction:
    """Our LangChain embedder as a Chroma embedding function.

    Chroma would otherwise fall back to its default function, which downloads a model.
    We pass embeddings explicitly on every call, so this only guards that path.
    """

    def __init__(self, embedder: Embeddings) -> None:
        self._embedder = embedder

    def __call__(self, input: Sequence[str]) -> list[np.ndarray]:  # noqa: A002 (Chroma's name)
        return [
            np.asarray(v, dtype=np.float32) for v in self._embedder.embed_documents(list(input))
        ]

    @staticmethod
    def name() -> str:
        return "abstracts-qa"

    def get_config(self) -> dict:
        return {}

    def is_legacy(self) -> bool:
        return False


def fingerprint(abstracts: Sequence[Abstract], settings: Settings) -> str:
    """A hash of everything the stored vectors depend on: change any of it and we rebuild."""
    h = hashlib.sha256()
    h.update(
        json.dumps(
            {
                "schema": SCHEMA,
                "model": settings.embedding_model,
                "encoding": settings.encoding,
                "chunk_tokens": settings.chunk_tokens,
                "overlap": settings.chunk_overlap_tokens,
            },
            sort_keys=True,
        ).encode()
    )
    for a in abstracts:
        h.update(a.id.encode())
        h.update(a.text.encode())
        h.update("|".join(str(loc) for loc in a.locations).encode())
    return h.hexdigest()


@dataclass(frozen=True)
class BuildReport:
    """What `build_store` did, for the CLI to print."""

    rebuilt: bool
    abstracts: int
    chunks: int
    sentences: int
    seconds: float


@dataclass
class Store:
    """An opened, complete store, with what retrieval needs held in memory."""

    path: Path
    abstracts: dict[str, Abstract]
    chunks_collection: object  # chromadb Collection
    chunks: list[Chunk]
    sentence_spans: dict[str, list[Span]]  # abstract id -> its sentences, in order
    sentence_vectors: dict[str, np.ndarray]  # abstract id -> (n_sentences, dim)


def _client(path: Path):
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    return chromadb.PersistentClient(
        path=str(path / "chroma"),
        settings=ChromaSettings(anonymized_telemetry=False, allow_reset=False),
    )


@contextmanager
def _write_lock(path: Path) -> Iterator[None]:
    """Hold the store's lock; a second writer waits for the first."""
    path.mkdir(parents=True, exist_ok=True)
    with open(path / ".lock", "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            print(f"Another build is writing {path}; waiting for it to finish…", flush=True)
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _read_manifest(path: Path) -> dict | None:
    try:
        return json.loads((path / "manifest.json").read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as err:
        raise StoreError(
            f"The store manifest {path / 'manifest.json'} is unreadable ({err}). "
            "Run `rag build --force` to rebuild the store."
        ) from err


def is_current(settings: Settings, abstracts: Sequence[Abstract]) -> bool:
    """Whether the store at `settings.store_dir` was built from exactly this corpus and settings."""
    manifest = _read_manifest(settings.store_dir)
    return bool(manifest) and manifest.get("fingerprint") == fingerprint(abstracts, settings)


def up_to_date_report(settings: Settings, abstracts: Sequence[Abstract]) -> BuildReport | None:
    """A no-op report when the store is current, so callers can skip loading the model."""
    if not is_current(settings, abstracts):
        return None
    manifest = _read_manifest(settings.store_dir) or {}
    return BuildReport(
        False, len(abstracts), manifest.get("chunks", 0), manifest.get("sentences", 0), 0.0
    )


def build_store(
    settings: Settings,
    abstracts: Sequence[Abstract],
    embedder: Embeddings,
    *,
    force: bool = False,
    progress: bool = True,
) -> BuildReport:
    """Embed the corpus into the store, unless it already holds exactly this corpus.

    Args:
        settings: where the store lives and how to chunk.
        abstracts: the corpus, from `load_corpus`.
        embedder: turns chunk and sentence texts into vectors.
        force: rebuild even when the fingerprint matches.
        progress: show a progress bar on stderr.

    Returns:
        What was done, with counts and the time taken.
    """
    started = time.perf_counter()
    path = settings.store_dir
    with _write_lock(path):
        current = None if force else up_to_date_report(settings, abstracts)
        if current is not None:
            return current
        enc = get_encoding(settings.encoding)
        chunks = [
            c
            for a in abstracts
            for c in chunk_text(
                a.id, a.text, enc, settings.chunk_tokens, settings.chunk_overlap_tokens
            )
        ]
        sentences = [(a.id, i, s) for a in abstracts for i, s in enumerate(sentence_spans(a.text))]
        texts = {a.id: a.text for a in abstracts}
        languages = {a.id: a.language for a in abstracts}
        sentence_texts = [texts[aid][s.start : s.end] for aid, _, s in sentences]
        vectors = _embed_all([c.text for c in chunks] + sentence_texts, embedder, progress)

        (path / "manifest.json").unlink(missing_ok=True)  # incomplete from here until written
        client = _client(path)
        function = ChromaEmbeddingFunction(embedder)
        for name in (CHUNKS, SENTENCES):
            if name in {c.name for c in client.list_collections()}:
                client.delete_collection(name)
        space = {"hnsw": {"space": "cosine"}}
        chunk_col = client.create_collection(
            CHUNKS, embedding_function=function, configuration=space
        )
        sentence_col = client.create_collection(
            SENTENCES, embedding_function=function, configuration=space
        )
        chunk_col.add(
            ids=[c.id for c in chunks],
            documents=[c.text for c in chunks],
            embeddings=vectors[: len(chunks)],
            metadatas=[
                {
                    "abstract_id": c.abstract_id,
                    "language": languages[c.abstract_id],  # retrieval searches each language
                    "index": c.index,
                    "start": c.span.start,
                    "end": c.span.end,
                    "tokens": c.n_tokens,
                }
                for c in chunks
            ],
        )
        sentence_col.add(
            ids=[f"{aid}:s{i}" for aid, i, _ in sentences],
            documents=sentence_texts,
            embeddings=vectors[len(chunks) :],
            metadatas=[
                {"abstract_id": aid, "index": i, "start": s.start, "end": s.end}
                for aid, i, s in sentences
            ],
        )
        manifest = {
            "schema": SCHEMA,
            "fingerprint": fingerprint(abstracts, settings),
            "embedding_model": settings.embedding_model,
            "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "chunks": len(chunks),
            "sentences": len(sentences),
            "abstracts": [asdict(a) for a in abstracts],
        }
        tmp = path / "manifest.json.tmp"
        tmp.write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
        os.replace(tmp, path / "manifest.json")
    return BuildReport(
        True, len(abstracts), len(chunks), len(sentences), time.perf_counter() - started
    )


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
    """Open a complete store built with these settings; it must exist (see `build_store`)."""
    path = settings.store_dir
    manifest = _read_manifest(path)
    if manifest is None:
        raise StoreError(f"No store at {path}. Run `rag build` first.")
    if manifest.get("embedding_model") != settings.embedding_model:
        raise StoreError(
            f"The store at {path} was built with {manifest.get('embedding_model')!r}, "
            f"not {settings.embedding_model!r}. Run `rag build` to rebuild it."
        )
    abstracts = {
        a["id"]: Abstract(
            a["id"], a["text"], a["language"], tuple(Location(**loc) for loc in a["locations"])
        )
        for a in manifest["abstracts"]
    }
    try:
        client = _client(path)
        function = ChromaEmbeddingFunction(embedder)
        chunk_col = client.get_collection(CHUNKS, embedding_function=function)
        got = chunk_col.get(include=["documents", "metadatas"])
        sentence_col = client.get_collection(SENTENCES, embedding_function=function)
        sents = sentence_col.get(include=["metadatas", "embeddings"])
    except Exception as err:  # chromadb raises its own errors, sqlite ones, or ValueError
        raise StoreError(
            f"The store at {path} cannot be read ({type(err).__name__}: {err}). "
            "Run `rag build --force` to rebuild it."
        ) from err
    chunks = sorted(
        (
            Chunk(m["abstract_id"], m["index"], Span(m["start"], m["end"]), doc, m["tokens"])
            for doc, m in zip(got["documents"], got["metadatas"], strict=True)
        ),
        key=lambda c: (c.abstract_id, c.index),
    )
    order: dict[str, list[tuple[int, Span, np.ndarray]]] = {}
    for m, v in zip(sents["metadatas"], sents["embeddings"], strict=True):
        order.setdefault(m["abstract_id"], []).append(
            (m["index"], Span(m["start"], m["end"]), np.asarray(v, dtype=np.float32))
        )
    spans = {
        aid: [s for _, s, _ in sorted(rows, key=lambda r: r[0])] for aid, rows in order.items()
    }
    vectors = {
        aid: np.stack([v for _, _, v in sorted(rows, key=lambda r: r[0])])
        for aid, rows in order.items()
    }
    return Store(path, abstracts, chunk_col, chunks, spans, vectors)
