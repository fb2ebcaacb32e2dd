"""Misspelt words read as the corpus's words (rag/spelling.py), on the shipped corpus."""

import pytest

from rag import QA
from rag.spelling import Speller

DRUGBAN = [
    {"role": "user", "content": "DrugBAN 是做什么的?"},
    {"role": "assistant", "content": "DrugBAN 是一个预测药物-靶标相互作用的双线性注意力网络。"},
]


@pytest.fixture(scope="module")
def speller(qa) -> Speller:
    return Speller(qa.index.bm25.idf)


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("genration", "generation"),  # a letter dropped
        ("tegfromer", "tegformer"),  # two swapped
        ("langauge", "language"),
        ("simualtor", "simulator"),
        ("drugban", "dugban"),  # the Chinese abstract's translation drops the r
    ],
)
def test_a_word_one_edit_from_a_corpus_word_is_read_as_it(speller, typed, meant):
    assert speller.correct([typed]) == {typed: meant}


@pytest.mark.parametrize(
    "word",
    [
        "generation",  # in the corpus
        "cifar-100",  # digits: another dataset than CIFAR-10
        "snare",  # short words are one edit from too many others
        "weather",
        "xylophones",  # nothing near
        # English words the corpus lacks, one edit from a corpus word (motion, emerging,
        # positron, heading): a reviewer's examples, wrongly rewritten before
        "emotion",
        "merging",
        "position",
        "hearing",
    ],
)
def test_other_words_are_left_alone(speller, word):
    assert speller.correct([word]) == {}


def test_a_follow_up_on_a_paper_the_corpus_misspells_is_answered(qa):
    """The DrugBAN abstract is in Chinese, where the translation wrote "Dugban": the name
    did not match, and "它的输入是什么?" after a question on it was refused."""
    answer = qa.ask("它的输入是什么?", DRUGBAN)
    assert answer.found and "Dugban" in answer.text
    off = qa.settings.replace(spelling=False)
    assert (
        not QA(off, embedder=qa.embedder, index=qa.index, answerers=qa.answerers)
        .ask("它的输入是什么?", DRUGBAN)
        .found
    )


def test_a_misspelt_name_counts_as_found_in_its_paper(qa):
    question = "What decoder does TegFromer use for topic-to-essay genration?"
    best = qa.rank(question)[0]
    assert "TegFormer" in best.abstract.text
    assert {"tegformer", "generation"} <= set(best.matched)
    off = QA(qa.settings.replace(spelling=False), embedder=qa.embedder, index=qa.index)
    assert "tegformer" not in off.rank(question)[0].matched
