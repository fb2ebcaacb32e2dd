"""The question-answering chain: question + history -> `Answer`, as LangChain runnables.

    validate -> standalone query -> hybrid retrieval -> answerer -> Answer

`QA` owns the loaded parts (embedder, opened store, retriever, answerer) so they load once
per process; `ask()` keeps one `QA` per `Settings`. The first `QA` for a corpus builds the
store when it is missing or was built from another corpus or other settings.

Leaves out store rebuilds while serving (a `QA` keeps the store it opened) and LLMs.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator, Sequence
from dataclasses import replace

from langchain_core.embeddings import Embeddings
from langchain_core.runnables import Runnable, RunnableLambda, RunnablePassthrough

from rag.answering import Answerer, ExtractiveAnswerer, Passage
from rag.config import Settings
from rag.corpus import detect_language, load_corpus
from rag.embeddings import get_embedder
from rag.prompts import NOT_FOUND
from rag.retrieval import HybridRetriever, is_list_question, standalone_query
from rag.store import Store, build_store, is_current, open_store
from rag.types import Answer, Source

MAX_QUESTION_CHARS = 4000  # a long paragraph; longer input is a paste, not a question
_MARKER = re.compile(r"\[(\d+)\]")


def validate(question: object, history: object) -> list[dict]:
    """Check the public contract's inputs; return history as a list of messages."""
    if not isinstance(question, str):
        raise TypeError(f"question must be a string, not {type(question).__name__}")
    if not question.strip():
        raise ValueError("question is empty: ask something about the abstracts")
    if len(question) > MAX_QUESTION_CHARS:
        raise ValueError(
            f"question is {len(question)} characters long; keep it under {MAX_QUESTION_CHARS}"
        )
    if history is None:
        return []
    if not isinstance(history, list | tuple):
        raise TypeError(f"history must be a list of messages, not {type(history).__name__}")
    for i, message in enumerate(history):
        if not isinstance(message, dict):
            raise TypeError(f"history[{i}] must be a dict with 'role' and 'content'")
        if message.get("role") not in ("user", "assistant"):
            raise ValueError(f"history[{i}]['role'] must be 'user' or 'assistant'")
        if not isinstance(message.get("content"), str):
            raise TypeError(f"history[{i}]['content'] must be a string")
    return list(history)


class QA:
    """The loaded pipeline. Build one and call `ask`, or use the module-level `ask()`."""

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        embedder: Embeddings | None = None,
        store: Store | None = None,
        answerer: Answerer | None = None,
        progress: bool = True,
    ) -> None:
        self.settings = settings or Settings()
        self.embedder = embedder or get_embedder(self.settings.embedding_model)
        if store is None:
            abstracts = load_corpus(self.settings.corpus_dir)
            if not is_current(self.settings, abstracts):
                build_store(self.settings, abstracts, self.embedder, progress=progress)
            store = open_store(self.settings, self.embedder)
        self.store = store
        self.retriever = HybridRetriever.from_store(store, self.embedder, self.settings)
        self.answerer = answerer or ExtractiveAnswerer(
            self.retriever.bm25.idf,
            max_sentences=self.settings.answer_sentences,
        )
        self.chain = self._build_chain()

    def _build_chain(self) -> Runnable:
        def retrieve(x: dict) -> dict:
            vector = self.embedder.embed_query(x["query"])
            hits = [h for h in self.retriever.search(x["query"], vector) if h.relevant]
            # A follow-up asks more about the conversation's subject: answer from it alone.
            # A list question ("Which papers...?") wants every abstract on its topic.
            if x["query"] != x["question"]:
                keep = 1
            elif is_list_question(x["question"]):
                keep = self.settings.list_k
            else:
                keep = self.settings.top_k
            return {"hits": hits[:keep], "vector": vector}

        return (
            RunnablePassthrough.assign(
                query=RunnableLambda(lambda x: standalone_query(x["question"], x["history"]))
            )
            | RunnablePassthrough.assign(retrieved=RunnableLambda(retrieve))
            | RunnableLambda(self._compose)
        )

    def _compose(self, x: dict) -> Answer:
        question, hits = x["question"], x["retrieved"]["hits"]
        if not hits:
            return Answer(NOT_FOUND[detect_language(question)], (), found=False)
        passages = [
            Passage(
                h,
                self.store.sentence_spans.get(h.abstract.id, []),
                self.store.sentence_vectors[h.abstract.id],
            )
            for h in hits
        ]
        # A follow-up was searched with its context; its sentences are scored on itself.
        same = x["query"] == question
        vector = x["retrieved"]["vector"] if same else self.embedder.embed_query(question)
        draft = self.answerer.compose(question, passages, vector)
        numbers = sorted(draft.used)
        if not numbers:
            return Answer(NOT_FOUND[detect_language(question)], (), found=False)
        renumber = {old: new for new, old in enumerate(numbers, start=1)}
        text = _MARKER.sub(
            lambda m: f"[{renumber[int(m.group(1))]}]" if int(m.group(1)) in renumber else "",
            draft.text,
        )
        sources = tuple(_source(hits[n - 1], draft.used[n]) for n in numbers)
        return Answer(text.strip(), sources, found=True)

    def ask(self, question: str, history: Sequence[dict] | None = None) -> Answer:
        """Answer a question; see `rag.ask` for the contract."""
        messages = validate(question, history)
        return self.chain.invoke({"question": question, "history": messages})

    def stream(self, question: str, history: Sequence[dict] | None = None) -> Iterator[Answer]:
        """Yield the answer as it grows; the last one yielded is complete.

        The extractive answer exists at once, so it is released a few words at a time for
        the chat to show it as it would a generated one.
        """
        answer = self.ask(question, history)
        words = re.split(r"(?<=\s)|(?<=[。！？；，])", answer.text)
        text = ""
        for i, word in enumerate(words):
            text += word
            if i % 4 == 3:
                yield replace(answer, text=text)
        yield answer


def _source(hit, highlights) -> Source:
    a = hit.abstract
    return Source(
        id=a.id,
        text=a.text,
        file=a.locations[0].file,
        line=a.locations[0].line,
        language=a.language,
        score=hit.score,
        locations=a.locations,
        highlights=tuple(sorted(highlights, key=lambda s: s.start)),
    )


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
    question: str, history: list[dict] | None = None, *, settings: Settings | None = None
) -> Answer:
    """Answer a question about the abstracts, citing them.

    Args:
        question: the question, in English or Chinese.
        history: earlier turns as `{"role": "user"|"assistant", "content": str}` messages,
            oldest first, as Gradio keeps them. Follow-up questions use it.
        settings: where the corpus and store are, and how to retrieve; default from `RAG_*`.

    Returns:
        `Answer` with `[n]` markers in `text` referring to `sources[n-1]`; `found` is False
        when the abstracts hold no answer.

    Raises:
        TypeError: question is not a string, or history is malformed.
        ValueError: question is empty or too long, or a history role is unknown.
    """
    validate(question, history)  # before loading anything: a bad call fails fast
    return get_qa(settings).ask(question, history)
