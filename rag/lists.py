"""Which abstracts belong to a list question ("Which papers use X?", 哪些论文…).

A list wants every abstract on its topic, not the best few: the relevance gate of
rag/retrieval.py decides most members, and three rules here correct it.

- Alternatives ("long-tailed or class-imbalanced data", 比如变分自编码器、标准化流): an
  abstract holding `min_lexical` of one alternative's weight, at the concept margin, is a
  member; what precedes the first alternative binds them all ("papers on federated
  learning that use CNNs or transformers" stay on federated learning).
- Names ("Which papers report results on COCO?", "use a GPT model"): the abstracts that
  name the thing are the members, whatever their dense score, and those that only share
  the question's other words (实验, 数据集) are not.
- Access: words shared only in a "code is available" sentence are no topic, unless the
  question asks who releases code; asked alone ("Which papers release their code?"), every
  abstract that gives a link is a member.

Leaves out the search itself (rag/retrieval.py) and how many members are cited
(`list_k`, `HybridRetriever.retrieve`).
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import TYPE_CHECKING

from rag.bridge import Bridge
from rag.config import Settings
from rag.index import Index
from rag.lexical import tokenize
from rag.spelling import english_words

if TYPE_CHECKING:
    from rag.retrieval import Hit

# A sentence that says where code, models or data are: it is about access, not the topic.
_AVAILABILITY = re.compile(
    r"https?://|\\url|\b(?:code|models?|data(?:set)?s?|benchmark)\b[^.]{0,40}"
    r"\b(?:available|released?|public(?:ly)?)\b|\b(?:release|make)\b[^.]{0,20}\bcode\b"
    r"|代码|开源",
    re.IGNORECASE,
)
# Where a list question's alternatives part: "A or B", "A、B", "比如 A", "including A".
_ALTERNATIVES = re.compile(
    r"\bor\b|\bsuch as\b|\bincluding\b|[—–]|或者|或|、|比如|例如|包括", re.IGNORECASE
)
# A name in a question: an acronym or a mixed-case word (COCO, GPT, ImageNet, nuScenes).
_NAME = re.compile(r"(?<![\w-])(?:[A-Za-z]*[A-Z][a-z]*[A-Z][\w-]*|[a-z]+[A-Z][\w-]*)(?![\w-])")
_HOSTS = frozenset({"github", "gitlab", "huggingface", "bitbucket"})
# A list question about access itself ("Which papers release their code?").
_ASKS_ACCESS = re.compile(
    r"\b(?:release[sd]?|publish(?:es|ed)?|share[sd]?|open[- ]sourced?)\b[^?]{0,30}\bcode\b"
    r"|\bcode\b[^?]{0,30}\b(?:available|release[sd]?|public|open[- ]sourced?)\b"
    r"|\b(?:github|gitlab|website|project page|repository|repo|open[- ]source[d]?)\b"
    r"|开源|代码[^?？]{0,10}(?:发布|公开|哪里|链接|地址)|(?:发布|公开|给出)[^?？]{0,10}代码"
    r"|网址|主页",
    re.IGNORECASE,
)
# A link in an abstract: where its code, models or project page are.
_LINK = re.compile(r"https?://|\\url\{|github\.com|gitlab\.com|www\.", re.IGNORECASE)
# The words of a list about access alone ("Which abstracts include a GitHub link?",
# 哪些论文开源了代码?): with none but these, every abstract that gives a link is a member.
_ACCESS_WORDS = frozenset(
    """code codes github gitlab link links url urls website websites page pages project
    projects repository repositories repo repos implementation implementations source
    sources open open-source release released releases publicly public available
    include includes contain contains mention mentions provide provides share shares host
    hosts hosted make makes put give gives
    代码 开源 链接 网址 地址 发布 公开 项目 主页 提供 包含 给出 放出""".split()
)


def _best_first(hits: list[Hit]) -> list[Hit]:
    return sorted(hits, key=lambda h: (not h.relevant, -h.rank_score))


def either(
    hits: list[Hit], question: str, index: Index, settings: Settings, bridge: Bridge | None
) -> list[Hit]:
    """The hits with the members of any one alternative made relevant. Dev (131 lists,
    when it was written): share of the members cited 0.79 -> 0.80, cited non-members
    77 -> 77."""
    parts = [tokenize(p) for p in _ALTERNATIVES.split(question) if p.strip()]
    parts = [p for p in parts if p]
    if len(parts) < 2:
        return hits
    s = settings.retrieval
    bm25, held = index.bm25, index.abstract_terms
    translated = bridge.translate([t for p in parts for t in p]) if bridge else {}
    qualifier = parts[0][:-1]  # what precedes the first alternative qualifies them all
    out = []
    for h in hits:
        terms = held[h.abstract.id]
        if (
            not h.relevant
            and (not qualifier or any(t in terms or translated.get(t) in terms for t in qualifier))
            and h.margin >= s.min_margin_concept
            and any(
                bm25.coverage(p, terms) > 0 and bm25.coverage(p, terms, translated) >= s.min_lexical
                for p in parts
            )
        ):
            h = replace(h, relevant=True)
        out.append(h)
    return _best_first(out)


def _name_pattern(name: str, anycase: bool = False) -> re.Pattern[str]:
    """How an abstract may write a name the question uses: "GPT" as GPT, GPT-2 or GPT3,
    "GPT-3" as GPT3, "MS-COCO" as COCO, "GPT-family" as GPT; an acronym in any case, a
    mixed-case name as given (mAP is not "map") unless `anycase` (a link writes github.com;
    a machine translation MS-Coco, Imagenet)."""
    forms = [re.escape(name).replace(r"\-", "-?")]
    first, *_, last = name.split("-") if "-" in name else ("", "")
    if last.isalpha() and len(last) >= 3 and last[0].isupper():
        forms.append(re.escape(last))  # MS-COCO is COCO
    elif last.islower() and any(c.isupper() for c in first):
        forms.append(re.escape(first))  # GPT-family, BERT-based: GPT, BERT
    version = "" if any(c.isdigit() for c in name) else r"(?:-?\d[\w.]*)?"
    flags = re.IGNORECASE if anycase or (name.isupper() and len(name) >= 3) else 0
    return re.compile(rf"(?<![A-Za-z0-9])(?:{'|'.join(forms)}){version}(?![A-Za-z0-9])", flags)


def holding_names(hits: list[Hit], question: str, index: Index) -> list[Hit]:
    """The hits with the abstracts naming the question's names made relevant, and the
    others not: they shared the question's other words (实验, 数据集). With alternatives
    ("GPT or diffusion models") or several names (most often examples of one thing:
    "GPT-family models (GPT-2, GPT-3)") any one will do, and the others stay as they were.
    A name no abstract holds decides nothing, and in a question written in capitals every
    word looks like one: none is read.

    A topic beside the name ("papers on knowledge distillation that evaluate on COCO") is
    not required of its holders: tried on dev (a glossary concept as the topic), it lost a
    member and cited more non-members, and the corpus's translations miss concepts (自蒸馏).
    """
    latin = re.findall(r"[A-Za-z]+", question)
    if len(latin) >= 3 and all(w.isupper() for w in latin):
        return hits
    # Where code is hosted qualifies a list ("code under MediaBrain-SJTU on GitHub"); it is
    # no topic of its own.
    asked = [n for n in dict.fromkeys(_NAME.findall(question)) if n.lower() not in _HOSTS]
    # A name matches in any case unless it is also an English word (mAP, not "map"), or
    # always in a machine translation.
    english = english_words()
    patterns = {
        n: (_name_pattern(n, anycase=n.lower() not in english), _name_pattern(n, anycase=True))
        for n in asked
    }
    concepts = {n: c for n in asked if (c := tokenize(n)) and c[0].startswith("c:")}
    store, held = index.store.abstracts, index.abstract_terms

    def holds(aid: str, name: str) -> bool:
        a = store[aid]
        pattern = patterns[name][a.language != "en"]
        return bool(pattern.search(f"{a.title or ''} {a.text}")) or (
            name in concepts and concepts[name][0] in held[aid]
        )

    names = [n for n in asked if any(holds(aid, n) for aid in store)]
    if not names:
        return hits
    alternatives = len([p for p in _ALTERNATIVES.split(question) if p.strip()]) > 1
    any_one = len(names) > 1 or alternatives
    out = []
    for h in hits:
        aid = h.abstract.id
        found = [holds(aid, n) for n in names]
        if any(found) if any_one else all(found):
            h = replace(h, relevant=True)
        elif not any_one:
            h = replace(h, relevant=False)
        out.append(h)
    return _best_first(out)


def giving_access(hits: list[Hit], question: str) -> list[Hit]:
    """For a list about access alone ("Which papers release their code?", 哪些论文开源了代码?),
    the hits with every abstract that gives a link made relevant and the others not: its
    words (code, GitHub) are in a few abstracts' link sentences, and the gate judged the
    abstracts by them. A topic beside it ("Which federated learning papers release code?")
    leaves the gate to judge."""
    if not asks_access(question) or any(t not in _ACCESS_WORDS for t in tokenize(question)):
        return hits
    return _best_first([replace(h, relevant=bool(_LINK.search(h.abstract.text))) for h in hits])


def asks_access(question: str) -> bool:
    """Whether the list is about access itself ("Which papers release their code?")."""
    return bool(_ASKS_ACCESS.search(question))


def on_topic(hit: Hit, index: Index) -> bool:
    """Whether the words the abstract shares with a list question are in its content,
    not only in a sentence that says where its code or data are."""
    if not hit.matched:
        return True
    text = hit.abstract.text
    spans = index.store.sentence_spans.get(hit.abstract.id, [])
    terms = index.sentence_terms.get(hit.abstract.id, ())
    content: set[str] = set()
    for span, held in zip(spans, terms, strict=False):
        if not _AVAILABILITY.search(text[span.start : span.end]):
            content |= held
    return bool(content & set(hit.matched))
