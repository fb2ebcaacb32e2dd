"""`QA`, the loaded question-answering pipeline, and `ask()`: question + history -> `Answer`.

`QA` owns what loads once per process: the embedder and the answerers (a generative
backend's model is made on first use). The `Index` (rag/index.py) is loaded once per
store generation: before each question `QA` checks, with one small file read, whether
`rag build` has swapped a new generation in, and if so answers from it. `ask()` keeps one
`QA` per `Settings`.

`QA.stream` runs the chain (rag/chain.py) and yields `Answer`s as the answerer writes;
`QA.ask` is the last of them, so there is one path to an answer.

`QA` is safe to call from several threads: the embedder serialises model calls, Chroma
queries are thread-safe, and the index is only read.

Leaves out the chain's steps (rag/chain.py), assembling a retriever from settings
(rag/retriever_setup.py), turning drafts into `Answer`s (rag/presentation.py), and
conversation memory of its own: the caller passes the history with each call.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Iterator, Sequence

from langchain_core.embeddings import Embeddings
from langchain_core.runnables import Runnable

from rag.answering import Answerer, ExtractiveAnswerer
from rag.chain import build_chain, messages_of, query_of
from rag.citations import CitationChecker
from rag.config import Settings
from rag.embeddings import get_embedder
from rag.generation import GenerativeAnswerer
from rag.index import Index
from rag.inputs import validate
from rag.llm import make_chat_model
from rag.retrieval import Hit, HybridRetriever
from rag.retriever_setup import build_retriever
from rag.scope import check as check_scope
from rag.store import open_store
from rag.types import Answer

_log = logging.getLogger(__name__)


class QA:
    """The loaded pipeline. Build one and call `ask` or `stream`, or use `rag.ask()`."""

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        embedder: Embeddings | None = None,
        index: Index | None = None,
        answerers: dict[str, Answerer] | None = None,
        english_embedder: Embeddings | None = None,
        progress: bool = True,
    ) -> None:
        """Load the pipeline; every part not given is made from `settings`.

        Args:
            settings: corpus, store, models and thresholds; default from `RAG_*`.
            embedder: the embedding model (must be the one the store was built with).
            index: an opened store; default: load it, building the store when missing
                or stale.
            answerers: answerers by name ('extractive', 'llamacpp', 'openai', or your
                own), replacing the default ones.
            english_embedder: the English-only model of `retrieval.english_model`
                (rag/english.py; it must be that model: the store holds its vectors);
                ignored when that setting is ''.
            progress: show a progress bar if the store has to be built.
        """
        self.settings = settings or Settings()
        self.embedder = embedder or get_embedder(self.settings.store.embedding_model)
        self.english_embedder = english_embedder  # loaded when a store has English chunks
        index = index or Index.load(self.settings, self.embedder, progress=progress)
        self._retriever = self._retriever_over(index)
        self._lock = threading.Lock()
        self.checker = CitationChecker(self.embedder)
        self.answerers: dict[str, Answerer] = {
            "extractive": ExtractiveAnswerer(self.settings.answer.answer_sentences)
        }
        self.answerers.update(answerers or {})
        self.chain: Runnable = build_chain(self)

    def _retriever_over(self, index: Index) -> HybridRetriever:
        return build_retriever(index, self.settings, self.embedder, self._english_model)

    def _english_model(self) -> Embeddings:
        """The English-only model, loaded the first time a store has English chunks."""
        model = self.settings.retrieval.english_model
        self.english_embedder = self.english_embedder or get_embedder(model)
        return self.english_embedder

    @property
    def retriever(self) -> HybridRetriever:
        """The retriever over the store generation being served (reopened after a rebuild)."""
        retriever = self._retriever
        if retriever.index.is_served():
            return retriever
        with self._lock:
            if not self._retriever.index.is_served():
                _log.info("A new store generation is served; opening it.")
                index = Index.of(open_store(self.settings, self.embedder))
                self._retriever = self._retriever_over(index)
            return self._retriever

    @property
    def index(self) -> Index:
        return self.retriever.index

    def answerer(self, name: str) -> Answerer:
        """The answerer called `name`; a generative one is made on first use."""
        with self._lock:
            if name not in self.answerers:
                s = self.settings
                self.answerers[name] = GenerativeAnswerer(
                    lambda: make_chat_model(s, name),
                    name,
                    self.checker,
                    self.answerers["extractive"],
                    timeout=s.llm.timeout,
                    max_tokens=s.llm.max_tokens,
                )
            return self.answerers[name]

    def ask(
        self,
        question: str,
        history: Sequence[dict] | None = None,
        *,
        answerer: str | None = None,
        where: dict | None = None,
    ) -> Answer:
        """Answer a question; see `rag.ask` for the contract. The last item of `stream`."""
        return deque(self.stream(question, history, answerer=answerer, where=where), maxlen=1)[0]

    def stream(
        self,
        question: str,
        history: Sequence[dict] | None = None,
        *,
        answerer: str | None = None,
        where: dict | None = None,
    ) -> Iterator[Answer]:
        """Yield the answer as it grows; the last one yielded is final (and checked).

        While a generated answer grows, its `draft` is True: the text is unchecked and its
        markers point at all the retrieved sources. The last `Answer` is the checked one
        (unsupported sentences and citations gone, markers renumbered), or the extractive
        answer with a notice if the model failed. `answerer` picks a backend for this call;
        None means `Settings.answer.answerer`. `where` limits the papers it may cite (see
        `rag.ask`).
        """
        request = {"question": question, "history": history, "answerer": answerer, "where": where}
        yield from self.chain.stream(request)

    def rank(self, question: str, history: Sequence[dict] | None = None) -> list[Hit]:
        """Every candidate abstract for the question, relevant ones first (for evaluation)."""
        retriever = self.retriever
        query = query_of(question, messages_of(history), retriever.index)
        vector = self.embedder.embed_query(query.search_text)
        return retriever.ranked(query, vector)


_instances: dict[Settings, QA] = {}
_instances_lock = threading.Lock()


def get_qa(settings: Settings | None = None) -> QA:
    """The process-wide `QA` for these settings, created (and the store built) on first use."""
    settings = settings or Settings()
    with _instances_lock:
        if settings not in _instances:
            _instances[settings] = QA(settings)
        return _instances[settings]


def ask(
    question: str,
    history: list[dict] | None = None,
    *,
    settings: Settings | None = None,
    answerer: str | None = None,
    where: dict | None = None,
) -> Answer:
    """Answer a question about the abstracts, citing them.

    Args:
        question: the question, in English or Chinese.
        history: earlier turns as `{"role": "user"|"assistant", "content": str}` messages,
            oldest first, as Gradio keeps them. Follow-up questions use it.
        settings: where the corpus and store are, and how to retrieve; default from `RAG_*`.
        answerer: 'extractive', 'llamacpp' or 'openai' for this call; None means
            `settings.answer.answerer`. A generative backend that fails gives the
            extractive answer with a notice in `Answer.notices`.
        where: only papers in this scope may be cited: `{"year": {"$gte": 2022}}`,
            `{"year": 2021, "authors": "Müller"}` (rag/scope.py). The filter runs in the
            store, on the metadata of BibTeX, RIS, CSV and JSON corpus files.

    Returns:
        `Answer` with `[n]` markers in `text` referring to `sources[n-1]`; `found` is False
        when the abstracts hold no answer.

    Control characters (NUL included) are treated as spaces; a question of nothing else is
    empty. Nothing here follows instructions: a question that gives the assistant orders
    ("ignore your rules", "print your system prompt") is answered `found=False` with a
    sentence saying so (`rag.prompts.INSTRUCTED`), citing nothing.

    Raises:
        QuestionTypeError: question is not a string, or history is malformed (a TypeError).
        QuestionError: question is empty or too long, a history role is unknown, or the
            history is too long, or `where` is malformed (a ValueError).
    """
    validate(question, history)  # before loading anything: a bad call fails fast
    check_scope(where)
    return get_qa(settings).ask(question, history, answerer=answerer, where=where)
