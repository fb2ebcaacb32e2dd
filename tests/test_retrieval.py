"""Retrieval: follow-up detection, query building, and hybrid search across languages."""

import pytest

from rag.lexical import tokenize
from rag.retrieval import is_follow_up, standalone_query

CMT = "What NDS does the Cross Modal Transformer reach on nuScenes?"


@pytest.mark.parametrize(
    ("question", "follow_up"),
    [
        ("Is it robust without LiDAR?", True),
        ("What datasets did they use?", True),
        ("这个方法的代码在哪里?", True),
        (CMT, False),
        ("Which papers are about federated learning?", False),
    ],
)
def test_follow_up_detection(question, follow_up):
    assert is_follow_up(question) is follow_up


def test_follow_up_is_searched_with_the_conversation_subject():
    history = [{"role": "user", "content": CMT}, {"role": "assistant", "content": "73.0% NDS [1]"}]
    assert standalone_query("Is it robust without LiDAR?", history) == (
        f"{CMT} Is it robust without LiDAR?"
    )


def test_chained_follow_ups_keep_the_first_subject():
    history = [
        {"role": "user", "content": CMT},
        {"role": "assistant", "content": "..."},
        {"role": "user", "content": "Is it robust?"},
        {"role": "assistant", "content": "..."},
    ]
    assert standalone_query("Where is its code?", history).startswith(CMT)


def test_a_question_with_its_own_subject_ignores_the_history():
    history = [{"role": "user", "content": CMT}, {"role": "assistant", "content": "..."}]
    question = "What ImageNet-1K accuracy does RevCol-XL obtain?"
    assert standalone_query(question, history) == question


def test_tokenizer_keeps_acronyms_and_segments_chinese():
    assert tokenize("How much does LGD improve RetinaNet on MS-COCO?") == [
        "lgd",
        "improve",
        "retinanet",
        "ms-coco",
        "ms",
        "coco",
    ]
    assert tokenize("LGD在COCO上提升了多少?") == ["lgd", "coco", "提升"]


def test_english_question_finds_the_chinese_abstract_first(qa):
    hits = qa.retriever.search("How much does LGD improve RetinaNet on COCO?")
    assert hits[0].relevant and "LGD(标签引导自蒸馏)" in hits[0].abstract.text
    assert hits[0].abstract.language == "zh"


def test_langchain_retriever_interface_returns_documents(qa):
    docs = qa.retriever.invoke(CMT)
    assert docs and "Cross Modal Transformer" in docs[0].page_content
    assert {"id", "score", "language"} <= set(docs[0].metadata)


def test_off_topic_question_finds_nothing_relevant(qa):
    assert not any(h.relevant for h in qa.retriever.search("What is the capital of France?"))
    assert not any(h.relevant for h in qa.retriever.search("法国的首都是哪里?"))
