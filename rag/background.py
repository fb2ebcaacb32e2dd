"""The background: everyday questions the corpus is not about, to tell when a question is
off the corpus's subject although it shares a word with an abstract.

"What's the best way to distill whiskey at home?" shares *distill* with the dataset-
distillation abstract, and to the embedder the two are close (cosine 0.82, above many
right answers): neither the dense margin nor the lexical coverage tells a homonym from a
paraphrase. What does tell them apart is a comparison. Next to 800 ordinary questions
(cooking, health, travel, law, games, …: `rag/data/background.tsv`, half in English and
half in Chinese, written by two people who saw neither the code nor the evaluation
questions; the second was asked to favour everyday senses of words that are also jargon,
such as the long tail of a shop or a backdoor listing), the whiskey question lies nearer
to one of them than to any abstract. So a question is
off the subject when its nearest background question is closer, by `background_margin`,
than its best abstract; then no abstract is relevant on its scores (a paper the question
names still is). The background is the same for every corpus: a corpus about medicine
keeps its medical questions, because its abstracts are nearer still.

Cosines across languages run lower (`min_dense_same` - `min_dense_cross`), so an
abstract in the other language gets that much added before the comparison.

The background texts are embedded as passages, like the corpus's chunks, by `rag build`
and saved with a local store (`background.npz`); a Chroma server's readers embed them
when they start (about two seconds with the bundled model).

Leaves out questions on a subject close to the corpus's that no abstract answers ("What
is a transformer?"): those are nearer the corpus than any everyday question.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np
from langchain_core.embeddings import Embeddings

FILE = "background.npz"


@lru_cache(maxsize=1)
def texts() -> tuple[str, ...]:
    """The background questions shipped with the package (`lang<TAB>domain<TAB>question`)."""
    path = resources.files("rag") / "data" / "background.tsv"
    rows = (line.split("\t") for line in path.read_text(encoding="utf-8").splitlines())
    return tuple(row[2].strip() for row in rows if len(row) == 3 and row[2].strip())


def version() -> str:
    """A hash of the questions: part of the store's fingerprint, so new ones are embedded."""
    return hashlib.sha256("\n".join(texts()).encode()).hexdigest()[:16]


def embed(embedder: Embeddings) -> np.ndarray:
    """The background questions' unit vectors, embedded as passages like the chunks."""
    vectors = np.asarray(embedder.embed_documents(list(texts())), dtype=np.float32)
    return vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)


def save(folder: Path, vectors: np.ndarray) -> None:
    np.savez(folder / FILE, vectors=vectors.astype(np.float16), version=np.array(version()))


def load(folder: Path) -> np.ndarray | None:
    """The vectors a build saved with the generation; None when it has none, or has those
    of other background questions (a store built by another version: `QA` embeds them)."""
    try:
        with np.load(folder / FILE) as data:
            if str(data["version"]) != version():
                return None
            return data["vectors"].astype(np.float32)
    except (OSError, KeyError, ValueError):
        return None


class Background:
    """Tells whether a question is nearer to everyday questions than to the corpus."""

    def __init__(self, vectors: np.ndarray, margin: float, cross_language: float) -> None:
        """`margin`: how much nearer the background must be; `cross_language`: what an
        abstract in the other language has added to its cosine before the comparison."""
        self.vectors = vectors
        self.margin = margin
        self.cross_language = cross_language

    def nearest(self, vector: Sequence[float]) -> float:
        """The cosine of the question's nearest background question."""
        v = np.asarray(vector, dtype=np.float32)
        v = v / max(float(np.linalg.norm(v)), 1e-12)
        return float((self.vectors @ v).max()) if len(self.vectors) else -1.0

    def off_subject(self, vector: Sequence[float], best: Sequence[tuple[float, bool]]) -> bool:
        """Whether the question is off the corpus's subject. `best`: each candidate
        abstract's cosine, and whether it is in the question's language."""
        if not best:
            return False
        corpus = max(d + (0.0 if same else self.cross_language) for d, same in best)
        return self.nearest(vector) - corpus >= self.margin
