"""The bilingual bridge (rag/bridge.py), on the real embedder and a real store."""

import numpy as np
import pytest

from rag import QA, Settings
from rag.bridge import Bridge, BridgeTable, language_of

ASYNC_FL = "What communication overhead does the asynchronous system have?"


def test_a_question_word_is_mapped_to_the_corpus_word_of_the_other_language(small_qa):
    _, translated = small_qa.retriever.terms(ASYNC_FL)
    assert translated["communication"] == "通信"
    _, translated = small_qa.retriever.terms("检测器用的是什么骨干网络?")
    assert translated["网络"] == "network"


def test_the_bridge_gives_an_english_question_lexical_evidence_in_a_chinese_abstract(
    small_settings, small_qa
):
    chinese = next(h for h in small_qa.retriever.search(ASYNC_FL) if h.abstract.language == "zh")
    settings = Settings(
        corpus_dir=small_settings.store.corpus_dir,
        store_dir=small_settings.store.store_dir,
        bridge=False,
    )
    without = QA(settings, embedder=small_qa.embedder, progress=False)
    alone = next(
        h for h in without.retriever.search(ASYNC_FL) if h.abstract.id == chinese.abstract.id
    )
    assert without.retriever.bridge is None
    assert chinese.coverage > alone.coverage
    assert "通信" in chinese.matched


def test_words_that_need_no_bridge_are_left_alone():
    assert [language_of(t) for t in ("lgd", "91.5", "c:federated_learning", "的", "on")] == [
        "en",
        None,
        None,
        None,
        None,
    ]
    assert language_of("通信") == "zh"


def test_a_corpus_in_one_language_has_nothing_to_bridge(embedder):
    table = BridgeTable.build(embedder, ["federated", "learning", "clients"])
    assert not Bridge(embedder, table).active
    assert Bridge(embedder, table).translate(["federated"]) == {}


def test_the_table_is_saved_and_loaded_as_built(tmp_path, embedder):
    words = ["controller", "vision", "attack", "training", "控制器", "视觉", "攻击", "训练"]
    table = BridgeTable.build(embedder, words)
    table.save(tmp_path)
    loaded = BridgeTable.load(tmp_path)
    assert loaded.words == table.words
    for lang in ("en", "zh"):
        assert np.allclose(loaded.vectors[lang], table.vectors[lang], atol=1e-3)
        assert np.allclose(loaded.hubs[lang], table.hubs[lang])
    assert BridgeTable.load(tmp_path / "missing") is None


@pytest.mark.parametrize(("word", "meaning"), [("控制器", "controller"), ("vision", "视觉")])
def test_a_small_vocabulary_translates_both_ways(embedder, word, meaning):
    words = ["controller", "vision", "attack", "training", "控制器", "视觉", "攻击", "训练"]
    assert Bridge(embedder, BridgeTable.build(embedder, words)).translate([word]) == {word: meaning}
