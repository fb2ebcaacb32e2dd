"""The Chroma side of one store generation: write its two collections and verify them.

A generation holds collection "chunks" (searched) and "sentences" (evidence), both in
cosine space, with our vectors passed in explicitly: in the generation's `chroma/` folder,
or in a Chroma server under a name prefix (`rag.store_server`). Only `rag build` opens a
local `chroma/`: embedded Chroma writes its files whenever a client opens them, so readers
load the .npy copies instead (`rag.store_vectors`). Leaves out choosing which generation
to use (`rag.store_layout`) and what the rows mean (`rag.store_write`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

import numpy as np
from langchain_core.embeddings import Embeddings

from rag.errors import StoreError
from rag.types import Abstract, Chunk, Span

CHUNKS = "chunks"
SENTENCES = "sentences"
REMEDY = "Run `rag build --force` to rebuild the store."
_ADD_BATCH = 4096  # rows per add(): under a Chroma server's request limits


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


@contextmanager
def local(gen: Path) -> Iterator:
    """A Chroma client on the generation's `chroma/` folder, telemetry off, closed after."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    db = chromadb.PersistentClient(
        path=str(gen / "chroma"),
        settings=ChromaSettings(anonymized_telemetry=False, allow_reset=False),
    )
    try:
        yield db
    finally:
        db.close()  # stops its system, so nothing of it writes once the build is done


def write_collections(
    db,
    chunks: Sequence[Chunk],
    sentences: Sequence[tuple[str, int, Span]],
    rows: Sequence[tuple[str, str]],
    vectors: np.ndarray,
    embedder: Embeddings,
    papers: Mapping[str, dict],
    prefix: str = "",
) -> None:
    """Create both collections; `rows`/`vectors` hold the chunks first, then the sentences.

    `papers` maps abstract id to its `paper_metadata`, which each chunk carries: its
    `language` ("en"/"zh": retrieval queries each language's chunks apart, against the
    same-language bias) and, when the corpus gives them, its `year` and `authors`, so a
    question's scope is a `where` filter that runs in the database. Both
    collections' names start with `prefix` (a generation's, in a server). Rows go in
    batches, as a server caps the size of one request.
    """
    function = ChromaEmbeddingFunction(embedder)
    space = {"hnsw": {"space": "cosine"}}
    n = len(chunks)
    chunk_metadatas = [
        {
            **papers[c.abstract_id],
            "abstract_id": c.abstract_id,
            "index": c.index,
            "start": c.span.start,
            "end": c.span.end,
            "tokens": c.n_tokens,
        }
        for c in chunks
    ]
    sentence_metadatas = [
        {"abstract_id": aid, "index": i, "start": s.start, "end": s.end} for aid, i, s in sentences
    ]
    parts = (
        (CHUNKS, slice(0, n), chunk_metadatas),
        (SENTENCES, slice(n, None), sentence_metadatas),
    )
    for name, part, metadatas in parts:
        collection = db.create_collection(
            prefix + name, embedding_function=function, configuration=space
        )
        ids, texts, vecs = [r for r, _ in rows[part]], [t for _, t in rows[part]], vectors[part]
        for i in range(0, len(ids), _ADD_BATCH):
            batch = slice(i, i + _ADD_BATCH)
            collection.add(
                ids=ids[batch],
                documents=texts[batch],
                embeddings=vecs[batch],
                metadatas=metadatas[batch],
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


def verify(
    db, where: str, chunks: int, sentences: int, embedder: Embeddings, prefix: str = ""
) -> None:
    """Counts match, and the first chunk's own vector finds that chunk: else StoreError.

    The probe reuses a stored vector rather than embedding a query, so it checks the index
    without a model call and holds for models whose query and document vectors differ.
    """
    damaged = f"The store generation {where} is damaged"
    try:
        function = ChromaEmbeddingFunction(embedder)
        chunk_col = db.get_collection(prefix + CHUNKS, embedding_function=function)
        counts = (chunk_col.count(), db.get_collection(prefix + SENTENCES).count())
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
