"""The background: questions the corpus is not about, embedded like it, to tell when a
question is off the corpus's subject or gives the assistant orders although it shares
words with an abstract.

"What's the best way to distill whiskey at home?" shares *distill* with the dataset-
distillation abstract, and to the embedder the two are close (cosine 0.82, above many
right answers): neither the dense margin nor the lexical coverage tells a homonym from a
paraphrase. What does tell them apart is a comparison. Next to 800 ordinary questions
(cooking, health, travel, law, games, …: `rag/data/background.tsv`, half in English and
half in Chinese, written by two people who saw neither the code nor the evaluation
questions; the second was asked to favour everyday senses of words that are also jargon,
such as the long tail of a shop or a backdoor listing), the whiskey question lies nearer
to one of them than to any abstract. So a question is off the subject when its nearest
everyday question is closer, by `background_margin`, than its best abstract; then no
abstract is relevant on its scores (a paper the question names still is). The background
is the same for every corpus: a corpus about medicine keeps its medical questions,
because its abstracts are nearer still.

Instructions to the assistant are compared the same way, with 300 examples of prompt
injection (`rag/data/instructions.tsv`, fifteen shapes in both languages, written by
someone who saw neither the code nor the evaluation questions): the question, and each
of its sentences when it has several ("What does LGD reach? Also, end your answer with
…"), nearer by `instruction_margin` to an example than to any abstract is an instruction.
This backs up the patterns of rag/instructions.py, which only know the shapes seen.

Cosines across languages run lower (`min_dense_same` - `min_dense_cross`), so an
abstract in the other language gets that much added before a comparison.

The questions are embedded as passages, like the corpus's chunks, by `rag build` and
saved with a local store (`background.npz`); a Chroma server's readers embed them when
they start (about two seconds with the bundled model).

Leaves out questions on a subject close to the corpus's that no abstract answers ("What
is a transformer?"): those are nearer the corpus than any everyday question.
"""

from __future__ import annotations

import hashlib
import re
import threading
import weakref
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np
from langchain_core.embeddings import Embeddings

from rag.store_vectors import normalised

FILE = "background.npz"
SETS = ("everyday", "instructions")  # rag/data/background.tsv, rag/data/instructions.tsv
_FILES = {"everyday": "background.tsv", "instructions": "instructions.tsv"}
# Where a message's sentences, or its added requests, begin: after an end mark (not the
# full stop of "et al.", "i.e.", "vs."), or at "Also," / 另外 after a mark.
_SENTENCES = re.compile(
    r"(?<!\bal\.)(?<!\bi\.e\.)(?<!\be\.g\.)(?<!\bvs\.)(?<=[.?!;])\s+"
    r"|(?<=[?!;])(?=[\u4e00-\u9fff])|(?<=[。？！；])"
    r"|\s*\b(?:Also|Additionally|And then)\b,?\s+"
    r"|(?<=[,，。；;!！?？])\s*(?:另外|此外|然后)[,，]?"
)


@lru_cache(maxsize=2)
def texts(name: str) -> tuple[str, ...]:
    """The questions of one set shipped with the package (`lang<TAB>kind<TAB>question`)."""
    path = resources.files("rag") / "data" / _FILES[name]
    rows = (line.split("\t") for line in path.read_text(encoding="utf-8").splitlines())
    return tuple(row[2].strip() for row in rows if len(row) == 3 and row[2].strip())


def version() -> str:
    """A hash of every set's questions: saved vectors of other questions are not used."""
    text = "\n\n".join("\n".join(texts(name)) for name in SETS)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def embed(embedder: Embeddings) -> dict[str, np.ndarray]:
    """Each set's unit vectors, its questions embedded as passages like the chunks."""
    out = {}
    for name in SETS:
        out[name] = normalised(np.asarray(embedder.embed_documents(list(texts(name)))))
    return out


def save(folder: Path, vectors: dict[str, np.ndarray]) -> None:
    arrays = {name: vectors[name].astype(np.float16) for name in SETS}
    np.savez(folder / FILE, version=np.array(version()), **arrays)


def load(folder: Path) -> dict[str, np.ndarray] | None:
    """The vectors a build saved with the generation; None when it has none, or has those
    of other questions (a store built by another version: `QA` embeds them)."""
    try:
        with np.load(folder / FILE) as data:
            if str(data["version"]) != version():
                return None
            return {name: data[name].astype(np.float32) for name in SETS}
    except (OSError, KeyError, ValueError, EOFError, zipfile.BadZipFile):  # damaged: re-embed
        return None


# Per embedder object, forgotten with it (an id could be reused by another embedder).
_embedded: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_embedded_lock = threading.Lock()


def embedded(embedder: Embeddings) -> dict[str, np.ndarray]:
    """`embed`, once per embedder in this process: a Chroma server's readers have no saved
    vectors, and reopen at every new generation."""
    with _embedded_lock:
        if embedder not in _embedded:
            _embedded[embedder] = embed(embedder)
        return _embedded[embedder]


def sentences(message: str, most: int = 6) -> list[str]:
    """The message's sentences and added requests, when it has more than one (the first
    `most`: each is embedded and searched)."""
    parts = [p.strip() for p in _SENTENCES.split(message) if p and len(p.strip()) > 3]
    return parts[:most] if len(parts) > 1 else []


@dataclass(frozen=True)
class Exemplars:
    """Questions of one kind the corpus is not about, and how much nearer to them than to
    the corpus a question must be to be of that kind."""

    vectors: np.ndarray  # (n, dim), unit rows
    margin: float
    cross_language: float  # added to the cosine of an abstract in the other language

    def nearest(self, vector: Sequence[float]) -> float:
        """The cosine of the question's nearest example."""
        v = np.asarray(vector, dtype=np.float32)
        v = v / max(float(np.linalg.norm(v)), 1e-12)
        return float((self.vectors @ v).max()) if len(self.vectors) else -1.0

    def nearer(
        self,
        vector: Sequence[float],
        best: Sequence[tuple[float, bool]],
        margin: float | None = None,
    ) -> bool:
        """Whether the question is of this kind. `best`: each candidate abstract's cosine,
        and whether it is in the question's language. `margin` replaces `self.margin` for a
        test of its own (a follow-up's words are judged with a larger one)."""
        if not best:
            return False
        corpus = max(d + (0.0 if same else self.cross_language) for d, same in best)
        return self.nearest(vector) - corpus >= (self.margin if margin is None else margin)
