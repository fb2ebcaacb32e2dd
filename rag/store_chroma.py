"""The Chroma side of one store generation: write its two collections, verify, read back.

A generation's `chroma/` holds collection "chunks" (searched) and "sentences" (evidence),
both in cosine space, with our vectors passed in explicitly. Leaves out choosing which
generation to use (`rag.store_layout`) and what the rows mean (`rag.store`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from langchain_core.embeddings import Embeddings

from rag.errors import StoreError
from rag.types import Abstract, Chunk, Span

CHUNKS = "chunks"
SENTENCES = "sentences"
REMEDY = "Run `rag build --force` to rebuild the store."


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


def client(gen: Path):
    """A Chroma client on the generation's `chroma/` folder, telemetry off."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    return chromadb.PersistentClient(
        path=str(gen / "chroma"),
        settings=ChromaSettings(anonymized_telemetry=False, allow_reset=False),
    )


def stored_vectors(gen: Path) -> dict[str, tuple[str, np.ndarray]]:
    """Row id -> (text, vector) of every chunk and sentence in the generation."""
    known = {}
    try:
        db = client(gen)
        for name in (CHUNKS, SENTENCES):
            got = db.get_collection(name).get(include=["documents", "embeddings"])
            for rid, doc, vec in zip(got["ids"], got["documents"], got["embeddings"], strict=True):
                known[rid] = (doc, np.asarray(vec, dtype=np.float32))
    except Exception as err:  # chromadb raises its own errors, sqlite ones, or ValueError
        raise StoreError(f"The store generation {gen} cannot be read ({err}). {REMEDY}") from err
    return known


def write_collections(
    gen: Path,
    chunks: Sequence[Chunk],
    sentences: Sequence[tuple[str, int, Span]],
    rows: Sequence[tuple[str, str]],
    vectors: np.ndarray,
    embedder: Embeddings,
    abstracts: Sequence[Abstract],
) -> None:
    """Create both collections; `rows`/`vectors` hold the chunks first, then the sentences.

    Each chunk carries its abstract's `language` ("en"/"zh": retrieval queries each
    language's chunks apart, against the same-language bias) and, when the corpus gives
    them, its `year` and `authors` (see `paper_metadata`), so a question's scope is a
    `where` filter that runs in the database.
    """
    papers = {a.id: paper_metadata(a) for a in abstracts}
    db = client(gen)
    function = ChromaEmbeddingFunction(embedder)
    space = {"hnsw": {"space": "cosine"}}
    n = len(chunks)
    db.create_collection(CHUNKS, embedding_function=function, configuration=space).add(
        ids=[rid for rid, _ in rows[:n]],
        documents=[text for _, text in rows[:n]],
        embeddings=vectors[:n],
        metadatas=[
            {
                **papers[c.abstract_id],
                "abstract_id": c.abstract_id,
                "index": c.index,
                "start": c.span.start,
                "end": c.span.end,
                "tokens": c.n_tokens,
            }
            for c in chunks
        ],
    )
    db.create_collection(SENTENCES, embedding_function=function, configuration=space).add(
        ids=[rid for rid, _ in rows[n:]],
        documents=[text for _, text in rows[n:]],
        embeddings=vectors[n:],
        metadatas=[
            {"abstract_id": aid, "index": i, "start": s.start, "end": s.end}
            for aid, i, s in sentences
        ],
    )


def paper_metadata(abstract: Abstract) -> dict:
    """The chunk metadata a `where` filter reads: language, year, and the words of the
    authors' names, lower-cased, accents dropped ("Müller, Jörg" -> "muller", "jorg");
    keys are absent when the corpus has no such metadata (Chroma keeps no empty lists)."""
    out: dict = {"language": abstract.language}
    if abstract.year is not None:
        out["year"] = abstract.year
    words = author_words(abstract.authors)
    if words:
        out["authors"] = words
    return out


def author_words(authors: Sequence[str]) -> list[str]:
    """Every word of the authors' names, lower-cased and without accents, once each."""
    words = (w.casefold() for name in authors for w in re.findall(r"[^\W\d_][\w'-]*", plain(name)))
    return list(dict.fromkeys(words))


def plain(name: str) -> str:
    """The name without accents, so "Garcia" finds "García" and "Muller" finds "Müller"."""
    return "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c))


def verify(gen: Path, chunks: int, sentences: int, embedder: Embeddings) -> None:
    """Counts match, and the first chunk's own vector finds that chunk: else StoreError.

    The probe reuses a stored vector rather than embedding a query, so it checks the index
    without a model call and holds for models whose query and document vectors differ.
    """
    damaged = f"The store generation {gen} is damaged"
    try:
        db = client(gen)
        chunk_col = db.get_collection(CHUNKS, embedding_function=ChromaEmbeddingFunction(embedder))
        counts = (chunk_col.count(), db.get_collection(SENTENCES).count())
        if counts != (chunks, sentences):
            raise StoreError(
                f"{damaged}: it holds {counts[0]} chunks and {counts[1]} sentences, its "
                f"manifest says {chunks} and {sentences}. {REMEDY}"
            )
        if chunks:
            probe = chunk_col.get(limit=1, include=["embeddings"])
            found = chunk_col.query(
                query_embeddings=[probe["embeddings"][0]], n_results=min(5, chunks), include=[]
            )
            if probe["ids"][0] not in found["ids"][0]:
                raise StoreError(f"{damaged}: a probe query does not find its own chunk. {REMEDY}")
    except StoreError:
        raise
    except Exception as err:  # chromadb raises its own errors, sqlite ones, or ValueError
        raise StoreError(f"{damaged} ({type(err).__name__}: {err}). {REMEDY}") from err


def read_collections(gen: Path, embedder: Embeddings) -> tuple[object, dict, dict]:
    """(chunks collection, its documents + metadatas, sentence metadatas + embeddings)."""
    try:
        db = client(gen)
        function = ChromaEmbeddingFunction(embedder)
        chunk_col = db.get_collection(CHUNKS, embedding_function=function)
        got = chunk_col.get(include=["documents", "metadatas"])
        sents = db.get_collection(SENTENCES, embedding_function=function).get(
            include=["metadatas", "embeddings"]
        )
    except Exception as err:  # chromadb raises its own errors, sqlite ones, or ValueError
        raise StoreError(
            f"The store generation {gen} cannot be read ({type(err).__name__}: {err}). {REMEDY}"
        ) from err
    return chunk_col, got, sents
