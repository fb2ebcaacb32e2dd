"""The conversation resolved, once, into what to search for and how to answer: a `Query`.

A question is one of three kinds:
- `standalone`: it names its own subject ("What NDS does CMT reach on nuScenes?");
- `follow-up`: it points back into the conversation ("What datasets did it use?", "它…"),
  so it is searched together with its *subject*, the last earlier user question that was
  itself self-contained, with the name of the paper the last answer named (if one); a chain
  of follow-ups keeps pointing at the same subject. A
  question that names a paper (a name only one abstract uses, such as EMO or FedGS) is
  about that paper, whatever its pronouns ("What is the model size of EMO?"); the papers
  a question names are kept in `Query.named`, so "SSRN vs HiTeA" retrieves both;
- `list`: it asks for every abstract on a topic ("Which papers use X?", 哪些论文…).

Everything downstream (retrieval, answerers, prompts) reads the `Query`, never the raw
history. Leaves out resolving follow-ups with a language model: the rules below need none
and run in microseconds.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from rag.corpus import detect_language

QueryKind = Literal["standalone", "follow-up", "list"]

# Words by which a question points back into the conversation instead of naming its subject.
# "that" points back as a pronoun ("about that", "does that", "what's that", "that paper",
# "how can I fix that?")
# but not as a relative ("a method that skips averaging": the question's own subject).
_ANAPHORA_EN = re.compile(
    r"\b(it|its|it's|they|them|their|this|these|those|the (?:paper|method|model|approach|"
    r"authors?|framework|same|work|study|results?))\b"
    r"|^\s*that\b|[.!?;:,]\s*that\b|'s\s+that\b|\bthat\s*(?:[.!?？]|$)|\bthat\s+(?:paper|method|model|approach|"
    r"study|framework|one|dataset|network|system|technique|benchmark|idea)s?\b"
    r"|\b(?:about|of|on|for|with|in|from|to|like|is|was|are|were|does|do|did|use|uses|mean|"
    r"means|explain|say|says|call|called|try|tried|get|gets)\s+that\b",
    re.IGNORECASE,
)
_ANAPHORA_ZH = re.compile(r"它|其|该|这个|这种|这篇|这项|此|上述|他们")
# A question that continues the last one without naming anything ("And on ADE20k?", "What
# about training cost?", "How many categories are annotated there?", "Website?", 那同步的
# FL 为什么难以扩展?, 在 COCO 上呢?). Not 那 ICD 那篇…的论文呢: that describes a new subject.
_ELLIPSIS = re.compile(
    r"^\s*(?:and|so|also|ok(?:ay)?,?\s+and|what about|how about|what else|anything else)\b"
    r"|\bthere\s*[?？]?\s*$|\bthe (?:first|second|third|last|other|latter|former)\b"
    r"|^(?![^?？]*(?:篇|论文|文章))\s*(?:那(?!些)|还有|另外|此外)"
    r"|^(?![^?？]*(?:篇|论文|文章))[^?？]*呢\s*[?？]?\s*$",
    re.IGNORECASE,
)
# A question of a word or two ("Website?", "Why?", 代码?): it can only ask about what came before.
_SHORT = re.compile(r"^\s*(?:[A-Za-z-]+(?:\s+[A-Za-z-]+)?|[\u4e00-\u9fff]{1,4})\s*[?？]\s*$")
# Words by which a question says it leaves the conversation's subject for another paper.
_SWITCH = re.compile(
    r"\b(?:switch(?:ing)? (?:to|papers|topics?)|different (?:topic|paper)|now (?:tell me )?about"
    r"|moving on)\b|换个话题|换一篇|另一篇",
    re.IGNORECASE,
)

# "Which papers are about X?" asks for every abstract on a topic, not for one fact; so do
# "which of the papers ...", "which ones build on GPT?" and "... CT images? Which ones?"
# ("which ones did it use?" asks about one paper). Dev: 2 lists gained, no answer changed.
_LIST_QUESTION = re.compile(
    r"\b(?:which|what|list|any)\s+(?:other\s+)?(?:papers|abstracts|works|studies|articles|"
    r"methods)\b|\bwhich of (?:the|these|those) (?:papers|abstracts|works|studies|articles)\b"
    r"|\bwhich ones\b(?!\s+(?:did|does|do|is|was|were) (?:it|they)\b)"
    r"|哪些(?:论文|文章|工作|研究|摘要|方法)|哪几篇",
    re.IGNORECASE,
)


_WORD = re.compile(r"[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*")


@dataclass(frozen=True)
class Query:
    """A question as the pipeline answers it."""

    text: str  # the question as asked (control characters already spaces)
    kind: QueryKind = "standalone"
    subject: str | None = None  # for a follow-up: the earlier question it leans on
    language: str = "en"  # of the question: "en" or "zh"
    named: tuple[str, ...] = ()  # ids of the abstracts the question names, in its order

    @property
    def search_text(self) -> str:
        """What retrieval searches for: the subject, then the question."""
        return f"{self.subject} {self.text}" if self.subject else self.text


def is_list_question(question: str) -> bool:
    """Whether a question asks for all abstracts on a topic ("Which papers use X?")."""
    return bool(_LIST_QUESTION.search(question))


def is_follow_up(question: str) -> bool:
    """Whether a question refers back to earlier turns rather than naming its own subject;
    one that says it switches papers ("Switching to the MGTAB paper: ...", 换个话题) does not:
    its pronouns point at the paper it names."""
    if _SWITCH.search(question):
        return False
    return bool(
        _ANAPHORA_EN.search(question)
        or _ANAPHORA_ZH.search(question)
        or _ELLIPSIS.search(question)
        or _SHORT.match(question)
    )


# Thanks and goodbyes: "thx, that's all for now, bye!", 谢谢,再见.
_THANKS = re.compile(
    r"\b(?:thx|thanks|thank you|ty|bye|goodbye|cheers|got it|that'?s all)\b"
    r"|谢谢|多谢|再见|拜拜|就这些|明白了|知道了",
    re.IGNORECASE,
)
# What makes a message a question or a request: its mark, a question word, a verb asking.
_ASKS = re.compile(
    r"[?？]|\b(?:what|which|who|whom|whose|when|where|why|how|tell|explain|show|list|"
    r"describe|give|summari[sz]e|compare|define|name|find|more|also|any)\b"
    r"|(?:^|[,.;:!]\s*)(?:is|are|was|were|do|does|did|can|could|should|would|will|has|have)\b"
    r"|什么|怎么|怎样|为什么|如何|哪|吗|呢|多少|几|是否|有没有|请|说说|讲讲|介绍|解释|告诉|列出|比较|总结",
    re.IGNORECASE,
)


def is_small_talk(question: str) -> bool:
    """Whether a message only thanks or says goodbye, asking nothing: after a turn about a
    paper, "thx, that's all for now, bye!" is a follow-up by its "that" and was answered
    from that paper (everyday questions did not catch it: too short to be near any)."""
    return bool(_THANKS.search(question)) and not _ASKS.search(question)


def named_papers(question: str, names: Mapping[str, str]) -> tuple[str, ...]:
    """The abstracts the question names by a name only one abstract uses (rag/index.py),
    or by a phrase that spells one out ("Unlearnable Clusters"), in the question's order."""
    found = [(m.start(), names.get(m.group(0).lower())) for m in _WORD.finditer(question)]
    lowered = " ".join(question.lower().split())
    found += [(lowered.find(n), aid) for n, aid in names.items() if " " in n and n in lowered]
    return tuple(dict.fromkeys(aid for _, aid in sorted(found, key=lambda f: f[0]) if aid))


def resolve(
    question: str,
    history: Sequence[dict] | None = None,
    names: Mapping[str, str] | None = None,
    own_names: Mapping[str, str] | None = None,
) -> Query:
    """The `Query` for a question and the conversation before it (oldest message first).

    `names` are the names only one abstract uses, with its id (`Index.names`): a question
    using one is no follow-up. `own_names` are those a paper gives itself
    (`Index.own_names`): the papers a question names that way are `Query.named`.
    """
    language = detect_language(question)
    named = named_papers(question, own_names or {})
    if history and is_follow_up(question) and not named_papers(question, names or {}):
        asked = [m.get("content", "") for m in history if m.get("role") == "user"]
        # The last self-contained question, else the conversation's first (when every
        # question before reads as a follow-up: "And its code?" after "Is it fast?").
        content = next(
            (c for c in reversed(asked) if not is_follow_up(c)), asked[0] if asked else ""
        )
        if content:
            name, paper = _replied(history, own_names)
            if paper and paper not in named_papers(content, own_names or {}):
                content = f"{content} {name}"
            return Query(question, "follow-up", content, language)
    kind: QueryKind = "list" if is_list_question(question) else "standalone"
    return Query(question, kind, None, language, named)


def _replied(history: Sequence[dict], own_names: Mapping[str, str] | None) -> tuple[str, str]:
    """The name and id of the paper the last answer named, when it named exactly one: searched
    with the subject, so "它" finds that paper even when the question before only described a
    topic ("有没有做推特机器人检测的基准?"). Added to the search, not forced first: a
    follow-up may switch papers ("Switching papers: in the grounding work, ...")."""
    names = own_names or {}
    for message in reversed(history):
        if message.get("role") == "assistant":
            words = _WORD.findall(message.get("content", ""))
            found = {word: names[word.lower()] for word in words if word.lower() in names}
            if len(set(found.values())) != 1:
                return "", ""
            return next(iter(found.items()))
    return "", ""
