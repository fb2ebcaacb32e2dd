"""Answerability: does the evidence state what was asked, or only talk about the paper?

A *near-miss* question finds its paper but asks for a detail the abstract never gives:
"Which GPU was CMT trained on?", "What MRR does AnKGE reach on FB15k-237?". Quoting the
best sentence would answer a question nobody asked, so the answer is `found=False`, with
the paper cited and the missing detail named ("The CMT abstract [1] does not say GPU.").

The test is lexical and deliberately narrow: a *specific* word of the question (written
like a name or an acronym, or holding a digit: GPU, FPS, MRR, VGG, FB15k-237) that none
of the retrieved abstracts contains, not even misspelt (TegFromer is TegFormer). Ordinary
words are never required, because a paraphrase or a translation rightly uses other ones.
The words are Latin-script, and a machine-translated Chinese abstract may have translated
them (RetinaNet there is 视网膜网), so the test runs only when every retrieved abstract is
English (the question may be in either language: "CMT 用了哪块 GPU?").

Leaves out details asked in ordinary words ("how many parameters", 哪几个数据集): telling
those apart from paraphrases needs a reading model, which does not ship offline.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from difflib import get_close_matches

from rag.lexical import tokenize
from rag.retrieval import Passage
from rag.types import Abstract

# A specific word: an acronym or mixed-case name (GPU, FPS, RevCol-H, mAP, FB15k-237), a
# word of letters then digits (resnet50, gpt3), or a capitalised name inside the question
# (Waymo, Twitter; not the question's first word). Bare numbers and units (2023, 31m) are
# not: they are as often noise as the detail asked for.
_SPECIFIC = re.compile(
    r"(?<![\w-])(?:[A-Za-z]*[A-Z][A-Za-z]*[A-Z0-9][\w-]*|[A-Za-z]{2,}[0-9][\w-]*)(?![\w-])"
    r"|(?<=[a-z,] )[A-Z][a-z]{3,}(?![\w-])"
)
# How an abstract introduces its method: "... named Cross Modal Transformer (CMT), ...".
_CALLED = re.compile(r"\b(?:named|called|dubbed|termed|coined)\s+([^,.;:()]{2,60})")
_PARENS = re.compile(r"\(([A-Z][A-Za-z0-9-]{1,20})\)")


def unstated(question: str, passages: Sequence[Passage]) -> list[str]:
    """The specific words of the question that no retrieved abstract states; none when a
    retrieved abstract is not English."""
    if not passages or any(p.hit.abstract.language != "en" for p in passages):
        return []
    missing = []
    for word in dict.fromkeys(_SPECIFIC.findall(question)):
        parts = set(tokenize(word.replace("-", " ")))
        if len(word) >= 3 and parts and not any(_states(word, parts, p) for p in passages):
            missing.append(word)
    return missing


def _states(word: str, parts: set[str], passage: Passage) -> bool:
    """Whether the abstract holds the word: its parts, the word itself, or a near spelling."""
    text = passage.hit.abstract.text
    if parts <= passage.terms or word.lower() in text.lower():
        return True
    words = {w.lower() for w in re.findall(r"[\w-]+", text)}
    return bool(get_close_matches(word.lower(), words, n=1, cutoff=0.8))


def label(abstract: Abstract, question: str = "") -> str:
    """A short name for the paper: the name the question calls it by, else its title, the
    name the abstract gives its method, its first acronym, or its first words."""
    text = abstract.text
    asked = _SPECIFIC.findall(question)
    for word in asked:  # the name the abstract defines: "... Transformer (CMT)"
        if f"({word})" in text:
            return word
    for word in asked:
        if re.search(rf"(?<![\w-]){re.escape(word)}(?![\w-])", text):
            return word
    if abstract.title:
        return abstract.title
    for found in (_CALLED.search(text), _PARENS.search(text)):
        if found:
            return found.group(1).strip()
    if abstract.language == "zh":
        return text[:12] + "…"
    return " ".join(text.split()[:6]) + "…"
