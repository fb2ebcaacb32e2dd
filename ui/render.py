"""HTML for the conversation: questions, answers, their source cards, as escaped text.

Every piece of text (question, answer, abstract, notice) goes through `html.escape` before
it reaches the page; the only markup added is our own: `<mark>` around the sentences an
answer used, `[n]` links to that answer's own source cards, and links for plain http(s)
URLs (never `javascript:` or anything else). LaTeX residue that some abstracts carry
(`\\url{…}`, `\\textbf{…}`, `\\%`) is shown as the text it stands for.

A turn is a plain dict (see `ui/chat.py`), so the same data is rendered, saved in the
browser and sent back. Leaves out Markdown: answers are quotations, and rendering them as
Markdown is what turned `(CMT)` into `\\(CMT\\)` in the old copy button.
"""

from __future__ import annotations

import html
import re

from rag.citation import DERIVED

# \href{url}{text} -> text; \cite{...} -> nothing; \cmd{text} -> text; \% -> %
_HREF = re.compile(r"\\href\{([^{}]*)\}\{([^{}]*)\}")
_CITE = re.compile(r"~?\\cite[tp]?\{[^{}]*\}")
_COMMAND = re.compile(r"\\[A-Za-z]+\*?\{([^{}]*)\}")
_ESCAPED = re.compile(r"\\([%&_#$])")
# A URL is ASCII: it stops at a Chinese character, a space, a brace or a bracket, and loses
# the sentence's punctuation after it ("at https://x.org/y." links https://x.org/y).
_URL = re.compile(r"https?://[A-Za-z0-9\-._~:/?#@!$&'*+,;=%]+")
_TRAILING = ".,;:!?'"
_MARKER = re.compile(r"\[(\d+)\]")
LANGUAGES = {"en": "English", "zh": "Chinese"}


def clean(text: str) -> str:
    """`text` without LaTeX markup: what a reader should see and what copy should give."""
    text = _HREF.sub(r"\2 (\1)", text)
    text = _CITE.sub("", text)
    for _ in range(3):  # nested commands, such as \textbf{\emph{x}}
        text = _COMMAND.sub(r"\1", text)
    return _ESCAPED.sub(r"\1", text)


def rich(text: str, cite: str | None = None, n_sources: int = 0) -> str:
    """Escaped HTML for `text`, with http(s) URLs as links and `[n]` as links to cards.

    Args:
        text: plain text, already `clean`ed.
        cite: id prefix of the answer's cards (`{cite}-{n}`); None leaves markers as text.
        n_sources: markers above this number stay text.
    """
    out, last = [], 0
    for m in _URL.finditer(text):
        url = m.group(0).rstrip(_TRAILING)
        out.append(_markers(text[last : m.start()], cite, n_sources))
        href = html.escape(url, quote=True)
        out.append(
            f'<a href="{href}" target="_blank" rel="noopener noreferrer nofollow">{href}</a>'
        )
        last = m.start() + len(url)
    out.append(_markers(text[last:], cite, n_sources))
    return "".join(out)


def _markers(text: str, cite: str | None, n_sources: int) -> str:
    escaped = html.escape(text, quote=False)
    if cite is None:
        return escaped

    def link(m: re.Match) -> str:
        n = int(m.group(1))
        if not 1 <= n <= n_sources:
            return m.group(0)
        return f'<a class="cite" href="#{cite}-{n}" data-card="{cite}-{n}">[{n}]</a>'

    return _MARKER.sub(link, escaped)


def highlighted(source: dict) -> str:
    """The abstract with the sentences the answer used in `<mark>`, escaped and cleaned."""
    text, parts, last = source["text"], [], 0
    for start, end in source.get("highlights", []):
        parts.append(rich(clean(text[last:start])))
        parts.append(f"<mark>{rich(clean(text[start:end]))}</mark>")
        last = end
    parts.append(rich(clean(text[last:])))
    return "".join(parts)


def why(source: dict) -> str:
    """Why the source was found: its dense and lexical scores and the terms it shares."""
    r = source.get("relevance")
    if not r:
        return ""
    terms = ", ".join(html.escape(t) for t in r.get("terms", [])) or "none"
    return (
        '<p class="why">Why this source: meaning match (cosine) '
        f"{r['dense']:.3f} · question terms found {r['lexical']:.0%} · "
        f"shared terms: {terms}</p>"
    )


def paper(source: dict) -> str:
    """What the corpus says of the paper: every author, the year, the link; escaped, and
    empty when it says nothing (the seed format)."""
    parts = []
    if source.get("authors"):
        parts.append(html.escape("; ".join(source["authors"])))
    if source.get("year"):
        parts.append(str(int(source["year"])))
    url = source.get("url") or ""
    if url.startswith(("http://", "https://")):  # never a javascript: or data: link
        parts.append(rich(url))
    return f'<p class="paper">{" · ".join(parts)}</p>' if parts else ""


def card(source: dict, card_id: str, n: int, *, open_: bool) -> str:
    """One expandable card for a cited abstract, headed by the paper's name: "Title — First
    Author et al. (Year)", or a label derived from the abstract, marked so."""
    language = LANGUAGES.get(source["language"], source["language"])
    name = source.get("heading") or f"{source['file']}:{source['line']}"
    mark = f' <span class="derived">({DERIVED})</span>' if source.get("derived") else ""
    return (
        f'<details class="source-card" id="{card_id}"{" open" if open_ else ""}>'
        f"<summary>[{n}] {html.escape(name)}{mark} · {language} · "
        f"score {source['score']:.2f}</summary>{paper(source)}"
        f'<p lang="{html.escape(source["language"])}">{highlighted(source)}</p>'
        f'<p class="meta">Appears at: {html.escape(source["where"])} · id '
        f"{html.escape(source['id'])}</p>{why(source)}</details>"
    )


def _copy_button(text: str, what: str) -> str:
    value = html.escape(text, quote=True)
    return (
        f'<button type="button" class="copy" data-copy="{value}" '
        f'aria-label="Copy {what}" title="Copy {what}">Copy</button>'
    )


def turn_html(i: int, turn: dict, *, last: bool) -> str:
    """A question and its answer (or its error), followed by that answer's own sources."""
    question = turn["question"]
    parts = [
        f'<div class="msg user" id="q{i}"><div class="body">{rich(question)}</div>'
        f"{_copy_button(question, 'question')}</div>"
    ]
    answer, error = turn.get("answer"), turn.get("error")
    if error:
        parts.append(f'<div class="msg assistant error" role="alert">⚠️ {rich(error)}</div>')
    elif answer is None:
        parts.append(
            '<div class="msg assistant pending" aria-busy="true">Searching the abstracts…</div>'
        )
    else:
        parts.append(_answer_html(i, turn, answer, last=last))
    return f'<section class="turn" data-turn="{i}">{"".join(parts)}</section>'


def _answer_html(i: int, turn: dict, answer: dict, *, last: bool) -> str:
    text = clean(answer["text"])
    sources = answer.get("sources", [])
    if answer.get("draft"):  # unchecked generated text: shown as a draft, markers not linked
        return (
            '<div class="msg assistant draft" aria-busy="true">'
            '<p class="draft-note">Draft: checking citations… (unchecked text)</p>'
            f'<div class="body">{rich(text)}</div></div>'
        )
    state = ""
    if turn.get("stopped"):
        state = '<p class="draft-note">Stopped before the answer was complete.</p>'
    notices = "".join(f"<li>{html.escape(n)}</li>" for n in answer.get("notices", []))
    cards = "".join(
        card(s, f"a{i}-{n}", n, open_=last and n == 1) for n, s in enumerate(sources, start=1)
    )
    return (
        f'<div class="msg assistant" id="a{i}">{state}'
        f'<div class="body">{rich(text, f"a{i}", len(sources))}</div>'
        f"{_copy_button(text, 'answer')}"
        + (f'<ul class="notices">{notices}</ul>' if notices else "")
        + (f'<div class="sources"><h4>Sources</h4>{cards}</div>' if cards else "")
        + "</div>"
    )


def conversation_html(turns: list[dict]) -> str:
    """The whole conversation; an empty one shows how to start."""
    if not turns:
        return (
            '<div class="conversation empty"><p>Ask a question about the abstracts, in '
            "English or Chinese. Answers cite the abstracts as [n]; click a marker to open "
            "its source.</p></div>"
        )
    body = "".join(turn_html(i, t, last=i == len(turns) - 1) for i, t in enumerate(turns))
    return f'<div class="conversation" role="log" aria-live="polite">{body}</div>'
