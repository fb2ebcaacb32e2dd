"""A second opinion for English questions on English abstracts, from an English-only
embedder (all-MiniLM-L6-v2 by default).

The multilingual embedder puts an English question near a Chinese abstract about the same
thing, which no English-only model can, but it is the weaker of the two on a same-language
paraphrase that shares few words with its abstract ("Is there a model that scores how
good a photo looks without a reference image?" for the no-reference image quality paper):
on the dev split, the LangChain tutorial's plain all-MiniLM-L6-v2 search found 98% of
the paraphrases in its top 5, we found 94%, and refused 25 of 198. So an English
question is also embedded by the English model and compared with the English chunks:

- ranking: an English abstract's dense z-score is the mean of the two models' z-scores
  (each among its own best `fetch_k` English chunks), so neither model's quirks decide
  alone. The mean of two z-scores that do not fully agree spreads a little less than
  one, so next to Chinese abstracts (the multilingual z alone) the English ones lose a
  little: on dev, English questions about Chinese abstracts were found as before;
- relevance: an English abstract the English model puts `english_z` standard deviations
  above the other candidates, at a cosine of at least `min_english_dense`, is relevant at
  the smaller `min_margin_concept` of the multilingual model.

Chinese questions and Chinese abstracts are left to the multilingual model alone. The
English abstracts' chunks are embedded by `rag build` and saved with the store (`english.npz`, or a
collection in a Chroma server), and reused by the next build for chunks whose text is
unchanged.

Leaves out the sentences of an answer (chosen with the multilingual model: averaging the
English model in there quoted 4 fewer dev facts), any Chinese-only model (none ships on
PyPI), and saving vectors batch by batch: a killed build embeds them all again.
"""

from __future__ import annotations

import hashlib
import threading
import weakref
import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
from langchain_core.embeddings import Embeddings

from rag.store_vectors import normalised
from rag.types import Abstract, Chunk

FILE = "english.npz"


def own_chunks(chunks: Sequence[Chunk], abstracts: Mapping[str, Abstract]) -> list[Chunk]:
    """The chunks of the English abstracts, in store order: the rows the vectors are for."""
    return [c for c in chunks if abstracts[c.abstract_id].language == "en"]


def embed(
    embedder: Embeddings, chunks: Sequence[Chunk], known: Mapping[str, np.ndarray] | None = None
) -> np.ndarray:
    """Unit vectors of the chunks, one row each; `known` (`key` of a text -> its vector,
    from `known_vectors`) is reused, the other texts are embedded."""
    vectors = dict(known or {})
    todo = sorted({c.text for c in chunks if key(c.text) not in vectors})
    if todo:
        fresh = np.asarray(embedder.embed_documents(todo), dtype=np.float32)
        vectors.update(zip(map(key, todo), fresh, strict=True))
    if not chunks:
        return np.zeros((0, 0), dtype=np.float32)
    return normalised(np.stack([np.asarray(vectors[key(c.text)]) for c in chunks]))


def key(text: str) -> str:
    """What a chunk's vector is saved under: a hash of its text."""
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def save(folder: Path, model: str, chunks: Sequence[Chunk], vectors: np.ndarray) -> None:
    """The vectors, each under a hash of its chunk's text (no pickled strings to load)."""
    np.savez(
        folder / FILE,
        model=np.array(model),
        keys=np.array([key(c.text) for c in chunks]),
        vectors=vectors.astype(np.float16),
    )


def load(folder: Path, model: str, chunks: Sequence[Chunk]) -> np.ndarray | None:
    """The vectors a build saved in `folder`, in the order of `chunks`; None when there
    are none, they are another model's or another corpus's, or the file is damaged."""
    return ordered(known_vectors(folder, model), chunks)


def ordered(known: Mapping[str, np.ndarray] | None, chunks: Sequence[Chunk]) -> np.ndarray | None:
    """The vectors of `chunks`, one row each, from those saved by `key`; None unless
    every chunk has one."""
    keys = [key(c.text) for c in chunks]
    if not known or not keys or any(k not in known for k in keys):
        return None
    return np.stack([np.asarray(known[k], dtype=np.float32) for k in keys])


def known_vectors(folder: Path, model: str) -> dict[str, np.ndarray] | None:
    """`key` of a chunk's text -> its vector, saved in `folder` by this model."""
    try:
        with np.load(folder / FILE) as data:
            if str(data["model"]) != model:
                return None
            keys, vectors = data["keys"], data["vectors"].astype(np.float32)
            return dict(zip((str(k) for k in keys), vectors, strict=True))
    except (OSError, KeyError, ValueError, EOFError, zipfile.BadZipFile):  # damaged: re-embed
        return None


# Per (embedder object, chunk texts), forgotten with the embedder.
_embedded: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_embedded_lock = threading.Lock()


def embedded(embedder: Embeddings, chunks: Sequence[Chunk]) -> np.ndarray:
    """`embed`, once per embedder and corpus in this process: for a store whose saved
    vectors are missing, damaged or another model's."""
    key_of_corpus = hash(tuple(c.text for c in chunks))
    with _embedded_lock:
        cache = _embedded.setdefault(embedder, {})
        if key_of_corpus not in cache:
            cache.clear()  # only the corpus being served is kept
            cache[key_of_corpus] = embed(embedder, chunks)
        return cache[key_of_corpus]


class EnglishOpinion:
    """The English model's scores of the English abstracts for an English question."""

    def __init__(self, embedder: Embeddings, chunks: Sequence[Chunk], vectors: np.ndarray) -> None:
        """Args:
        embedder: the English model the vectors were made with.
        chunks: the English abstracts' chunks (`own_chunks`).
        vectors: their unit vectors, one row per chunk.
        """
        self.embedder = embedder
        self.vectors = vectors
        self.owners = [c.abstract_id for c in chunks]

    def scores(
        self, question: str, fetch_k: int, allowed: set[str] | None = None
    ) -> dict[str, tuple[float, float]]:
        """Abstract id -> (best chunk cosine, z-score among the abstracts of the best
        `fetch_k` chunks), for the English abstracts in `allowed` (None: all)."""
        if not len(self.owners):
            return {}
        q = np.asarray(self.embedder.embed_query(question), dtype=np.float32)
        cosines = self.vectors @ (q / max(float(np.linalg.norm(q)), 1e-12))
        best: dict[str, float] = {}
        for i in np.argsort(-cosines):
            aid = self.owners[i]
            if allowed is not None and aid not in allowed:
                continue
            if aid not in best:
                best[aid] = float(cosines[i])
            fetch_k -= 1
            if fetch_k <= 0:
                break
        if not best:  # a scope that admits no English abstract
            return {}
        values = np.fromiter(best.values(), dtype=np.float64)
        mean, std = float(values.mean()), float(values.std()) or 1.0
        return {aid: (c, (c - mean) / std) for aid, c in best.items()}
