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

A second, bilingual test covers a few *kinds* of detail that papers' abstracts often leave
out and that questions ask for in ordinary words: an error or accuracy figure, a metric
(AUROC, mAP, which the corpus's machine translation writes 地图, F1, FID…), the hardware,
the training time or another duration, hyper-parameters (temperature, epochs), the
parameter count, the authors' affiliation or company, a cost, a fraction, a licence, the
hospital, brand or physics engine, the years, and "which datasets" when no sentence names
one. When the
question asks for one ("What mean absolute error…", "预测均方误差是多少?") and the best
abstract has no word of that kind in either language, the detail is unstated. This one
runs on Chinese abstracts too: the words are matched in both languages. Likewise "how
many / 多少" asked of an abstract that gives no figure at all (names' digits, "AV2", and
一种 = "a" are no figures) is a near-miss.

Leaves out other details asked in ordinary words (哪几个数据集, "does it include Chinese"):
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
from rag.lexical import simplified, tokenize
from rag.retrieval import Passage
from rag.types import Abstract

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


# Kinds of detail: (how a question asks for it, how an abstract would state it).
_DETAILS: tuple[tuple[re.Pattern[str], re.Pattern[str]], ...] = tuple(
    (re.compile(asked, re.IGNORECASE), re.compile(stated, re.IGNORECASE))
    for asked, stated in (
        (
            r"\b(?:mean (?:absolute|squared) error|error rate|errors?)\b"
            r"|(?:均方|平均绝对)?误差|错误率",
            r"\berrors?\b|\b(?:MAE|MSE|RMSE)\b|误差|错误",
        ),
        (r"\baccuracy\b|准确率|精度", r"\baccura|\btop-?[15]\b|准确|精度|\d%"),
        (r"\b(?:GPUs?|TPUs?|hardware)\b|显卡|硬件", r"\b(?:GPU|TPU|hardware)|显卡|硬件|图形处理"),
        (
            r"\b(?:how long|training time|GPU hours|(?:how many|number of) (?:hours|days|weeks))\b"
            r"|wall-clock|多久|多长时间|训练时间|耗时|(?:多少|几)个?(?:小时|天|周)",
            r"\b(?:hours?|minutes?|days?|seconds?|weeks?|months?|training time)\b"
            r"|小时|分钟|天|秒|周|训练时间|培训时间",
        ),
        (
            r"\b(?:learning rate|batch size|hyper-?parameters?|optimi[sz]er)\b"
            r"|学习率|批大小|超参数|优化器",
            r"\b(?:learning rate|batch|hyper-?parameter|optimi[sz]er|SGD|Adam)"
            r"|学习率|批|超参数|优化器",
        ),
        (
            r"\btemperature\b|\b(?:how many|number of) (?:training )?epochs\b"
            r"|温度|多少个?(?:epoch|轮)",
            r"\btemperature\b|\d+\s*epochs\b|温度|\d+\s*个?(?:epoch|时代|轮)",
        ),
        (
            r"\b(?:how many parameters|parameter count|model size)\b|参数量|多少参数",
            # a count, not the word: "a large parameter budget" gives no number
            r"(?<![\w.-])\d+(?:\.\d+)?\s?(?:[MB]|million|billion)\b|\d+(?:\.\d+)?\s?[万亿]",
        ),
        (
            r"\b(?:universit(?:y|ies)|institutions?|affiliat\w*|laborator(?:y|ies)|compan(?:y|ies))\b"
            r"|大学|机构|单位|学校|公司|企业",
            r"\b(?:universit|institut|laborator|affiliat|compan|corporat)|大学|机构|研究所|实验室|公司|企业",
        ),
        (
            r"\b(?:cost|price|expenses?|budget)\b|成本|费用|花费|价格",
            r"\b(?:cost|price|expens|budget|dollars?|USD)|\$|成本|费用|花费|价格",
        ),
        (
            r"\b(?:fraction|proportion|share|percentage)\b|比例|占比|百分之",
            r"%|\bfraction|\bpercent|比例|百分",
        ),
        (
            r"\blicen[cs]e[sd]?\b|许可证?|授权|开源协议|许可协议",
            r"\blicen[cs]|\bCC[- ]BY|\b(?:MIT|Apache|GPL|BSD)\b|许可|授权",
        ),
        # Where the data came from, what it ran on, when: names abstracts rarely give. Only
        # asked as "which ...": "Can the method be used in hospitals?" asks no name.
        (
            r"\b(?:which|what|how many)\b[^?.]{0,20}\bhospitals?\b|哪(?:家|个|些|几家)医院"
            r"|多少家?医院",
            r"\bhospital|医院",
        ),
        (
            r"\bbrand\b|\bmake and model\b|\bmodel number\b|型号|品牌",
            # a maker or a product code states it: "NVIDIA A100", "Velodyne HDL-64E"
            r"\bbrand\b|型号|品牌|\b(?:NVIDIA|GeForce|RTX|Tesla|Intel|AMD|Velodyne|Ouster"
            r"|Livox|Sony|Canon|Samsung|Apple|Geomagic|Phantom|da Vinci)\b"
            r"|\b[A-Z]{1,4}-?\d{2,4}[A-Z]?\b",
        ),
        (
            r"\b(?:physics|simulation) engine\b|物理(?:仿真)?引擎|仿真引擎",
            r"(?<!inference )\bengine\b|\bsimulator\b|MuJoCo|Bullet|Isaac|PhysX|Gazebo|SOFA"
            r"|Unity|Unreal|CARLA|Habitat|Webots|引擎|模拟器|仿真器",
        ),
        (
            # the years something was collected or run, not a duration ("time window")
            r"\b(?:during|over|in|from|between) (?:which|what) years\b|\bwhich years\b"
            r"|\btime period\b|哪几年|时间段",
            r"(?<!\d)(?:19|20)\d\d(?!\d)|\d{4}\s*年",
        ),
    )
)


# Metrics, written alike in both languages or with their usual (and machine) translations;
# case matters (mAP is not "map"). An abstract reporting a figure in another metric does
# not state this one.
_METRICS: tuple[tuple[re.Pattern[str], re.Pattern[str]], ...] = tuple(
    (re.compile(asked), re.compile(stated))
    for asked, stated in (
        (r"\bAU(?:ROC|PRC|C)\b", r"\bAU(?:ROC|PRC|C)\b|ROC|曲线下面积"),
        (r"\bmAP\b|\bAP(?:box|50|75)?\b", r"\bm?AP|地图|平均精度"),
        (r"\bm?IoU\b", r"IoU|交并比"),
        (r"\bF1\b", r"\bF1\b|F-score|F值"),
        (
            r"\b(?:FID|BLEU|PSNR|SSIM|NDS|WER|CER|PLCC|SRCC|MRR)\b",
            r"\b(?:FID|BLEU|PSNR|SSIM|NDS|WER|CER|PLCC|SRCC|MRR)\b",
        ),
        (r"\bHits@\d+|\bR@\d+|\b[Rr]ecall@\d+", r"@\d+|召回"),
        # Spelled out: "mean reciprocal rank" is MRR, "click-through rate" is CTR.
        (r"(?i:\bmean reciprocal rank\b)|平均倒数排名", r"\bMRR\b|(?i:reciprocal rank)|倒数排名"),
        (r"(?i:\bclick-through rates?\b)|\bCTR\b|点击率", r"(?i:click-through)|\bCTR\b|点击率"),
    )
)
# "Which datasets / 哪几个数据集": answered by a sentence that speaks of data and names some.
_WHICH_DATASETS = re.compile(
    r"\b(?:which|what)\b[^?？]{0,30}\b(?:datasets|benchmarks)\b|哪(?:几|些|个)[个种]?(?:基准)?数据集|数据集[^?？,，]{0,8}(?:哪(?:几|些)|叫什么|名字|名称)",
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
    words no retrieved abstract holds (only checked when every one is English)."""
    if not passages:
        return []
    asked = simplified(question)
    best = simplified(passages[0].hit.abstract.text)
    kinds = [
        m.group(0) for ask, state in _DETAILS if (m := ask.search(asked)) and not state.search(best)
    ]
    kinds += [m.group(0) for ask, state in _METRICS if (m := ask.search(asked))]
    kinds = [
        k for k in kinds if not any(state.search(best) for ask, state in _METRICS if ask.search(k))
    ]
    want = wants(question)  # what it asks for, read once for the two tests below
    if _names_no_dataset(asked, want, passages[0]):
        kinds.append(_WHICH_DATASETS.search(asked).group(0))
    quantity = asked_quantity(question)
    if quantity and not new_figures(passages[0].hit.abstract.text, want):
        kinds.append(quantity)  # "how many" of an abstract that gives no figure at all
    if any(p.hit.abstract.language != "en" for p in passages):
        return kinds
    missing = list(kinds)
    for word in dict.fromkeys(_SPECIFIC.findall(question)):
        parts = set(tokenize(word.replace("-", " ")))
        if len(word) >= 3 and parts and not any(_states(word, parts, p) for p in passages):
            missing.append(word)
    return list({word.lower(): word for word in missing}.values())  # GPU is asked once


def _states(word: str, parts: set[str], passage: Passage) -> bool:
    """Whether the abstract holds the word: its parts, the word itself, or a near spelling
    (one with the same letters, or close by difflib's ratio)."""
    text = passage.hit.abstract.text
    if parts <= passage.terms or word.lower() in text.lower():
        return True
    words = {w.lower() for w in re.findall(r"[\w-]+", text)}
    if len(word) >= 4 and sorted(word.lower()) in (sorted(w) for w in words):
        return True  # two letters swapped: iRBM is iRMB, eVEA is eVAE
    return bool(get_close_matches(word.lower(), words, n=1, cutoff=0.8))


def label(abstract: Abstract, question: str = "") -> str:
    """A short name for the paper: the name the question calls it by, else its title, the
    name the abstract gives its method, its first acronym, or its first words."""
    text = abstract.text
    # Names only: a capitalised ordinary word ("Learning") would label any paper.
    asked = [w for w in _SPECIFIC.findall(question) if not re.fullmatch(r"[A-Z][a-z]+", w)]
    for word in asked:  # the name the abstract defines: "... Transformer (CMT)"
        if f"({word})" in text:
            return word
    for word in asked:
        # Latin word edges: in a Chinese abstract a name touches Chinese characters (称为LGD).
        if re.search(rf"(?<![A-Za-z0-9-]){re.escape(word)}(?![A-Za-z0-9-])", text):
            return word
    if abstract.title:
        return abstract.title
    for found in (_CALLED.search(text), _PARENS.search(text)):
        if found:
            return found.group(1).strip()
    if abstract.language == "zh":
        return text[:12] + "…"
    return " ".join(text.split()[:6]) + "…"
