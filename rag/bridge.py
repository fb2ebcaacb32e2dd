"""A bilingual bridge induced from the corpus itself: a question's words in one language
mapped to the corpus's words in the other, so lexical evidence crosses languages.

An English question about a Chinese abstract shares no words with it, and the glossary
(rag/data/glossary.tsv) only knows the topics someone wrote down. The multilingual
embedder knows more: embedded alone, 控制器 lies near "controller" and 视觉 near
"vision". Alone, a word's nearest neighbour in the other language is often wrong (hubs
are near everything), so two standard corrections from bilingual lexicon induction are
applied (Conneau et al. 2018, "Word translation without parallel data"):

- CSLS: twice the cosine minus each side's mean cosine to its k nearest words of the
  other language, which demotes hubs;
- mutual nearest neighbours: the question's word must also be the best match of its
  translation among the corpus's words of the question's language.

The vocabulary is the corpus's own words (rag/lexical.py tokens: English words of three
letters or more, Chinese words of two characters or more), embedded by `rag build` and
saved with the store (`BridgeTable`), so another corpus gets its own bridge. A question's
words are embedded when asked (one batch, remembered per word).

Leaves out phrases (each word is mapped alone), words the corpus does not use, and
several senses per word (one translation each).
"""

from __future__ import annotations

import re
import threading
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from langchain_core.embeddings import Embeddings

from rag.lexical import STOPWORDS

FILE = "bridge.npz"
VERSION = "1"  # part of the store's fingerprint: a new bridge rebuilds (vectors reused)
LANGUAGES = ("en", "zh")
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN = re.compile(r"[a-z][a-z-]{2,}")
_NEIGHBOURS = 10  # k of CSLS, as in Conneau et al.
_ROWS = 2048  # rows of a cosine block while finding neighbours: bounded memory at any size
_REMEMBERED = 100_000  # question words whose translation is remembered (a few MB)


def language_of(term: str) -> str | None:
    """'zh' for a Chinese word of 2+ characters, 'en' for a Latin word of 3+ letters, else
    None (numbers, acronyms with digits, glossary concepts: they need no bridge)."""
    if _CJK.search(term):
        return "zh" if len(term) >= 2 and all(_CJK.match(c) for c in term) else None
    return "en" if _LATIN.fullmatch(term) and term not in STOPWORDS else None


@dataclass(frozen=True)
class BridgeTable:
    """The corpus's words per language, their unit vectors, and each word's hubness: its
    mean cosine to its k nearest words of the other language."""

    words: dict[str, list[str]]
    vectors: dict[str, np.ndarray]
    hubs: dict[str, np.ndarray]
    fresh: int = field(default=0, compare=False)  # words embedded by `build`, not reused

    @classmethod
    def build(
        cls,
        embedder: Embeddings,
        terms: Iterable[str],
        known: BridgeTable | None = None,
    ) -> BridgeTable:
        """Embed the corpus's words (reusing `known`'s vectors, from the last build)."""
        words: dict[str, list[str]] = {lang: [] for lang in LANGUAGES}
        for term in sorted(set(terms)):
            lang = language_of(term)
            if lang:
                words[lang].append(term)
        made = {lang: _vectors(embedder, words[lang], known, lang) for lang in LANGUAGES}
        vectors = {lang: made[lang][0] for lang in LANGUAGES}
        hubs = {lang: np.zeros(len(words[lang]), np.float32) for lang in LANGUAGES}
        if all(len(words[lang]) for lang in LANGUAGES):
            hubs["zh"] = _hubness(vectors["zh"], vectors["en"])
            hubs["en"] = _hubness(vectors["en"], vectors["zh"])
        return cls(words, vectors, hubs, sum(made[lang][1] for lang in LANGUAGES))

    def save(self, folder: Path) -> None:
        arrays = {}
        for lang in LANGUAGES:
            arrays[f"{lang}_words"] = np.array(self.words[lang], dtype=str)
            arrays[f"{lang}_vectors"] = self.vectors[lang].astype(np.float16)
            arrays[f"{lang}_hubs"] = self.hubs[lang]
        np.savez(folder / FILE, **arrays)

    @classmethod
    def load(cls, folder: Path) -> BridgeTable | None:
        """The table saved with a generation; None when it has none (then `QA` builds one)."""
        try:
            with np.load(folder / FILE) as data:
                return cls(
                    {lang: [str(w) for w in data[f"{lang}_words"]] for lang in LANGUAGES},
                    {lang: data[f"{lang}_vectors"].astype(np.float32) for lang in LANGUAGES},
                    {lang: data[f"{lang}_hubs"] for lang in LANGUAGES},
                )
        except (OSError, KeyError, ValueError, EOFError, zipfile.BadZipFile):  # damaged
            return None


class Bridge:
    """Maps a word to the corpus word of the other language it means, when one does."""

    def __init__(
        self, embedder: Embeddings, table: BridgeTable, min_similarity: float = 0.87
    ) -> None:
        """`min_similarity`: least cosine of a word and its translation. Tuned on the dev
        split (366 questions): 0.85 to 0.87 alike; 0.84 answers an unanswerable question,
        0.88 and up refuse more answerable ones (0.92: cross-language key facts 0.77 -> 0.68)."""
        self.embedder = embedder
        self.table = table
        self.min_similarity = min_similarity
        self._position = {
            lang: {w: i for i, w in enumerate(table.words[lang])} for lang in LANGUAGES
        }
        self._lock = threading.Lock()
        self._known: dict[str, str | None] = {}

    @property
    def active(self) -> bool:
        """Whether the corpus has both languages (else there is nothing to bridge)."""
        return all(len(self.table.words[lang]) for lang in LANGUAGES)

    def translate(self, terms: Sequence[str]) -> dict[str, str]:
        """term -> the corpus word of the other language it means, for those that have one."""
        if not self.active:
            return {}
        with self._lock:
            todo = [t for t in dict.fromkeys(terms) if t not in self._known and language_of(t)]
            if todo:
                if len(self._known) + len(todo) > _REMEMBERED:  # a long-running server
                    self._known.clear()
                for term, vector in zip(todo, _embed(self.embedder, todo), strict=True):
                    self._known[term] = self._match(term, vector)
            return {t: self._known[t] for t in terms if self._known.get(t)}

    def _match(self, term: str, vector: np.ndarray) -> str | None:
        t = self.table
        source = language_of(term) or "en"
        target = "zh" if source == "en" else "en"
        cosines = t.vectors[target] @ vector
        k = min(_NEIGHBOURS, len(cosines))
        own_hub = float(np.partition(cosines, -k)[-k:].mean())
        csls = 2 * cosines - own_hub - t.hubs[target]
        best = int(np.argmax(csls))
        if cosines[best] < self.min_similarity:
            return None
        # Mutual: no corpus word of the question's language matches the translation better.
        back = 2 * (t.vectors[source] @ t.vectors[target][best]) - t.hubs[source]
        back -= t.hubs[target][best]
        own = self._position[source].get(term)
        if own is not None:
            back[own] = -np.inf
        if len(back) and float(back.max()) > float(csls[best]):
            return None
        return t.words[target][best]


def _vectors(
    embedder: Embeddings, words: Sequence[str], known: BridgeTable | None, lang: str
) -> tuple[np.ndarray, int]:
    """Unit vectors of the words, embedding only those `known` lacks (and how many)."""
    reuse = {}
    if known is not None:
        reuse = {w: known.vectors[lang][i] for i, w in enumerate(known.words[lang])}
    todo = [w for w in words if w not in reuse]
    fresh = dict(zip(todo, _embed(embedder, todo), strict=True)) if todo else {}
    dimension = next(iter((fresh or reuse).values())).shape[0] if (fresh or reuse) else 0
    out = np.zeros((len(words), dimension), dtype=np.float32)
    for i, w in enumerate(words):
        out[i] = fresh[w] if w in fresh else reuse[w]
    return out, len(todo)


def _embed(embedder: Embeddings, words: Sequence[str]) -> np.ndarray:
    vectors = np.asarray(embedder.embed_documents(list(words)), dtype=np.float32)
    return vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)


def _hubness(rows: np.ndarray, others: np.ndarray) -> np.ndarray:
    """Each row's mean cosine to its k nearest `others`, a block of rows at a time."""
    k = min(_NEIGHBOURS, len(others))
    out = np.empty(len(rows), dtype=np.float32)
    for start in range(0, len(rows), _ROWS):
        block = rows[start : start + _ROWS] @ others.T
        out[start : start + _ROWS] = np.partition(block, -k, axis=1)[:, -k:].mean(axis=1)
    return out


def table_terms(abstract_terms: Mapping[str, Iterable[str]]) -> set[str]:
    """Every term of the corpus (the vocabulary the bridge maps onto)."""
    return set().union(*abstract_terms.values()) if abstract_terms else set()
