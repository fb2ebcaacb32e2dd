"""What kind of answer a question asks for, and which sentences can carry it.

A question names its subject ("the analogical inference framework for knowledge graphs")
and asks for one detail ("which datasets?"). The subject's words are in many sentences;
the detail is in the one that holds a *thing of the asked type*: a figure for "how
many / 多少", a dataset name for "evaluated on which dataset / 在哪个数据集", two or more
names for "which two attacks / 哪几种图", the sentence that introduces a name for "what is
it called" and for a question looking for a method by what it does ("Is there a network
that ...?", 有没有…的方法), a link for "where is the code". The extractive answerer
(rag/answering.py) adds a cue for each type the question wants and the sentence holds.

Types are read off the surface in both languages (Traditional characters are folded to
Simplified first). The "things" are language-neutral on purpose: digits, acronyms and
mixed-case names survive machine translation (LVIS, FB15k-237, 37.4), and Chinese number
words with a measure word (三个, 五倍, 一亿台) stand for figures.

Leaves out reading the sentence: whether the figure found is the one asked for needs a
reading model that does not ship offline.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rag.detail_kinds import LICENCE_STATED
from rag.lexical import simplified

_QUANTITY = re.compile(
    r"\b(?:how (?:much|many|large|big|fast|well|long|high|often|far)|by how|"
    r"what (?:is |was |are |were )?(?:the )?(?:accuracy|score|nds|map|miou|improvement|gain|"
    r"number|rate|percentage|size|length|lengths|resolution|scale|speed|speedup|error)|"
    r"to what (?:lengths?|extent|size)|at (?:roughly )?what scale|what (?:success )?rate)\b"
    r"|多少|提升|提高|几[个种类项篇次倍台例]|多大|多高|多长|多久|多快|多远|准确率|规模",
    re.IGNORECASE,
)
_DATASET_QUESTION = re.compile(
    r"\b(?:datasets?|benchmarks?|evaluated|evaluate|tested|validated|experiments?)\b"
    r"|数据集|资料集|基准|评测|评估|验证|实验",
    re.IGNORECASE,
)
_SEVERAL_QUESTION = re.compile(
    r"\b(?:which|what) (?:two|three|four|kinds?|types?|sorts?)\b"
    r"|\bwhat \w+s (?:does|do|did|are|were)\b|\bwhich \w+s\b|哪两|哪几|哪些|分别",
    re.IGNORECASE,
)
_NAME_QUESTION = re.compile(
    r"\b(?:what|which)\b[^?？]{0,40}?\b(?:framework|method|model|approach|system|algorithm|"
    r"network|paper|attack|library|tool|simulator|technique|solver|architecture|strategy|"
    r"acronym|platform|environment)s?\b"
    r"|\b(?:called|named|acronym)\b|\bthe name of\b|叫什么|名为|名字|哪种"
    r"|什么(?:框架|方法|模型|算法|攻击|网络|平台|环境)",
    re.IGNORECASE,
)
# A question that looks for a paper or a method by what it does ("Is there a network that
# can be trained block by block?", "How can I keep my photos from being learnt?", "..., how
# can you keep it from ...?", "How can a student model be kept from ...?", "— what fix was
# proposed?", 有没有…的方法): the sentence that names what the paper proposes answers it.
# Dev: the clause-initial, passive and "what fix was proposed" forms, 5 key facts gained
# (the student-model paraphrases), none lost.
_DISCOVERY_QUESTION = re.compile(
    r"(?:^|[,;:—–]\s*|[.!?]\s+|\s-\s+)"
    r"(?:is there|are there|any\b|do you know (?:of )?(?:a|an|any)\b|"
    r"(?:has|have|did|does) (?:anyone|anybody|someone)\b|(?:can|could) (?:i|someone|one|we)\b|"
    r"how (?:can|could|do|does|should|would|might) (?:i|one|we|you|people|someone|anyone)\b|"
    r"how (?:can|could|is|are|was|were|should) (?:\w+[ -]){1,6}?(?:be )?"
    r"(?:kept|prevented|stopped|protected|made|fixed|avoided|mitigated|reduced)\b|"
    r"what (?:fix|solution|remedy|approach|method) (?:was|is|did|do|does|has been|have been) "
    r"(?:\w+ )?(?:proposed|put forward|introduced|suggested|offered)\b|"
    r"i(?: need|'m looking for| am looking for) (?:a|an|some) (?:\w+ ){0,3}?(?:method|model|"
    r"library|tool|paper|dataset|benchmark|framework|way)\b)"
    r"|^\s*(?:有没有|是否有|有什么|有哪个|我想|我需要|怎样才能|如何才能|怎么才能)",
    re.IGNORECASE,
)
_LINK_QUESTION = re.compile(
    r"\b(?:code|github|url|link|website|available|released?|download)\b|代码|网址|链接|开源|发布",
    re.IGNORECASE,
)
# "Under what licence is AV2 released?", "Can I use it in a commercial product?", 可以商用吗:
# the sentence that states the licence answers it (rag/detail_kinds.py says when none does).
# Dev: 5 key facts gained (the opening "We introduce Argoverse 2" had been quoted), none lost.
_LICENCE_QUESTION = re.compile(
    r"\blicen[cs]e[sd]?\b|\bcommercial(?:ly)?\b|许可|授权|开源协议|商用|商业用途", re.IGNORECASE
)
_LICENCE = re.compile(LICENCE_STATED)
_YES_NO = re.compile(
    r"^\s*(?:is|are|was|were|does|do|did|can|could|has|have|had|will|would|should)\b"
    r"|吗[?？]?\s*$|是不是|是否|有没有|能不能|会不会",
    re.IGNORECASE,
)

# A figure stands alone: "20,000", "73.0%", "5×", "64x64", 五个, 一亿台, 第三, "seven"; not
# the digits of a name ("AV2", "ResNet-50", "3D"), which say nothing about how many, nor 一个
# and 一种 (Chinese for "a"), nor 第一 ("the first to").
_FIGURE = re.compile(
    r"(?<![A-Za-z\d.,-])\d+(?:[.,]\d+)*(?:[x×]\d+|%|x|×|倍)?(?![A-Za-z\d-])"
    r"|(?!一[个种类项台次篇例名位条组])[一二两三四五六七八九十百千万亿]+[个种类项台倍次篇例名位条组]"
    r"|第[二三四五六七八九十]+"
    r"|\b(?:two|three|four|five|six|"
    r"seven|eight|nine|ten|dozens?|hundreds?|thousands?|millions?|billions?)\b",
    re.IGNORECASE,
)
_LINK = re.compile(r"https?://|github\.|\.io\b|www\.", re.IGNORECASE)
_INTRODUCES = re.compile(
    r"\b(?:named|called|dubbed|termed|namely|propose[sd]?|introduce[sd]?)\b|称为|名为|提出", re.I
)
# A thing named in a sentence: an acronym or mixed-case name (LVIS, FB15k-237, nuScenes,
# ResNet-50, ModelScope), a word with digits, or a number.
_THING = re.compile(
    r"(?<![\w-])(?:[A-Za-z]*[A-Z][A-Za-z]*[A-Z0-9][\w+-]*(?:\.\d[\w+-]*)*|[a-z]+[A-Z][\w-]*"
    r"|[A-Za-z]{2,}\d[\w-]*"
    r"|\d+(?:[.,]\d+)+%?|\d+%|\d{2,})(?![\w-])"
)
_ENUMERATES = re.compile(
    r"、|以及|包括|(?:诸如|比如|例如|如)[^,，。]{1,20}[和与]"
    r"|\b(?:namely|including|such as|e\.g\.|i\.e\.)",
    re.IGNORECASE,
)
DATASET_WORD = re.compile(
    r"\b(?:datasets?|benchmarks?|experiments?|evaluat\w+|tested|validated)\b|数据集|基准|实验|评估|验证",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Wants:
    """The kinds of answer a question asks for (several can hold)."""

    figure: bool = False
    dataset: bool = False
    several: bool = False
    name: bool = False
    link: bool = False
    licence: bool = False
    yes_no: bool = False
    asked: frozenset[str] = frozenset()  # the question's own things, in lower case
    figures: frozenset[str] = frozenset()  # the question's own figures ("Argoverse 2")

    @property
    def detail(self) -> bool:
        """Whether the question asks for a thing (not a yes/no or a why)."""
        return self.figure or self.dataset or self.several or self.name or self.link or self.licence


def wants(question: str) -> Wants:
    """What the question asks for."""
    text = simplified(question)
    return Wants(
        figure=bool(_QUANTITY.search(text)),
        dataset=bool(_DATASET_QUESTION.search(text)) and not _QUANTITY.search(text),
        several=bool(_SEVERAL_QUESTION.search(text)),
        name=bool(
            _NAME_QUESTION.search(text)
            # (not "How can I know how many sequences AV2 contains?": a figure is asked)
            or (_DISCOVERY_QUESTION.search(text) and not _QUANTITY.search(text))
        ),
        link=bool(_LINK_QUESTION.search(text)),
        licence=bool(_LICENCE_QUESTION.search(text)),
        yes_no=bool(_YES_NO.search(text)),
        asked=frozenset(t.lower() for t in _THING.findall(text)),
        figures=frozenset(f.lower() for f in _FIGURE.findall(text)),
    )


def new_figures(text: str, want: Wants) -> list[str]:
    """The figures the text gives that the question does not ("2" of "Argoverse 2")."""
    return [f for f in _FIGURE.findall(simplified(text)) if f.lower() not in want.figures]


# The question's own ask for a figure: at its start or a clause's ("In SSRN, how many..."),
# not inside a description ("the work that quantifies how far the midline moved"); 哪几种
# asks which ones, not how many.
_ASKS_FIGURE = re.compile(
    r"(?:^|[,;:，；：]\s*)(how (?:much|many|large|big|fast|long|high|often|far)|by how much)\b"
    r"|(?<!哪)(多少|几[个种类项篇次倍台例]|多大|多高|多长|多久|多快|多远)",
    re.IGNORECASE,
)


def asked_quantity(question: str) -> str:
    """The words by which the question asks for a figure ("how many", 多少), or ""."""
    found = _ASKS_FIGURE.search(simplified(question).strip())
    return next(g for g in found.groups() if g) if found else ""


def new_things(sentence: str, want: Wants) -> list[str]:
    """The things the sentence names that the question does not."""
    return [t for t in _THING.findall(sentence) if t.lower() not in want.asked]


def cues(sentence: str, want: Wants) -> float:
    """How many of the wanted kinds of answer the sentence holds (a link or a licence counts
    twice: a question about code or terms of use has one right sentence)."""
    text = simplified(sentence)
    things = new_things(text, want)
    score = 0.0
    if want.figure and new_figures(text, want):
        score += 1
    if want.dataset and things and DATASET_WORD.search(text):
        score += 1
    if want.several and (len(set(things)) >= 2 or _ENUMERATES.search(text)):
        score += 1
    if want.name and _INTRODUCES.search(text) and things:
        score += 1
    if want.licence and _LICENCE.search(text):
        score += 2
    if want.link and _LINK.search(text):
        score += 2
    return score
