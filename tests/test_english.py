"""The English model's second opinion (rag/english.py) on the real models and stores:
it finds English paraphrases the multilingual model misses, and leaves Chinese alone."""

import numpy as np
import pytest

from rag import QA, Settings, english
from rag.corpus import load_corpus
from rag.english import EnglishOpinion
from rag.store import build_store, open_store
from rag.types import Chunk, Span

# Shares almost no word with its abstract (fair knowledge distillation of graph networks:
# "student", "teacher", "bias", "fairness").
PARAPHRASE = (
    "How can a shrunken graph network avoid inheriting the prejudices of the big one it copies?"
)


@pytest.fixture(scope="module")
def without(qa):
    """The same store, read without the English opinion (an opened index: no rebuild)."""
    off = Settings(store_dir=qa.settings.store.store_dir, english_model="")
    return QA(off, embedder=qa.embedder, index=qa.index, progress=False)


def test_an_english_paraphrase_is_found_only_with_the_english_opinion(qa, without):
    assert without.retriever.english is None
    assert not without.ask(PARAPHRASE).found
    answer = qa.ask(PARAPHRASE)
    assert answer.found
    assert "Graph Neural Networks (GNNs)" in answer.sources[0].text


# A `where` scope narrows the English scores too: tests/test_formats.py asks English
# questions with year and author scopes.


def test_an_everyday_english_question_is_not_made_relevant_by_the_english_model(qa):
    """The English rule needs no shared word and no multilingual floor: the background
    (rag/background.py) and its z and cosine thresholds keep small talk out."""
    for question in ("Tell me a joke about graphs.", "What should I cook for dinner tonight?"):
        assert not qa.ask(question).found


def test_a_chinese_question_is_ranked_by_the_multilingual_model_alone(qa, without):
    question = "有没有关于自动驾驶的大规模开放数据集?"
    ours = [(h.abstract.id, h.rank_score) for h in qa.rank(question)]
    assert ours == [(h.abstract.id, h.rank_score) for h in without.rank(question)]


def test_an_english_question_about_a_chinese_abstract_still_finds_it(qa):
    answer = qa.ask("Which paper speeds up asynchronous federated learning, and by how much?")
    assert answer.found and answer.sources[0].language == "zh"


def test_the_english_scores_are_z_scores_among_the_best_chunks(minilm):
    """Three English abstracts, one chunk each; the question is about the first. Its z is
    (c1 - mean) / std of the three cosines, and only allowed abstracts are scored."""
    texts = {
        "a": "We train a robot arm to fold laundry from camera images.",
        "b": "A survey of graph neural networks for molecules.",
        "c": "Transformers for machine translation of legal text.",
    }
    chunks = [Chunk(aid, 0, Span(0, len(t)), t, 10) for aid, t in texts.items()]
    vectors = english.embed(minilm, chunks)
    opinion = EnglishOpinion(minilm, chunks, vectors)
    scores = opinion.scores("a robot that folds clothes", fetch_k=10)
    cosines = np.array([scores[a][0] for a in "abc"])
    assert max(scores, key=lambda a: scores[a][1]) == "a"
    assert scores["a"][1] == pytest.approx((cosines[0] - cosines.mean()) / cosines.std())
    assert set(opinion.scores("a robot that folds clothes", 10, allowed={"b", "c"})) == {"b", "c"}
    assert len(opinion.scores("a robot that folds clothes", fetch_k=1)) == 1
    assert opinion.scores("a robot that folds clothes", 10, allowed=set()) == {}  # no NaN


def test_known_vectors_are_reused_not_embedded_again(minilm):
    chunk = Chunk("a", 0, Span(0, 5), "hello", 1)
    marker = np.zeros(384, dtype=np.float32)
    marker[7] = 2.0  # no model writes this: reuse returns it (normalised)
    vectors = english.embed(minilm, [chunk], known={english.key("hello"): marker})
    assert vectors[0][7] == pytest.approx(1.0)


def test_the_build_saves_the_english_vectors_and_readers_load_them(tiny, embedder, minilm):
    store = open_store(tiny, embedder)
    own = english.own_chunks(store.chunks, store.abstracts)
    assert len(own) < len(store.chunks), "the Chinese abstract's chunks are not embedded"
    assert store.english is not None and store.english.shape == (len(own), 384)
    fresh = english.embed(minilm, own)
    assert np.allclose(store.english, fresh, atol=2e-3)  # saved as float16


def test_a_damaged_or_other_models_file_is_not_used(tiny, embedder):
    store = open_store(tiny, embedder)
    gen = store.generation
    assert english.load(gen, "another-model", store.chunks) is None
    (gen / english.FILE).write_bytes(b"not a zip")
    assert open_store(tiny, embedder).english is None
    qa = QA(tiny, embedder=embedder, progress=False)  # embeds them instead
    assert np.allclose(qa.retriever.english.vectors, store.english, atol=2e-3)


def test_the_english_model_can_be_turned_off(tiny, tmp_path, embedder):
    off = Settings(corpus_dir=tiny.store.corpus_dir, store_dir=tmp_path / "off", english_model="")
    build_store(off, load_corpus(tiny.store.corpus_dir), embedder, progress=False)
    assert open_store(off, embedder).english is None
    assert not list((tmp_path / "off").rglob(english.FILE))
    assert QA(off, embedder=embedder, progress=False).retriever.english is None


def test_a_rebuild_embeds_only_the_new_chunks_with_the_english_model(tiny, embedder):
    (tiny.store.corpus_dir / "new.txt").write_text(
        "We present TinyNet. It reaches 91.5% accuracy on CIFAR-10.\n", "utf-8"
    )
    report = build_store(tiny, load_corpus(tiny.store.corpus_dir), embedder, progress=False)
    assert report.rebuilt and report.english == 1
    store = open_store(tiny, embedder)
    assert store.english.shape == (len(english.own_chunks(store.chunks, store.abstracts)), 384)
