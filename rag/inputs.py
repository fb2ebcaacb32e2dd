"""The public contract's inputs: a question and a history, checked and cleaned.

`validate` raises `TypeError` / `ValueError` with a message that says what to change;
`clean_text` turns control characters into spaces. Leaves out anything about meaning:
text that tries to give orders is checked like any other text.
"""

from __future__ import annotations

import re

from rag.errors import QuestionError, QuestionTypeError

MAX_QUESTION_CHARS = 4000  # a long paragraph; longer input is a paste, not a question
# A chat of 100 turns with long quoted answers stays under both; more is a replay, not a chat.
MAX_HISTORY_MESSAGES = 200
MAX_HISTORY_CHARS = 200_000
# Control characters (NUL included, tab and newline excepted) and lone surrogates carry no
# meaning in a question and upset tokenizers, so they become spaces before searching.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def validate(question: object, history: object) -> list[dict]:
    """Check the public contract's inputs; return history as a list of messages."""
    if not isinstance(question, str):
        raise QuestionTypeError(f"question must be a string, not {type(question).__name__}")
    if len(question) > MAX_QUESTION_CHARS:
        raise QuestionError(
            f"question is {len(question)} characters long; keep it under {MAX_QUESTION_CHARS}"
        )
    if not clean_text(question).strip():
        raise QuestionError(
            "question is empty (control characters are ignored): ask something about the abstracts"
        )
    if history is None:
        return []
    if not isinstance(history, list | tuple):
        raise QuestionTypeError(f"history must be a list of messages, not {type(history).__name__}")
    if len(history) > MAX_HISTORY_MESSAGES:
        raise QuestionError(
            f"history has {len(history)} messages; keep the last {MAX_HISTORY_MESSAGES} at most "
            "(or start a new chat)"
        )
    for i, message in enumerate(history):
        if not isinstance(message, dict):
            raise QuestionTypeError(f"history[{i}] must be a dict with 'role' and 'content'")
        if message.get("role") not in ("user", "assistant"):
            raise QuestionError(f"history[{i}]['role'] must be 'user' or 'assistant'")
        if not isinstance(message.get("content"), str):
            raise QuestionTypeError(f"history[{i}]['content'] must be a string")
    size = sum(len(m["content"]) for m in history)
    if size > MAX_HISTORY_CHARS:
        raise QuestionError(
            f"history holds {size} characters; keep it under {MAX_HISTORY_CHARS} "
            "(drop the oldest turns or start a new chat)"
        )
    return list(history)


def clean_text(text: str) -> str:
    """`text` with control characters (NUL included) and lone surrogates turned into spaces."""
    return _CONTROL.sub(" ", text)
