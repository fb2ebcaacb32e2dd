"""The Index: everything built once per store generation, shared by every question.

An `Index` holds the opened store (abstracts, chunks, sentence spans and vectors, the
chunk search) and what is derived from it: the BM25 index over chunks, the term set
of every abstract and of every sentence, and how many chunks each language has. Making
these from text costs a second or more (jieba tokenizes the whole corpus), so the build
saves the tokens with the generation (`rag.store_terms`) and readers load them; a question
then only reads them. A new generation swapped in by `rag build` gets a new `Index`
(`Index.load` again); the old one stays valid until dropped, because its generation is
pinned.

`Index.load` is the one place that decides to build: a local store that is missing, stale
(another corpus or other vector settings) or damaged is (re)built beside the serving one
first, which is safe because a build never touches the generation being served. A store
in a Chroma server is never built by a reader.

Leaves out searching and scoring (rag/retrieval.py) and answering.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from langchain_core.embeddings import Embeddings

from rag import store_terms
from rag.config import Settings
from rag.corpus import load_corpus
from rag.errors import StoreError
from rag.lexical import BM25
from rag.store import Store, build_store, is_current, open_store
from rag.types import Abstract

# A name: an acronym or a mixed-case word, possibly with digits and hyphens (CMT, RevCol,
# FedGS, ResNet-50, DOORPING); not a capitalised ordinary word (Experiments, The).
_WORD = re.compile(r"[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*")
# Bounded by anything but Latin letters and digits: in Chinese text "LGD在COCO上" names LGD.
_NAME = re.compile(
    r"(?<![A-Za-z0-9-])(?:[A-Z][A-Za-z0-9]*[A-Z0-9][A-Za-z0-9]*|[a-z]+[A-Z][A-Za-z0-9]*)"
    r"(?:-[A-Za-z0-9]+)*(?![A-Za-z0-9-])"
)
# A name spelt out before its acronym: "Unlearnable Clusters (UCs)", "Cross Modal
# Transformer (CMT)", "Siamese Sampling and Reasoning Network (SSRN)": capitalised words.
_SPELLED = (
    r"((?:[A-Z][\w-]*\s+(?:(?:and|of|for|the|with|in|on)\s+)?){{1,5}}[A-Z][\w-]*)"
    r"\s*\(\s*(?i:{0})\s*\)"
)
# How an abstract gives a name to what it proposes: in brackets "(FedGS)", after a verb of
# naming ("called FedSkip", "we present KoopmanLab", 称为LGD) or a kind of thing
# ("framework, HiTeA,"). A name only used there (COCO, CIFAR-10) is not its own.
_DEFINES = (
    r"\(\s*{0}\s*\)|{0}\s*[(（]"
    r"|\b(?:named|called|dubbed|termed|namely|coined|propose[sd]?|introduce[sd]?|present[sd]?)"
    r"\s+(?:[\w-]+\s+){{0,6}}?{0}(?![a-z0-9])"
    r"|\b(?:framework|method|model|approach|network|system|benchmark|dataset|module|"
    r"library|simulator|algorithm|attack)s?,?\s+{0}(?![a-z0-9])"
    r"|(?:称为|名为|叫做|提出了?)\s*{0}"
)

_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Index:
    """An opened store generation with its lexical index and term sets, read-only."""

    store: Store
    bm25: BM25  # over the chunks, in `store.chunks` order (a first chunk with its title)
    abstract_terms: dict[str, frozenset[str]]  # abstract id -> tokenize() of title and text
    sentence_terms: dict[str, tuple[frozenset[str], ...]]  # abstract id -> per sentence
    chunks_per_language: dict[str, int]
    # Names that identify one paper: tokens written like a name (CMT, RevCol, FedGS,
    # EMO, ResNet-50) that appear in exactly one abstract. A question naming one is about
    # that paper, whatever its pronouns (rag/query.py). Name -> the abstract's id.
    names: Mapping[str, str] = field(default_factory=dict)
    # The names a paper gives itself (its method, model or dataset; `_DEFINES`), and the
    # phrases its acronyms spell out. CIFAR-10 or COCO, only used, are not.
    own_names: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, store: Store) -> Index:
        """Derive the lexical side of an opened store (tokenized by the build when it saved
        its terms, else now)."""
        counts: dict[str, int] = {}
        for chunk in store.chunks:
            lang = store.abstracts[chunk.abstract_id].language
            counts[lang] = counts.get(lang, 0) + 1
        terms = store.terms or store_terms.compute(
            store.abstracts, store.chunks, store.sentence_spans
        )
        return cls(
            store=store,
            bm25=BM25(
                [c.text for c in store.chunks], tokens=[terms.chunks[c.id] for c in store.chunks]
            ),
            abstract_terms=terms.abstracts,
            sentence_terms=terms.sentences,
            chunks_per_language=counts,
            names=(names := paper_names(store.abstracts.values())),
            own_names=own_names(names, store.abstracts),
        )

    @classmethod
    def load(cls, settings: Settings, embedder: Embeddings, *, progress: bool = True) -> Index:
        """Open the store, building it first when missing or stale, rebuilding it if damaged.

        A store in a Chroma server is only opened: the machines that read it need not hold
        the corpus it was built from, and `rag build` is its one writer.
        """
        if settings.store.chroma_url:
            return cls.of(open_store(settings, embedder))
        abstracts = load_corpus(settings.store.corpus_dir, columns=settings.store.column_map)
        if not is_current(settings, abstracts):
            build_store(settings, abstracts, embedder, progress=progress)
        try:
            return cls.of(open_store(settings, embedder))
        except StoreError as err:
            _log.warning("%s Rebuilding it now.", err)
            build_store(settings, abstracts, embedder, force=True, progress=progress)
            return cls.of(open_store(settings, embedder))

    @property
    def generation(self) -> Path | None:
        return self.store.generation

    def is_served(self) -> bool:
        """Whether this is still the generation the store serves (one small read or request)."""
        try:
            return self.store.still_served()
        except StoreError:
            return True  # a damaged pointer: keep answering from what is open


def paper_names(abstracts: Iterable[Abstract]) -> dict[str, str]:
    """Lower-cased names that occur in exactly one abstract, with its id: they pick out one
    paper.

    A word counts as a name when it is written like one somewhere; how many abstracts use
    it is counted in any case, so "LiDAR" in one abstract and "lidar" in another is no name.
    """
    named: dict[str, str] = {}
    df: Counter[str] = Counter()
    for a in abstracts:
        named.update((m.lower(), a.id) for m in _NAME.findall(a.text) if len(m) >= 3)
        words = {w.lower() for w in _WORD.findall(a.text)}
        df.update(words | {part for w in words for part in w.split("-")})  # MS-COCO is COCO
    return {name: aid for name, aid in named.items() if df[name] == 1}


def own_names(names: Mapping[str, str], abstracts: Mapping[str, Abstract]) -> dict[str, str]:
    """The names among `names` that their abstract gives what it proposes (`_DEFINES`), and
    the phrases it spells them out with: "Unlearnable Clusters (UCs)" names UCs and
    "unlearnable clusters" alike, when no other abstract uses the phrase."""
    own = {}
    for name, aid in names.items():
        text = abstracts[aid].text
        if re.search(_DEFINES.format(re.escape(name)), text, re.IGNORECASE):
            own[name] = aid
            for phrase in re.findall(_SPELLED.format(re.escape(name)), text):
                phrase = " ".join(phrase.lower().split())
                if not any(phrase in a.text.lower() for a in abstracts.values() if a.id != aid):
                    own[phrase] = aid
    return own
