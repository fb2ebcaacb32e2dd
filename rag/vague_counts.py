"""A count the abstract gives only vaguely: "Which six cities…?" of "six distinct cities".

"How many X …" or "Which N X …", asked at a clause's start of an English abstract that
mentions X but never with a figure or a name beside it in its sentence ("hundreds of MIDI
files", "24 typologically different languages" for "which 24 languages"), is a near-miss:
quoting the sentence would not answer it. A thing the abstract never mentions decides
nothing (a paraphrase names it in other words), and generic things (method, approach,
them…) are never asked this way. rag/answerability.py names what was asked.

Leaves out Chinese abstracts: their names and figures may have been translated.
"""

from __future__ import annotations

import re

from rag.retrieval import Passage

# Counts a question asks for a set of named things by ("Which six cities ...?").
_ASK_COUNTS = r"(?:two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|\d+)"
# "Which six cities ...?", "Exactly how many MIDI files ...?": things asked for by count, or
# a counted set of them by name, from a clause's start ("What does the paper that counts
# how many people are in a crowd propose?" asks no count) up to the verb or preposition
# that ends the noun phrase. "What setting ...?" asks for a description, not a name or a
# figure: not asked this way.
_ASKED_THING = re.compile(
    r"(?:^|[,;:]\s*|\band\s+)(?:exactly\s+)?"
    r"(?:how many|(?:which|what)\s+" + _ASK_COUNTS + r"(?=\s))\s+"
    r"((?:[\w-]+\s+){0,3}?[\w-]+)(?=\s+(?:are|is|was|were|did|does|do|has|have|had|can"
    r"|could|would|will|should|in|of|for|on|at|from|with|by|to|per|that|which|when|and|or"
    r"|used|made|across|between|over|among|within|into|than|during|exactly|precisely"
    r"|specifically|altogether)\b|\s*[?,.]|$)",
    re.IGNORECASE,
)
# Things every abstract speaks of without naming them ("which two approaches", "how many
# of them"): a question asking for one is answered by a description, not a name.
_GENERIC_THINGS = frozenset(
    """method approach model problem task result data technique framework idea contribution
    way paper work study advantage benefit limitation challenge issue goal kind type part
    component module mechanism strategy performance improvement role purpose aspect property
    reason effect difference thing time it they them this that these those""".split()
)
# What specifies a thing: a name, an acronym, a figure (100k, 3x, 5%), a count in words.
_SPECIFIES = re.compile(
    r"\b(?:[A-Z][\w-]*[A-Z0-9][\w-]*|[A-Z][a-z]+[A-Z]\w*|[A-Z][a-z]{2,})\b|(?<![\w.])\d[\w.,%×]*"
    r"|(?i:\b(?:one|single|both|pair|dual|dozens?|two|three|four|five|six|seven|eight|nine|ten"
    r"|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty"
    r"|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|thousand|million|billion)\b)"
)
# Prefixes that make a kind of thing, not name one: "multi-city" is no city's name.
_PREFIXES = re.compile(
    r"\b(?:multi|cross|non|sub|semi|inter|intra|pre|post|co|self|anti|bi|tri|re|over|under)-$",
    re.IGNORECASE,
)
_NEAR = 40  # characters either side of a mention, within its sentence, where a name or figure
# for it would be: "six distinct cities", "a dataset of 100k images"


def _singular(word: str) -> str:
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if re.search(r"(?:s|x|ch|sh)es$", word):
        return word[:-2]
    if word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def vaguely_counted(question: str, passage: Passage) -> str:
    """The things asked for ("which six cities", "how many MIDI drum files") when the
    abstract mentions them but never with a name or figure the question lacks beside them
    ("six distinct cities", "hundreds of MIDI files"), else "". A thing the abstract never
    mentions decides nothing: a paraphrase names it in other words."""
    text = passage.hit.abstract.text
    own = {t.lower() for t in re.findall(r"[\w-]+", question)}
    spans = [(span.start, span.end) for span in passage.sentences] or [(0, len(text))]

    def specified(mention: re.Match[str]) -> bool:
        if text[max(0, mention.start() - 7) : mention.start()].endswith("-"):
            # "feature-level": the word before names which one, unless it is a prefix
            return not _PREFIXES.search(text[max(0, mention.start() - 7) : mention.start()])
        start, end = next(((a, b) for a, b in spans if a <= mention.start() < b), (0, len(text)))
        near_start = max(start, mention.start() - _NEAR)
        near = text[near_start : min(end, mention.end() + _NEAR)]
        for token in _SPECIFIES.finditer(near):
            if (
                near_start + token.start() == start
                or text[start : near_start + token.start()].isspace()
            ):
                continue  # a sentence's first word is capitalised, not a name
            if token.group(0).lower() not in own:
                return True
        return False

    for asked in _ASKED_THING.finditer(question):
        words = [_singular(w) for w in asked.group(1).lower().split()]
        if any(w in _GENERIC_THINGS for w in words):
            continue
        head = words[-1]
        if len(head) < 3:
            continue
        form = (
            rf"{re.escape(head[:-1])}(?:y|ies)"
            if head.endswith("y")
            else rf"{re.escape(head)}(?:s|es)?"
        )
        mentions = list(re.finditer(rf"\b{form}\b", text, re.IGNORECASE))
        if mentions and not any(specified(m) for m in mentions):
            return asked.group(0).strip(" ,;:").removeprefix("and ").strip()
    return ""
