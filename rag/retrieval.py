"""Retrieval: conversation-aware query building and bilingual hybrid abstract search.

Chunks are searched two ways: by cosine similarity of embeddings (the store's `search`),
and lexically with BM25 over jieba/word tokens. Each abstract takes the best score of its
chunks (chunks vote for their abstract).

The dense side guards against same-language bias. A multilingual model scores an English
question higher against *every* English abstract than against any Chinese one, so the
right Chinese abstract can rank 15th on raw cosine while ranking 1st among Chinese ones.
So each language gets its own candidate list (a search filtered by language), and an
abstract's dense score is its margin over its language's mean, in standard deviations:

    z = (cosine - mean of its language's candidates) / their standard deviation

For an English question, the English abstracts also get an English-only model's
second opinion (rag/english.py): their z is the mean of both models' z-scores.

The ranking score adds lexical evidence, the IDF-weighted share of the question's terms
found in the abstract (acronyms, datasets and numbers survive machine translation; glossary
concepts and the corpus's own bilingual bridge, rag/bridge.py, carry the other words across:
a term counts as found when its translation is):

    rank_score = z + lexical_weight * coverage

An abstract is *relevant* when its margin (cosine - language mean) and its cosine pass
their thresholds and it shares at least one term with the question, or when its coverage
passes its own threshold, or at a smaller margin with a shared glossary concept or 30% of
the question's weight found as written, or that the English model puts well above the
other candidates; with none relevant the question is refused. The
thresholds were tuned on the dev split of `rag eval` (see `rag/config_retrieval.py`).

A `Scope` (rag/scope.py: years, authors) narrows both sides alike: on the dense side
where the chunk vectors are searched (`Store.search`: in numpy on the metadata written
beside the vectors, or a Chroma `where` in a server), the same test in memory on the
lexical side.

`HybridRetriever.retrieve` takes a resolved `Query` (rag/query.py: a follow-up is searched
with its subject) and keeps what an answer draws on: the subject's abstract for a
follow-up, up to `list_k` abstracts for a list question (its members decided with
rag/lists.py: alternatives, names, "code is available" sentences), else `top_k`, the papers
the question names first.
`passages` hands them to an answerer with their stored sentences.

Leaves out translation of the question and learned re-ranking: both need a model that
does not ship on PyPI. The `Hit` and `Passage` types live in rag/hits.py (imported from
here too); the judgements against the background's examples in rag/off_subject.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.embeddings import Embeddings
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from rag import lists, off_subject
from rag.background import Exemplars
from rag.bridge import Bridge
from rag.config import Settings
from rag.corpus import detect_language
from rag.english import EnglishOpinion
from rag.hits import Hit, LanguageStats, Passage, language_stats
from rag.index import Index
from rag.lexical import tokenize
from rag.query import Query
from rag.scope import Scope
from rag.spelling import Speller


class HybridRetriever(BaseRetriever):
    """LangChain retriever over an `Index`; `search` gives scored `Hit`s."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    index: Index
    embedder: Embeddings
    settings: Settings
    bridge: Bridge | None = None  # the corpus's bilingual word bridge (rag/bridge.py)
    # Everyday questions and instructions to the assistant (rag/background.py)
    everyday: Exemplars | None = None
    instructions: Exemplars | None = None
    english: EnglishOpinion | None = None  # an English model's second opinion (rag/english.py)
    speller: Speller | None = None  # misspelt words to corpus words (rag/spelling.py)

    def terms(self, query: str) -> tuple[list[str], dict[str, str]]:
        """The query's terms (misspelt ones as the corpus spells them, rag/spelling.py), and
        the corpus words of the other language some of them mean."""
        terms, _ = self._spelt(query)
        return terms, (self.bridge.translate(terms) if self.bridge else {})

    def answer_words(self, query: str) -> dict[str, str]:
        """For the answerer, which reads the question's own words: each term's corpus word
        in the other language, and a misspelt term's correction; one tokenizing."""
        terms, fixed = self._spelt(query)
        return {**(self.bridge.translate(terms) if self.bridge else {}), **fixed}

    def _spelt(self, query: str) -> tuple[list[str], dict[str, str]]:
        terms = tokenize(query)
        fixed = self.speller.correct(terms) if self.speller is not None else {}
        return [fixed.get(t, t) for t in terms], fixed

    def dense_scores(self, vector: Sequence[float], scope: Scope | None = None) -> dict[str, float]:
        """Best chunk cosine per abstract, from one candidate list per language; only
        abstracts in `scope`, filtered where the vectors are searched (`Store.search`)."""
        dense: dict[str, float] = {}
        for lang, count in self.index.chunks_per_language.items():
            n = min(self.settings.retrieval.fetch_k, count)
            for aid, cosine in self.index.store.search(vector, n, lang, scope):
                dense[aid] = max(dense.get(aid, -1.0), cosine)
        return dense

    def search(
        self,
        query: str,
        query_vector: Sequence[float] | None = None,
        scope: Scope | None = None,
    ) -> list[Hit]:
        """Abstracts for the query (only those in `scope`), relevant ones first, each group
        best first."""
        s = self.settings.retrieval
        index = self.index
        vector = query_vector if query_vector is not None else self.embedder.embed_query(query)
        dense = self.dense_scores(vector, scope)
        terms, translated = self.terms(query)
        lexical_scores = index.bm25.scores(terms + list(translated.values()))
        if scope:  # the lexical side honours the same scope as the dense search
            for i, chunk in enumerate(index.store.chunks):
                if not scope.matches(index.store.abstracts[chunk.abstract_id]):
                    lexical_scores[i] = 0.0
        best = sorted(range(len(lexical_scores)), key=lambda i: -lexical_scores[i])[: s.fetch_k]
        candidates = set(dense) | {
            index.store.chunks[i].abstract_id for i in best if lexical_scores[i] > 0
        }
        asked_in = detect_language(query)
        # Abstract id -> (cosine, z) of the English model, for an English question.
        second: dict[str, tuple[float, float]] = {}
        if self.english is not None and asked_in == "en":
            allowed = (
                {aid for aid, a in index.store.abstracts.items() if scope.matches(a)}
                if scope
                else None
            )
            second = self.english.scores(query, s.fetch_k, allowed)
        candidates |= set(second)
        # An English abstract below the English model's candidates: its lowest z.
        unseen = (0.0, min((z for _, z in second.values()), default=0.0))
        language = {aid: index.store.abstracts[aid].language for aid in candidates}
        stats = language_stats(dense, language) if dense else {}
        hits = []
        for aid in candidates:
            st = stats.get(language[aid], LanguageStats(0.0, 1.0))
            # Unseen by its language's dense list: it ranks below every abstract that was.
            d = dense.get(aid, min(dense.values(), default=0.0))
            cov = index.bm25.coverage(terms, index.abstract_terms[aid], translated)
            # Words found only through their translations rank an abstract and support a
            # dense match, but need one found as written to make it relevant on their own:
            # to the bridge, 你好 means "vae".
            direct = index.bm25.coverage(terms, index.abstract_terms[aid]) if translated else cov
            z = (d - st.mean) / st.std
            english_match = False
            if second and language[aid] == "en":  # both models' z-scores, averaged
                cosine, english_z = second.get(aid, unseen)
                z = (z + english_z) / 2
                english_match = english_z >= s.english_z and cosine >= s.min_english_dense
            floor = s.min_dense_same if language[aid] == asked_in else s.min_dense_cross
            dense_match = d - st.mean >= s.min_margin and d >= floor and cov >= s.min_dense_support
            matched = (set(terms) | set(translated.values())) & index.abstract_terms[aid]
            # A topic concept shared across the glossary (federated learning, 作文 = essay),
            # or much of the question's weight found as written, is evidence enough for a
            # smaller dense margin.
            concept_match = d - st.mean >= s.min_margin_concept and (
                (cov >= s.min_lexical_concept and any(t.startswith("c:") for t in matched))
                or direct >= s.min_lexical_near
                or english_match
            )
            hits.append(
                Hit(
                    abstract=index.store.abstracts[aid],
                    dense=round(d, 4),
                    margin=round(d - st.mean, 4),
                    z=round(z, 3),
                    coverage=round(cov, 4),
                    rank_score=z + s.lexical_weight * cov,
                    relevant=dense_match or concept_match or (direct > 0 and cov >= s.min_lexical),
                    matched=tuple(sorted(matched)),
                )
            )
        if self._off_subject(query, vector, hits):
            hits = [replace(h, relevant=False) for h in hits]
        hits.sort(key=lambda h: (not h.relevant, -h.rank_score))
        return hits

    def _off_subject(self, query: str, vector: Sequence[float], hits: Sequence[Hit]) -> bool:
        """Whether the question is nearer everyday questions than any abstract."""
        return off_subject.off_subject(self, query, vector, hits)

    def corpus_cosines(self, question: str, vector: Sequence[float]) -> list[tuple[float, bool]]:
        """Each candidate abstract's cosine, and whether it is in the question's language."""
        return off_subject.corpus_cosines(self, question, vector)

    def follow_up_off_subject(
        self,
        question: str,
        vector: Sequence[float],
        cosines: list[tuple[float, bool]] | None = None,
    ) -> bool:
        """Whether a follow-up, read on its own words, is off the corpus's subject."""
        return off_subject.follow_up_off_subject(self, question, vector, cosines)

    def instructs(
        self,
        question: str,
        vector: Sequence[float],
        cosines: list[tuple[float, bool]] | None = None,
    ) -> bool:
        """Whether the question, or one of its sentences, is an instruction to the assistant."""
        return off_subject.instructs(self, question, vector, cosines)

    def retrieve(
        self, query: Query, vector: Sequence[float], scope: Scope | None = None
    ) -> list[Hit]:
        """The relevant abstracts (in `scope`) an answer to `query` draws on, best first.

        A follow-up asks more about the conversation's subject: answer from it alone. A
        list question ("Which papers...?") wants every abstract on its topic. A paper the
        question names is relevant and comes first, whatever its score ("SSRN vs HiTeA").
        """
        found = self.ranked(query, vector, scope)
        by_id = {h.abstract.id: h for h in found}
        named = [
            replace(by_id[aid], relevant=True)
            for aid in query.named
            if aid in by_id and query.kind != "list"  # a list is about a topic, not a paper
        ]
        first = {h.abstract.id for h in named}
        hits = named + [h for h in found if h.relevant and h.abstract.id not in first]
        if query.kind == "list" and not lists.asks_access(query.text):
            hits = [h for h in hits if lists.on_topic(h, self.index)]  # not "code is available"
        keep = {
            "follow-up": 1,
            "list": self.settings.retrieval.list_k,
            "standalone": self.settings.retrieval.top_k,
        }[query.kind]
        return hits[: max(keep, len(named))]

    def ranked(
        self, query: Query, vector: Sequence[float], scope: Scope | None = None
    ) -> list[Hit]:
        """Every candidate abstract (in `scope`), relevant ones first, as `retrieve` judges
        them: a list question's members are decided by its alternatives and its names too."""
        found = self.search(query.search_text, vector, scope)
        if query.kind == "list" and not self._off_subject(query.text, vector, found):
            found = lists.either(found, query.text, self.index, self.settings, self.bridge)
            found = lists.holding_names(found, query.text, self.index)
            found = lists.giving_access(found, query.text)
        return found

    def passages(self, hits: Sequence[Hit]) -> list[Passage]:
        """The retrieved abstracts with their stored sentences, sentence vectors and terms."""
        store = self.index.store
        return [
            Passage(
                h,
                store.sentence_spans.get(h.abstract.id, []),
                store.sentence_vectors[h.abstract.id],
                self.index.sentence_terms.get(h.abstract.id, ()),
                self.index.abstract_terms[h.abstract.id],
            )
            for h in hits
        ]

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun
    ) -> list[Document]:
        return [
            Document(
                page_content=h.abstract.text,
                metadata={
                    "id": h.abstract.id,
                    "score": h.score,
                    "dense": h.dense,
                    "z": h.z,
                    "coverage": h.coverage,
                    "language": h.abstract.language,
                },
            )
            for h in self.search(query)
            if h.relevant
        ][: self.settings.retrieval.top_k]
