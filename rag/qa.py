"""The question-answering chain: question + history -> `Answer`, as LangChain runnables.

    validate -> standalone query -> hybrid retrieval -> answerer -> Answer

With a generative answerer (`Settings.answerer` or the `answerer=` argument of `ask` and
`stream`), the last step streams the model's tokens, checks the finished text's
citations (rag/citations.py), and falls back to the extractive answer, with a notice,
when the model fails or nothing it wrote is supported. No relevant abstract: the model
is not called at all.

`QA` owns the loaded parts (embedder, opened store, retriever, answerer) so they load once
per process; `ask()` keeps one `QA` per `Settings`. The first `QA` for a corpus builds the
store when it is missing or was built from another corpus or other settings.

A `QA` keeps the store generation it opened (pinned, so a rebuild never deletes it under
it); a store that is damaged is rebuilt beside it on first use. `ask` is safe to call from
several threads: the embedder serialises model calls, Chroma queries are thread-safe, and
BM25 and the store's arrays are only read. Inputs are checked by `validate` (control
characters become spaces; sizes of question and history are capped; rag/inputs.py).

Leaves out picking up a rebuilt store while serving (restart to reopen).
"""

from __future__ import annotations

import logging
import re
import threading
from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import replace

from langchain_core.embeddings import Embeddings
from langchain_core.runnables import Runnable, RunnableLambda, RunnablePassthrough

from rag.answering import Answerer, Draft, ExtractiveAnswerer, Passage
from rag.citations import CitationChecker
from rag.config import Settings
from rag.corpus import detect_language, load_corpus
from rag.embeddings import get_embedder
from rag.errors import LLMError, StoreError
from rag.generation import GenerativeAnswerer
from rag.inputs import (  # noqa: F401 (validate, clean_text and the limits are public here)
    MAX_HISTORY_CHARS,
    MAX_HISTORY_MESSAGES,
    MAX_QUESTION_CHARS,
    clean_text,
    validate,
)
from rag.lexical import tokenize
from rag.llm import make_chat_model
from rag.prompts import NOT_FOUND, NOTICE_FALLBACK, NOTICE_NOTHING_SUPPORTED
from rag.retrieval import Hit, HybridRetriever, is_list_question, standalone_query
from rag.store import Store, build_store, is_current, open_store
from rag.types import Answer, Relevance, Source

_MARKER = re.compile(r"\[(\d+)\]")
_log = logging.getLogger(__name__)


class QA:
    """The loaded pipeline. Build one and call `ask`, or use the module-level `ask()`."""

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        embedder: Embeddings | None = None,
        store: Store | None = None,
        answerer: Answerer | None = None,
        generators: dict[str, GenerativeAnswerer] | None = None,
        progress: bool = True,
    ) -> None:
        self.settings = settings or Settings()
        self.embedder = embedder or get_embedder(self.settings.embedding_model)
        if store is None:
            store = self._open_or_build(progress)
        self.store = store
        self.retriever = HybridRetriever.from_store(store, self.embedder, self.settings)
        self.sentence_terms = {  # abstract id -> terms of each sentence, for the answerers
            aid: tuple(
                frozenset(tokenize(store.abstracts[aid].text[s.start : s.end])) for s in spans
            )
            for aid, spans in store.sentence_spans.items()
        }
        self.answerer = answerer or ExtractiveAnswerer(
            self.retriever.bm25.idf,
            max_sentences=self.settings.answer_sentences,
        )
        self.checker = CitationChecker(self.embedder)
        # backend name -> its answerer, made on first use (a model loads only if asked for)
        self.generators: dict[str, GenerativeAnswerer] = dict(generators or {})
        self._generators_lock = threading.Lock()
        self.retrieval = self._build_retrieval()
        self.chain = self.retrieval | RunnableLambda(self._compose)

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

    def _build_retrieval(self) -> Runnable:
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

        return RunnablePassthrough.assign(
            query=RunnableLambda(lambda x: standalone_query(x["question"], x["history"]))
        ) | RunnablePassthrough.assign(retrieved=RunnableLambda(retrieve))

    def passages(self, hits: Sequence[Hit]) -> list[Passage]:
        """The retrieved abstracts with their stored sentences and sentence vectors."""
        return [
            Passage(
                h,
                self.store.sentence_spans.get(h.abstract.id, []),
                self.store.sentence_vectors[h.abstract.id],
                self.sentence_terms.get(h.abstract.id, ()),
                self.retriever.abstract_terms[h.abstract.id],
            )
            for h in hits
        ]

    def _compose(self, x: dict) -> Answer:
        """The extractive answer for a retrieved question."""
        question, hits = x["question"], x["retrieved"]["hits"]
        if not hits:
            return Answer(NOT_FOUND[detect_language(question)], (), found=False)
        # A follow-up was searched with its context; its sentences are scored on itself.
        same = x["query"] == question
        vector = x["retrieved"]["vector"] if same else self.embedder.embed_query(question)
        draft = self.answerer.compose(question, self.passages(hits), vector)
        return _finish(draft, hits, question)

    def _input(self, question: str, history: Sequence[dict] | None) -> dict:
        messages = [
            {"role": m["role"], "content": clean_text(m["content"])}
            for m in validate(question, history)
        ]
        return {"question": clean_text(question).strip(), "history": messages}

    def ask(
        self, question: str, history: Sequence[dict] | None = None, *, answerer: str | None = None
    ) -> Answer:
        """Answer a question; see `rag.ask` for the contract.

        `answerer` picks a backend for this call ('extractive', 'llamacpp', 'openai');
        None means `Settings.answerer`.
        """
        if (answerer or self.settings.answerer) == "extractive":
            return self.chain.invoke(self._input(question, history))
        return deque(self.stream(question, history, answerer=answerer), maxlen=1)[0]

    def stream(
        self, question: str, history: Sequence[dict] | None = None, *, answerer: str | None = None
    ) -> Iterator[Answer]:
        """Yield the answer as it grows; the last one yielded is final and checked.

        A generated answer grows token by token; while it grows its markers point at all
        the retrieved sources, unchecked. The last `Answer` is the checked one (its text
        may differ from the last partial one: unsupported sentences and citations gone,
        markers renumbered), or the extractive answer with a notice if the model failed.
        The extractive answer exists at once, so it is released a few words at a time.
        """
        backend = answerer or self.settings.answerer
        x = self.retrieval.invoke(self._input(question, history))
        hits = x["retrieved"]["hits"]
        if backend == "extractive" or not hits:  # nothing relevant: no model is called
            yield from _words_at_a_time(self._compose(x))
            return
        try:
            generator = self.generator(backend)
        except LLMError as err:
            yield _with_notice(self._compose(x), NOTICE_FALLBACK, backend, err)
            return
        passages = self.passages(hits)
        provisional = tuple(_source(h, ()) for h in hits)
        query = x["query"]
        subject = query[: -len(x["question"])].strip() if query != x["question"] else None
        text = ""
        try:
            for token in generator.stream_text(x["question"], passages, subject):
                text += token
                yield Answer(text.lstrip(), provisional, found=True, draft=True, answered_by=backend)
        except LLMError as err:
            yield _with_notice(self._compose(x), NOTICE_FALLBACK, backend, err)
            return
        checked = self.checker.check(text, passages)
        if not checked.draft.used:
            fallback = self._compose(x)
            notice = NOTICE_NOTHING_SUPPORTED.format(backend=backend)
            yield replace(fallback, notices=(*checked.notices, notice))
            return
        yield replace(_finish(checked.draft, hits, x["question"], checked.notices), answered_by=backend)

    def generator(self, backend: str) -> GenerativeAnswerer:
        """The answerer of a generative backend, made on first use.

        Raises:
            LLMError: the backend is not installed or not configured.
        """
        with self._generators_lock:
            if backend not in self.generators:
                self.generators[backend] = GenerativeAnswerer(
                    make_chat_model(self.settings, backend),
                    backend,
                    timeout=self.settings.llm_timeout,
                    max_tokens=self.settings.llm_max_tokens,
                )
            return self.generators[backend]


def _finish(
    draft: Draft, hits: Sequence[Hit], question: str, notices: tuple[str, ...] = ()
) -> Answer:
    """The `Answer` for a draft: only cited sources, markers renumbered 1..n in that order."""
    numbers = sorted(draft.used)
    if not numbers:
        return Answer(NOT_FOUND[detect_language(question)], (), found=False, notices=notices)
    renumber = {old: new for new, old in enumerate(numbers, start=1)}
    text = _MARKER.sub(
        lambda m: f"[{renumber[int(m.group(1))]}]" if int(m.group(1)) in renumber else "",
        draft.text,
    )
    sources = tuple(_source(hits[n - 1], draft.used[n]) for n in numbers)
    return Answer(text.strip(), sources, found=True, notices=notices)


def _with_notice(answer: Answer, template: str, backend: str, err: Exception) -> Answer:
    notice = template.format(backend=backend, reason=str(err).rstrip("."))
    return replace(answer, notices=(*answer.notices, notice))


def _words_at_a_time(answer: Answer) -> Iterator[Answer]:
    """An answer that exists at once, released as a stream for the chat to show it alike."""
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
        relevance=Relevance(hit.dense, hit.coverage, hit.matched),
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
    question: str,
    history: list[dict] | None = None,
    *,
    settings: Settings | None = None,
    answerer: str | None = None,
) -> Answer:
    """Answer a question about the abstracts, citing them.

    Args:
        question: the question, in English or Chinese.
        history: earlier turns as `{"role": "user"|"assistant", "content": str}` messages,
            oldest first, as Gradio keeps them. Follow-up questions use it.
        settings: where the corpus and store are, and how to retrieve; default from `RAG_*`.
        answerer: 'extractive', 'llamacpp' or 'openai' for this call; None means
            `settings.answerer`. A generative backend that fails gives the extractive
            answer with a notice in `Answer.notices`.

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
    return get_qa(settings).ask(question, history, answerer=answerer)
