"""Generated answers: the prompt filled with numbered sources, and the model's tokens streamed.

`GenerativeAnswerer` wraps any LangChain chat model. It fences the data (abstracts and the
question) inside tags the data itself cannot close, streams the reply token by token, and
turns every failure (server down, timeout, a model that cannot load) into `LLMError`, so
the caller can fall back to the extractive answer. Checking the reply's citations is
`rag/citations.py`'s job; this module only produces text.

Leaves out retries and the conversation's earlier answers: retrieval has already resolved
follow-ups, so the model sees the question, the earlier subject, and the sources.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator, Sequence

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import HumanMessage

from rag.answering import Passage
from rag.corpus import detect_language
from rag.errors import LLMError
from rag.prompts import (
    ANSWER_PROMPT,
    FOLLOW_UP_NOTE,
    LANGUAGE_NAMES,
    SOURCE_BLOCK,
    STOP_SEQUENCES,
)

# Any opening or closing tag of our fences, in the data: removed, so data stays inside.
_FENCE = re.compile(r"</?\s*(?:source|question)\b[^>]*>", re.IGNORECASE)


def fence(text: str) -> str:
    """Data made safe to put between our tags: it cannot open or close one."""
    return _FENCE.sub(" ", text)


def build_prompt(question: str, passages: Sequence[Passage], subject: str | None = None) -> str:
    """The filled `ANSWER_PROMPT`: numbered sources, the question, the language to answer in."""
    sources = "\n\n".join(
        SOURCE_BLOCK.format(n=n, text=fence(p.hit.abstract.text))
        for n, p in enumerate(passages, start=1)
    )
    asked = fence(question)
    if subject:
        asked += "\n" + FOLLOW_UP_NOTE.format(subject=fence(subject))
    return ANSWER_PROMPT.format(
        language=LANGUAGE_NAMES[detect_language(question)], sources=sources, question=asked
    )


class GenerativeAnswerer:
    """Streams a chat model's answer to the filled prompt, within a time and token budget."""

    def __init__(
        self, model: BaseChatModel, name: str, timeout: float = 60.0, max_tokens: int = 256
    ) -> None:
        self.model = model
        self.name = name  # the backend's name, for notices
        self.timeout = timeout
        self.max_tokens = max_tokens

    def stream_text(
        self, question: str, passages: Sequence[Passage], subject: str | None = None
    ) -> Iterator[str]:
        """Yield the answer's tokens as the model writes them.

        Stops after `max_tokens` pieces even when a server ignores its own limit.

        Raises:
            LLMError: the model failed, or the answer took longer than `timeout` seconds.
        """
        deadline = time.monotonic() + self.timeout
        prompt = [HumanMessage(build_prompt(question, passages, subject))]
        try:
            for count, chunk in enumerate(self.model.stream(prompt, stop=STOP_SEQUENCES), start=1):
                if time.monotonic() > deadline:
                    raise LLMError(self._too_slow())
                yield chunk.text
                if count >= self.max_tokens:
                    return
        except LLMError:
            raise
        except Exception as err:  # any client or model failure: the caller falls back
            if "Timeout" in type(err).__name__:
                raise LLMError(self._too_slow()) from err
            raise LLMError(_describe(err)) from err

    def _too_slow(self) -> str:
        return f"no complete answer within {self.timeout:g} s, see RAG_LLM_TIMEOUT"


def _describe(err: Exception) -> str:
    """A one-line reason for a model failure, without the traceback or any secret."""
    name = type(err).__name__
    if "Connection" in name:
        return "the server cannot be reached"
    message = str(err).splitlines()[0] if str(err) else ""
    return f"{name}: {message[:160]}" if message else name
