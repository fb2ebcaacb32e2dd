"""Generated answers: the prompt filled with numbered sources, streamed, checked, or replaced.

`GenerativeAnswerer` is an `Answerer` over any LangChain chat model. It fences the data
(abstracts and the question) inside tags the data itself cannot close, streams the reply
token by token as unchecked drafts, then runs the citation check (rag/citations.py) on the
finished text. Every failure (server down, timeout, a model that cannot load, nothing the
sources support) ends in the fallback answerer's draft with a notice saying why, so the
caller always gets an answer and never a traceback.

Leaves out retries and the conversation's earlier answers: retrieval has already resolved
follow-ups, so the model sees the question, the earlier subject, and the sources.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import HumanMessage

from rag.answering import Answerer, Draft, Evidence
from rag.citations import CitationChecker
from rag.errors import LLMError
from rag.prompts import (
    ANSWER_PROMPT,
    FOLLOW_UP_NOTE,
    LANGUAGE_NAMES,
    NOTICE_FALLBACK,
    NOTICE_NOTHING_SUPPORTED,
    SOURCE_BLOCK,
    STOP_SEQUENCES,
)
from rag.query import Query
from rag.retrieval import Passage

# Any opening or closing tag of our fences, in the data: removed, so data stays inside.
_FENCE = re.compile(r"</?\s*(?:source|question)\b[^>]*>", re.IGNORECASE)


def fence(text: str) -> str:
    """Data made safe to put between our tags: it cannot open or close one."""
    return _FENCE.sub(" ", text)


def build_prompt(query: Query, passages: Sequence[Passage]) -> str:
    """The filled `ANSWER_PROMPT`: numbered sources, the question, the language to answer in."""
    sources = "\n\n".join(
        SOURCE_BLOCK.format(n=n, text=fence(p.hit.abstract.text))
        for n, p in enumerate(passages, start=1)
    )
    asked = fence(query.text)
    if query.subject:
        asked += "\n" + FOLLOW_UP_NOTE.format(subject=fence(query.subject))
    return ANSWER_PROMPT.format(
        language=LANGUAGE_NAMES[query.language], sources=sources, question=asked
    )


class GenerativeAnswerer:
    """Streams a chat model's answer within a time and token budget, then checks it.

    `make_model` is called on first use, so a backend that is not installed costs nothing
    until asked for, and its failure to load is one more reason to fall back.
    """

    def __init__(
        self,
        make_model: Callable[[], BaseChatModel],
        name: str,
        checker: CitationChecker,
        fallback: Answerer,
        *,
        timeout: float = 60.0,
        max_tokens: int = 256,
    ) -> None:
        self.name = name  # the backend's name, for notices and `Answer.answered_by`
        self.checker = checker
        self.fallback = fallback
        self.timeout = timeout
        self.max_tokens = max_tokens
        self._make_model = make_model
        self._model: BaseChatModel | None = None
        self._lock = threading.Lock()

    def model(self) -> BaseChatModel:
        """The chat model, made once. Raises LLMError when it cannot be."""
        with self._lock:
            if self._model is None:
                self._model = self._make_model()
            return self._model

    def stream(self, evidence: Evidence) -> Iterator[Draft]:
        """Unchecked drafts as tokens arrive; then the checked draft, or the fallback's."""
        text = ""
        try:
            for token in self.stream_text(evidence.query, evidence.passages):
                text += token
                yield Draft(text.lstrip(), final=False, checked=False, answered_by=self.name)
        except LLMError as err:
            notice = NOTICE_FALLBACK.format(backend=self.name, reason=str(err).rstrip("."))
            yield from self._fall_back(evidence, (notice,))
            return
        checked = self.checker.check(text, evidence.passages)
        if not checked.draft.used:
            notice = NOTICE_NOTHING_SUPPORTED.format(backend=self.name)
            yield from self._fall_back(evidence, (*checked.notices, notice))
            return
        yield replace(checked.draft, notices=checked.notices, answered_by=self.name)

    def _fall_back(self, evidence: Evidence, notices: tuple[str, ...]) -> Iterator[Draft]:
        for draft in self.fallback.stream(evidence):
            yield replace(draft, notices=(*draft.notices, *notices)) if draft.final else draft

    def stream_text(self, query: Query, passages: Sequence[Passage]) -> Iterator[str]:
        """Yield the answer's tokens as the model writes them.

        Stops after `max_tokens` pieces even when a server ignores its own limit.

        Raises:
            LLMError: the model cannot be made or failed, or the answer took longer than
                `timeout` seconds.
        """
        deadline = time.monotonic() + self.timeout
        prompt = [HumanMessage(build_prompt(query, passages))]
        model = self.model()
        try:
            for count, chunk in enumerate(model.stream(prompt, stop=STOP_SEQUENCES), start=1):
                if time.monotonic() > deadline:
                    raise LLMError(self._too_slow())
                yield chunk.text
                if count >= self.max_tokens:
                    return
        except LLMError:
            raise
        except Exception as err:  # any client or model failure: the caller falls back
            if _is_timeout(err):
                raise LLMError(self._too_slow()) from err
            raise LLMError(_describe(err)) from err

    def _too_slow(self) -> str:
        return f"no complete answer within {self.timeout:g} s, see RAG_LLM_TIMEOUT"


def _client_errors() -> tuple[tuple[type, ...], tuple[type, ...]]:
    """(timeout types, connection types) of the clients that may be installed."""
    timeouts: list[type] = [TimeoutError]
    connections: list[type] = [ConnectionError]
    try:
        import httpx

        timeouts.append(httpx.TimeoutException)
        connections.append(httpx.TransportError)
    except ImportError:
        pass
    try:
        import openai

        timeouts.append(openai.APITimeoutError)  # before its base, APIConnectionError
        connections.append(openai.APIConnectionError)
    except ImportError:
        pass
    return tuple(timeouts), tuple(connections)


def _is_timeout(err: Exception) -> bool:
    return isinstance(err, _client_errors()[0])


def _describe(err: Exception) -> str:
    """A one-line reason for a model failure, without the traceback or any secret."""
    if isinstance(err, _client_errors()[1]):
        return "the server cannot be reached"
    name = type(err).__name__
    message = str(err).splitlines()[0] if str(err) else ""
    return f"{name}: {message[:160]}" if message else name
