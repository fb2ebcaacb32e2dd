"""Lexical matching: a tokenizer for mixed English/Chinese text and an in-memory BM25.

Dense embeddings miss exact names ("LGD", "nuScenes", "RELIANT") and, with an
English-only model, most of the link between an English question and a Chinese abstract.
Acronyms, numbers and model names survive machine translation, so matching them is the
cheapest bridge. Chinese runs are cut into words by jieba, whose dictionary ships in its
package; character bigrams would also work but add junk pairs across word edges
("提升了多少" -> "升了", "了多") that dilute a question's terms.

A small bilingual glossary (`rag/data/glossary.tsv`) bridges what acronyms cannot: a
topic term in either language ("federated learning", 联邦学习, or the machine translation's
联合学习) becomes one concept token, `c:federated_learning`, in questions and abstracts
alike, so an English question and a Chinese abstract can share words. Dictionary-based
query translation is the classic cross-language retrieval method that needs no model.

Leaves out stemming beyond plurals, and translating anything not in the glossary.
"""

from __future__ import annotations

import logging
import math
import re
import tempfile
from collections import Counter
from collections.abc import Mapping, Sequence
from collections.abc import Set as AbstractSet
from functools import lru_cache
from importlib import resources

import jieba
import zhconv

_TOKEN = re.compile(r"[a-z0-9]+(?:[-.][a-z0-9]+)*|[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")

# Question words and glue that carry no topic, and the verbs every abstract does its work
# with ("we tackle", "we introduce"): rare enough for a high IDF, they made "Which works
# tackle long-tailed data?" list a paper that tackles noisy labels; "even", "while" and
# "try" matched English abstracts by chance and 尝试 through the bridge (dev: 4 key facts
# gained, none lost).
# Kept short so real terms are never lost.
STOPWORDS = frozenset(
    """a an the of in on at to for from by with and or but not no is are was were be been
    being do does did doing has have had having it its this that these those they them their
    there what which who whom whose when where why how much many does can could should would
    will shall may might must about into over under than then so such as if also any all each
    paper papers abstract abstracts method methods approach model models propose proposed use
    used using show shows our we you your i me my he she his her one two via based more most
    other some same new work works study studies tell give find list address addresses
    addressed discuss discusses deal deals related relate concern concerns regarding there
    anything something existing exist exists collection corpus here hello hi hey thanks
    thank please now bye goodbye okay ok great cheers
    tackle tackles tackled introduce introduces introduced present presents presented
    focus focuses focused aim aims aimed explore explores explored investigate investigates
    investigated leverage leverages leveraged utilize utilizes utilized employ employs
    employed actually mainly main
    even while up just only really still already very whether yet though although instead
    anyone anybody someone somebody tried try trying way ways able kind sort like get gets got
    s t ll re ve d m""".split()  # the last line: what is left of "that's", "don't", "we'll"
)
# Chinese function words and question words: no topic in them.
CJK_STOPWORDS = frozenset(
    """的 了 是 在 和 与 及 或 中 其 吗 呢 将 从 到 上 下 对 被 把 为 以 而 之 也 都 就 这 那
    它 它们
    我们 本文 论文 提出 一种 一个 这个 这些 那个 什么 哪些 哪个 多少 如何 怎么 怎样 为什么 是否
    可以 能 有 用 使用 通过 进行 方法 模型
    关于 涉及 研究 有关 相关 文章 工作 哪篇 那篇 一篇 篇 有没有 没有 什么是 是什么 哪种 哪几篇
    提到 介绍 讨论 作者 具体 主要 用了 呢 吧 啊 请问 请 告诉 列出 哪 几 个 些
    你好 您好 谢谢 再见 拜拜 好的 好
    几篇 这批 这几篇 哪几 里 里面 其中 当中 收录 系列""".split()
)


# Full-width Latin letters, digits and punctuation (ＬＧＤ, ３Ｄ, ？) -> their ASCII forms.
_FULL_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}


def simplified(text: str) -> str:
    """Text with Traditional Chinese written in Simplified characters (and mainland word
    forms, 網路 -> 网络), and full-width Latin forms as ASCII: one script to match in.

    zhconv's tables ship inside its package (Wikipedia's conversion tables); converting a
    question takes well under a millisecond.
    """
    text = text.translate(_FULL_WIDTH)
    return zhconv.convert(text, "zh-cn") if _CJK_RUN.search(text) else text


# A name with a version number run on: "gpt3", "resnet50", "yolov5", "mobilenetv2" (not
# "fb15k", "v100").
_VERSIONED = re.compile(r"([a-z]{3,}?)v?\d+[a-z]?")


def _word_forms(word: str) -> list[str]:
    """A word, its parts when hyphenated ("ms-coco" -> "ms", "coco"; "gpt-3" also as
    "gpt3"), a versioned name's family ("gpt3" -> "gpt", as "gpt-2" -> "gpt": "Which papers
    use a GPT model?"), plurals made singular."""
    forms = [word]
    if "-" in word:
        forms.extend(part for part in word.split("-") if part and part not in STOPWORDS)
        if _VERSIONED.fullmatch(joined := word.replace("-", "")):
            forms.append(joined)  # "gpt-3" is "gpt3"
    elif versioned := _VERSIONED.fullmatch(word):
        forms.append(versioned.group(1))
    return [f[:-1] if len(f) > 4 and f.endswith("s") and not f.endswith("ss") else f for f in forms]


@lru_cache(maxsize=1)
def _jieba() -> jieba.Tokenizer:
    """jieba's tokenizer, quiet, its dictionary cache in the temp folder (HOME may be empty)."""
    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    tokenizer.tmp_dir = tempfile.gettempdir()
    return tokenizer


@lru_cache(maxsize=1)
def _glossary() -> tuple[re.Pattern[str], dict[str, str]]:
    """One pattern for every glossary variant (longest first), and variant -> concept token."""
    concept_of: dict[str, str] = {}
    path = resources.files("rag") / "data" / "glossary.tsv"
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        english, chinese = line.lower().split("\t")
        variants = english.split("|") + chinese.split("|")
        token = "c:" + re.sub(r"\W+", "_", variants[0]).strip("_")
        for variant in variants:
            concept_of.setdefault(variant.strip(), token)
    alternatives = []
    for variant in sorted(concept_of, key=len, reverse=True):
        escaped = re.escape(variant)
        if _CJK_RUN.search(variant):
            alternatives.append(escaped)
        else:  # whole words only, plurals too: "client" in "clients", not in "clientele"
            alternatives.append(rf"(?<![a-z0-9]){escaped}(?:s|es)?(?![a-z0-9])")
    return re.compile("|".join(alternatives)), concept_of


def _concept(match: str, concept_of: dict[str, str]) -> str:
    if match in concept_of:
        return concept_of[match]
    return concept_of.get(match[:-2] if match.endswith("es") else match[:-1], "")


# "Recommend me a laptop", 帮我推荐一家餐馆: the verb of a request, not the topic of
# recommender systems.
_REQUEST = re.compile(
    r"\brecommend(?= (?:me|us|a|an|some|any|good)\b)|(?:帮我|给我|请)?推荐(?=一下|[一几两些])"
)


def tokenize(text: str) -> list[str]:
    """Glossary concepts, then lower-cased words and numbers, and jieba words of Chinese runs."""
    pattern, concept_of = _glossary()
    out: list[str] = []
    text = _REQUEST.sub(" ", simplified(text).lower())
    out.extend(c for c in (_concept(m, concept_of) for m in pattern.findall(text)) if c)
    text = pattern.sub(" ", text)
    for token in _TOKEN.findall(text):
        if _CJK_RUN.fullmatch(token):
            out.extend(w for w in _jieba().lcut(token) if w not in CJK_STOPWORDS)
        elif token not in STOPWORDS:
            out.extend(_word_forms(token))
    return out


class BM25:
    """Okapi BM25 over a fixed list of texts (k1=1.5, b=0.75, the usual defaults)."""

    def __init__(
        self,
        texts: Sequence[str],
        k1: float = 1.5,
        b: float = 0.75,
        *,
        tokens: Sequence[Sequence[str]] | None = None,
    ) -> None:
        """`tokens`: the texts already tokenized (a store's saved terms); then `texts` is
        not read."""
        self.k1, self.b = k1, b
        docs = [Counter(t) for t in tokens or [tokenize(t) for t in texts]]
        lengths = [sum(d.values()) for d in docs]
        avg = (sum(lengths) / len(lengths)) if lengths else 0.0
        # A question's few terms touch few texts: score only those (term -> [(text, tf)]),
        # not every text in a loop; each text's length normalisation is computed once.
        self._norm = [k1 * (1 - b + b * length / (avg or 1)) for length in lengths]
        self._postings: dict[str, list[tuple[int, int]]] = {}
        for i, doc in enumerate(docs):
            for term, tf in doc.items():
                self._postings.setdefault(term, []).append((i, tf))
        n = len(docs)
        self.idf = {
            term: math.log(1 + (n - len(p) + 0.5) / (len(p) + 0.5))
            for term, p in self._postings.items()
        }
        self._rarest = max(self.idf.values(), default=1.0)

    def scores(self, query_terms: Sequence[str]) -> list[float]:
        """BM25 score of every text for the query terms (0 for texts that share none)."""
        out = [0.0] * len(self._norm)
        for term in query_terms:
            for i, tf in self._postings.get(term, ()):
                out[i] += self.idf[term] * tf * (self.k1 + 1) / (tf + self._norm[i])
        return out

    def coverage(
        self,
        query_terms: Sequence[str],
        text_terms: AbstractSet[str],
        translated: Mapping[str, str] | None = None,
    ) -> float:
        """Share of the query's IDF weight that `text_terms` contains, in [0, 1].

        Unlike a raw BM25 score this is comparable across questions, so it can decide
        whether anything relevant was found. Terms the corpus never uses get the weight of
        the rarest known term: a question about "France" is not answered by abstracts that
        merely share its "learning". A term counts as found when its translation is
        (`translated`: term -> the corpus word of the other language, rag/bridge.py).
        """
        weights = {t: self.idf.get(t, self._rarest) for t in set(query_terms)}
        total = sum(weights.values())
        if not total:
            return 0.0
        other = translated or {}
        return (
            sum(w for t, w in weights.items() if t in text_terms or other.get(t) in text_terms)
            / total
        )
