"""Answerability: does the evidence state what was asked, or only talk about the paper?

A *near-miss* question finds its paper but asks for a detail the abstract never gives:
"Which GPU was CMT trained on?", "What MRR does AnKGE reach on FB15k-237?". Quoting the
best sentence would answer a question nobody asked, so the answer is `found=False`, with
the paper cited and the missing detail named ("The CMT abstract [1] does not say GPU.").

The test is lexical and deliberately narrow: a *specific* word of the question (written
like a name or an acronym, or holding a digit: GPU, FPS, MRR, VGG, FB15k-237) that none
of the retrieved abstracts contains, not even misspelt (TegFromer is TegFormer) or written
out (LLMs). Ordinary words are never required, because a paraphrase or a translation
rightly uses other ones. The words are Latin-script, and a machine-translated Chinese
abstract may have translated them (RetinaNet there is 视网膜网), so the test runs only when
the best abstract is English, and with a translation among the evidence only for acronyms
in capitals (MNIST), which translations keep (the question may be in either language: "CMT
用了哪块 GPU?"). A numbered setting the abstract gives other numbers of ("the 5-shot
setting" of "10/30-shot") is unstated too.

A second, bilingual test covers a few *kinds* of detail that papers' abstracts often leave
out and that questions ask for in ordinary words (the rows of rag/detail_kinds.py): an
error or accuracy figure, a metric (AUROC, mAP, which the corpus's machine translation
writes 地图, F1, FID…), the hardware, the training time or another duration,
hyper-parameters (temperature, epochs), the parameter count, the authors' affiliation or
company, a cost, a fraction, a licence, the hospital, brand or physics engine, the years,
the size on disk (terabytes),
the authors themselves, the speed (frames per second, latency), the memory, random seeds,
annotator agreement, funding, the venue, a search's or an agent's settings (mutation rate,
population, steps), the architecture's sizes (layers, dimensions), the framework it is
written in, a user study, the country, statistical significance, and "which datasets" when
no sentence names one. When the question asks for one ("What mean absolute error…",
"预测均方误差是多少?") and the best abstract has no word of that kind in either language, the
detail is unstated. This one runs on Chinese abstracts too: the words are matched in both
languages. Likewise "how many / 多少" asked of an abstract that gives no figure at all
(names' digits, "AV2", and 一种 = "a" are no figures) is a near-miss, and so is a count an
English abstract gives only vaguely ("Which six cities…?" of "six distinct cities";
rag/vague_counts.py).

Leaves out other details asked in ordinary words (用了多少个客户端, "does it include Chinese"):
telling those apart from paraphrases needs a reading model, which does not ship offline.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from difflib import get_close_matches

from rag.answer_types import (
    DATASET_WORD,
    Wants,
    asked_quantity,
    new_figures,
    new_things,
    wants,
)
from rag.detail_kinds import DETAILS, METRICS
from rag.lexical import simplified, tokenize
from rag.retrieval import Passage
from rag.types import Abstract
from rag.vague_counts import vaguely_counted

# A specific word: an acronym or mixed-case name (GPU, FPS, RevCol-H, mAP, FB15k-237), a
# word of letters then digits (resnet50, gpt3), or a capitalised name inside the question
# (Waymo, Twitter; not the question's first word). Bare numbers and units (2023, 31m) are
# not: they are as often noise as the detail asked for.
_SPECIFIC = re.compile(
    r"(?<![\w-])(?:[A-Za-z]*[A-Z][A-Za-z]*[A-Z0-9][\w-]*|[A-Za-z]{2,}[0-9][\w-]*"
    r"|[a-z]+[A-Z][A-Za-z0-9]*)(?![\w-])"
    r"|(?<=[a-z,] )[A-Z][a-z]{3,}(?![\w-])"
)
# How an abstract introduces its method: "... named Cross Modal Transformer (CMT), ...".
# The name is its capitalised words: "named RELIANT to mitigate ..." is RELIANT.
_CALLED = re.compile(
    r"\b(?:named|called|dubbed|termed|coined)\s+([A-Z][\w+-]*(?:\s+[A-Z][\w+-]*){0,5})"
)
_PARENS = re.compile(r"\(([A-Z][A-Za-z0-9-]{1,20})\)")


# "Which datasets / 哪几个数据集": answered by a sentence that speaks of data and names some.
# Also "the names of the three benchmark datasets", 哪四个基准数据集, 数据集分别是哪三个.
_WHICH_DATASETS = re.compile(
    r"\b(?:which|what)\b[^?？]{0,30}\b(?:datasets|benchmarks)\b"
    r"|\bnames? of the (?:[\w-]+ ){0,3}(?:datasets|benchmarks)\b"
    r"|哪(?:几|些|个|[一二两三四五六七八九十]+)[个种项]?(?:基准)?数据集"
    r"|数据集[^?？,，]{0,8}(?:哪(?:几|些|[一二两三四五六七八九十]+)个?|叫什么|名字|名称)",
    re.IGNORECASE,
)


def _names_no_dataset(question: str, want: Wants, passage: Passage) -> bool:
    """Whether the question asks which datasets and no sentence of the abstract names one."""
    if not _WHICH_DATASETS.search(question):
        return False
    text = passage.hit.abstract.text
    sentences = [text[span.start : span.end] for span in passage.sentences] or [text]
    return not any(DATASET_WORD.search(s) and new_things(s, want) for s in sentences)


def unstated(question: str, passages: Sequence[Passage]) -> list[str]:
    """What the question asks for that the retrieved abstracts do not state: the kinds of
    detail (in the question's words) the best abstract has no word for, and the specific
    words no retrieved abstract holds (only checked when the best one is English)."""
    if not passages:
        return []
    asked = simplified(question)
    best = simplified(passages[0].hit.abstract.text)
    kinds = [
        m.group(0) for ask, state in DETAILS if (m := ask.search(asked)) and not state.search(best)
    ]
    kinds += [m.group(0) for ask, state in METRICS if (m := ask.search(asked))]
    kinds = [
        k for k in kinds if not any(state.search(best) for ask, state in METRICS if ask.search(k))
    ]
    want = wants(question)  # what it asks for, read once for the two tests below
    if _names_no_dataset(asked, want, passages[0]):
        kinds.append(_WHICH_DATASETS.search(asked).group(0))
    quantity = asked_quantity(question)
    if quantity and not new_figures(passages[0].hit.abstract.text, want):
        kinds.append(quantity)  # "how many" of an abstract that gives no figure at all
    if shots := _unstated_setting(question, passages[0]):
        kinds.append(shots)  # "nAP in the 5-shot setting" of an abstract giving 10/30-shot
    if passages[0].hit.abstract.language != "en":
        return _once(kinds)
    if not kinds and (thing := vaguely_counted(question, passages[0])):
        kinds.append(thing)
    missing = list(kinds)
    # A machine translation among the evidence may have translated a name (RetinaNet is
    # 视网膜网 there), not an acronym in capitals (MNIST, GPU): only those are checked then.
    translated = any(p.hit.abstract.language != "en" for p in passages)
    for word in dict.fromkeys(_SPECIFIC.findall(question)):
        parts = set(tokenize(word.replace("-", " ")))
        if translated and not re.fullmatch(r"[A-Z][A-Z0-9]{2,}", word):
            continue
        if len(word) >= 3 and parts and not any(_states(word, parts, p) for p in passages):
            missing.append(word)
    return _once(missing)


# A setting written with its number: "5-shot", "10-way" (not "5-fold": a speed-up too).
_SETTING = re.compile(r"\b(\d+)[- ]?(shot|way)s?\b", re.IGNORECASE)


def _unstated_setting(question: str, passage: Passage) -> str:
    """The question's numbered setting ("the 5-shot setting") when the abstract speaks of
    that kind of setting but never with that number ("10/30-shot"), or ""."""
    found = _SETTING.search(question)
    if not found:
        return ""
    number, kind = found.group(1), found.group(2).lower()
    text = passage.hit.abstract.text
    if not re.search(rf"\b{kind}", text, re.IGNORECASE):
        return ""
    numbered = re.findall(rf"((?:\d+\s*[/,]\s*)*\d+)\s*-?\s*{kind}", text, re.IGNORECASE)
    given = {n for group in numbered for n in re.findall(r"\d+", group)}
    return found.group(0) if number not in given else ""


def _once(words: list[str]) -> list[str]:
    """Each missing detail said once: GPU asked twice, or inside "How much GPU memory"."""
    words = list({word.lower(): word for word in words}.values())
    return [w for w in words if not any(w.lower() in o.lower() and w != o for o in words)]


def _states(word: str, parts: set[str], passage: Passage) -> bool:
    """Whether the abstract holds the word: its parts, the word itself, an acronym written
    out, or a near spelling (one with the same letters, or close by difflib's ratio)."""
    text = passage.hit.abstract.text
    if parts <= passage.terms or word.lower() in text.lower() or _written_out(word, text):
        return True
    words = {w.lower() for w in re.findall(r"[\w-]+", text)}
    if len(word) >= 4 and sorted(word.lower()) in (sorted(w) for w in words):
        return True  # two letters swapped: iRBM is iRMB, eVEA is eVAE
    return bool(get_close_matches(word.lower(), words, n=1, cutoff=0.8))


def _written_out(word: str, text: str) -> bool:
    """Whether an acronym of 3 to 6 capitals (a plural "s" allowed) is in the text as the
    words it stands for: LLMs as "large language models", ETF as "equiangular tight frame"
    (dev: 2 answerable questions no longer refused, no near-miss answered)."""
    letters = word[:-1] if word.endswith("s") and word[:-1].isupper() else word
    if not (letters.isupper() and letters.isalpha() and 3 <= len(letters) <= 6):
        return False
    spelt = r"[\s-]+".join(rf"{c}[a-z]+" for c in letters.lower())
    return bool(re.search(rf"\b{spelt}\b", text, re.IGNORECASE))


def label(abstract: Abstract, question: str = "") -> str:
    """A short name for the paper: the name the question calls it by, else its title, the
    name the abstract gives its method, its first acronym, or its first words."""
    text = abstract.text
    # Names only: a capitalised ordinary word ("Learning") would label any paper.
    asked = [w for w in _SPECIFIC.findall(question) if not re.fullmatch(r"[A-Z][a-z]+", w)]
    for word in asked:  # the name the abstract defines: "... Transformer (CMT)"
        if f"({word})" in text:
            return word
    # Latin word edges: in a Chinese abstract a name touches Chinese characters (称为LGD).
    # As written first, then in any case (the translation writes FedMCSA as FEDMCSA), but
    # never by a metric asked for ("What mAP does Argoverse 2 report?" is not about "map").
    for flags in (0, re.IGNORECASE):
        for word in asked:
            if flags and any(ask.search(word) for ask, _ in METRICS):
                continue
            if re.search(rf"(?<![A-Za-z0-9-]){re.escape(word)}(?![A-Za-z0-9-])", text, flags):
                return word
    if abstract.title:
        return abstract.title
    for found in (_CALLED.search(text), _PARENS.search(text)):
        if found:
            return found.group(1).strip()
    if abstract.language == "zh":
        return text[:12] + "…"
    return " ".join(text.split()[:6]) + "…"
