"""The question-answering chain: question + history -> `Answer`, as LangChain runnables.

    validate -> standalone query -> hybrid retrieval -> answerer -> Answer

`QA` owns the loaded parts (embedder, opened store, retriever, answerer) so they load once
per process; `ask()` keeps one `QA` per `Settings`. The first `QA` for a corpus builds the
store when it is missing or was built from another corpus or other settings.

A `QA` keeps the store generation it opened (pinned, so a rebuild never deletes it under
it); a store that is damaged is rebuilt beside it on first use. `ask` is safe to call from
several threads: the embedder serialises model calls, Chroma queries are thread-safe, and
BM25 and the store's arrays are only read. Inputs are checked by `validate` (control
characters become spaces; sizes of question and history are capped).

Leaves out picking up a rebuilt store while serving (restart to reopen) and LLMs.
"""

from __future__ import annotations

import logging
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
from rag.errors import StoreError
from rag.prompts import NOT_FOUND
from rag.retrieval import HybridRetriever, is_list_question, standalone_query
from rag.store import Store, build_store, is_current, open_store
from rag.types import Answer, Source

MAX_QUESTION_CHARS = 4000  # a long paragraph; longer input is a paste, not a question
# A chat of 100 turns with long quoted answers stays under both; more is a replay, not a chat.
MAX_HISTORY_MESSAGES = 200
MAX_HISTORY_CHARS = 200_000
# Control characters (NUL included, tab and newline excepted) and lone surrogates carry no
# meaning in a question and upset tokenizers, so they become spaces before searching.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
_MARKER = re.compile(r"\[(\d+)\]")
_log = logging.getLogger(__name__)


def validate(question: object, history: object) -> list[dict]:
    """Check the public contract's inputs; return history as a list of messages."""
    if not isinstance(question, str):
        raise TypeError(f"question must be a string, not {type(question).__name__}")
    if len(question) > MAX_QUESTION_CHARS:
        raise ValueError(
            f"question is {len(question)} characters long; keep it under {MAX_QUESTION_CHARS}"
        )
    if not clean_text(question).strip():
        raise ValueError(
            "question is empty (control characters are ignored): ask something about the abstracts"
        )
    if history is None:
        return []
    if not isinstance(history, list | tuple):
        raise TypeError(f"history must be a list of messages, not {type(history).__name__}")
    if len(history) > MAX_HISTORY_MESSAGES:
        raise ValueError(
            f"history has {len(history)} messages; keep the last {MAX_HISTORY_MESSAGES} at most "
            "(or start a new chat)"
        )
    for i, message in enumerate(history):
        if not isinstance(message, dict):
            raise TypeError(f"history[{i}] must be a dict with 'role' and 'content'")
        if message.get("role") not in ("user", "assistant"):
            raise ValueError(f"history[{i}]['role'] must be 'user' or 'assistant'")
        if not isinstance(message.get("content"), str):
            raise TypeError(f"history[{i}]['content'] must be a string")
    size = sum(len(m["content"]) for m in history)
    if size > MAX_HISTORY_CHARS:
        raise ValueError(
            f"history holds {size} characters; keep it under {MAX_HISTORY_CHARS} "
            "(drop the oldest turns or start a new chat)"
        )
    return list(history)


def clean_text(text: str) -> str:
    """`text` with control characters (NUL included) and lone surrogates turned into spaces."""
    return _CONTROL.sub(" ", text)


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
            store = self._open_or_build(progress)
        self.store = store
        self.retriever = HybridRetriever.from_store(store, self.embedder, self.settings)
        self.answerer = answerer or ExtractiveAnswerer(
            self.retriever.bm25.idf,
            max_sentences=self.settings.answer_sentences,
        )
        self.chain = self._build_chain()

    def _open_or_build(self, progress: bool) -> Store:
        """Open the store, building it first when missing or stale, rebuilding it if damaged.

        Rebuilding here is safe because a build never touches the generation being served.
        """
        abstracts = load_corpus(self.settings.corpus_dir)
        if not is_current(self.settings, abstracts):
            build_store(self.settings, abstracts, self.embedder, progress=progress)
        try:
            return open_store(self.settings, self.embedder)
        except StoreError as err:
            _log.warning("%s Rebuilding it now.", err)
            build_store(self.settings, abstracts, self.embedder, force=True, progress=progress)
            return open_store(self.settings, self.embedder)

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
        messages = [
            {"role": m["role"], "content": clean_text(m["content"])}
            for m in validate(question, history)
        ]
        return self.chain.invoke({"question": clean_text(question).strip(), "history": messages})

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

    Control characters (NUL included) are treated as spaces; a question of nothing else is
    empty. Text that tries to give instructions is only searched for: nothing here follows
    instructions, so the answer still quotes the abstracts or says it found nothing.

    Raises:
        TypeError: question is not a string, or history is malformed.
        ValueError: question is empty or too long, a history role is unknown, or the
            history holds more than `MAX_HISTORY_MESSAGES` messages or `MAX_HISTORY_CHARS`.
    """
    validate(question, history)  # before loading anything: a bad call fails fast
    return get_qa(settings).ask(question, history)
