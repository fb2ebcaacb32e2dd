"""A chat turn over the library: question + earlier turns -> a stream of turn lists.

A conversation is a list of turns, each a JSON-ready dict, so it can be rendered
(`ui/render.py`), saved in the browser (`ui/chats.py`) and returned by the API alike:

    {"question": str, "answer": dict | None, "error": str | None, "done": bool, "stopped": bool}

`answer` is `answer_dict(Answer)`: its text, `found`, `draft`, notices and its own sources.
Only the last `Settings.ui_history_messages` messages go to the library as history, so a
long chat keeps working. Leaves out retrieval and answering, which are the library's.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator

from rag.citation import heading
from rag.errors import RagError
from rag.qa import QA
from rag.types import Answer, Source

log = logging.getLogger("ui.requests")


def source_dict(s: Source) -> dict:
    """A cited abstract as JSON: what the cards and the `/ask` API show.

    `heading` names the paper ("Title — First Author et al. (Year)"); `derived` is True
    when the corpus gave no title and `heading` is a label made from the abstract.
    """
    r = s.relevance
    named = heading(s)
    return {
        "title": s.title,
        "authors": list(s.authors),
        "year": s.year,
        "url": s.url,
        "heading": named.text,
        "derived": named.derived,
        "id": s.id,
        "text": s.text,
        "file": s.file,
        "line": s.line,
        "where": s.where,
        "language": s.language,
        "score": round(float(s.score), 4),
        "highlights": [[h.start, h.end] for h in s.highlights],
        "relevance": None
        if r is None
        else {"dense": float(r.dense), "lexical": float(r.lexical), "terms": list(r.terms)},
    }


def answer_dict(a: Answer) -> dict:
    """An answer as JSON; `[n]` in `text` is `sources[n-1]`."""
    return {
        "text": a.text,
        "found": a.found,
        "draft": a.draft,
        "answered_by": a.answered_by,
        "notices": list(a.notices),
        "sources": [source_dict(s) for s in a.sources],
    }


def history_of(turns: list[dict], window: int) -> list[dict]:
    """The last `window` messages of the finished turns, as the library takes them."""
    messages = []
    for t in turns:
        answer = t.get("answer")
        if t.get("error") or not answer or answer.get("draft"):
            continue
        messages.append({"role": "user", "content": t["question"]})
        messages.append({"role": "assistant", "content": answer["text"]})
    return messages[-window:] if window else []


def chat_turn(
    qa: QA,
    question: str,
    turns: list[dict],
    answerer: str | None = None,
    where: dict | None = None,
) -> Iterator[list[dict]]:
    """Ask `question` after `turns` (only of papers in `where`, see `rag.ask`); yield the
    conversation each time the answer grows.

    A question the library rejects (`RagError`) becomes a turn with its `error` set.
    """
    history = history_of(turns, qa.settings.ui.history_messages)
    turn = {"question": question, "answer": None, "error": None, "done": False, "stopped": False}
    yield [*turns, turn]
    started, answer = time.monotonic(), None
    try:
        for answer in qa.stream(question, history, answerer=answerer, where=where):
            turn = {**turn, "answer": answer_dict(answer)}
            yield [*turns, turn]
    except RagError as err:
        log.info("question rejected: %s", err)
        yield [*turns, {**turn, "error": str(err), "done": True}]
        return
    log_answer(answer, time.monotonic() - started, "chat")
    yield [*turns, {**turn, "done": True}]


def log_answer(answer: Answer | None, seconds: float, route: str) -> None:
    """One server log line per request: route, time, who answered, sources. No question text."""
    if answer is not None:
        log.info(
            "%s answered in %.2f s by %s: %s, %d sources",
            route,
            seconds,
            answer.answered_by,
            "found" if answer.found else "not found",
            len(answer.sources),
        )


def stop(turns: list[dict]) -> list[dict]:
    """The conversation after Stop: an unfinished last turn is kept, marked as stopped."""
    if not turns or turns[-1].get("done"):
        return turns
    last = {**turns[-1], "done": True, "stopped": True}
    if last.get("answer") is None:
        last["error"] = "Stopped before an answer was found."
    elif last["answer"].get("draft"):  # unchecked text is never kept as an answer
        last["answer"], last["error"] = None, "Stopped while the answer was being written."
    return [*turns[:-1], last]
