"""Which abstracts belong to a list question (rag/lists.py), on the shipped corpus."""

import pytest


@pytest.mark.parametrize(
    ("question", "name"),
    [
        ("哪些论文在 COCO 数据集上做了实验?", "coco"),
        ("Which abstracts involve CT imaging in some way?", "ct"),
        ("Which papers build on GPT-family language models (GPT-2, GPT-3)?", "gpt"),
    ],
)
def test_a_list_that_names_a_thing_cites_the_abstracts_naming_it(qa, question, name):
    """Members are the abstracts holding the name (GPT-2, or GPT3 written as one word),
    not those sharing the question's other words (实验, 数据集)."""
    holders = {aid for aid, terms in qa.index.abstract_terms.items() if name in terms}
    assert 2 <= len(holders) <= qa.settings.retrieval.list_k
    answer = qa.ask(question)
    assert answer.found and {s.id for s in answer.sources} == holders


@pytest.mark.parametrize(
    ("question", "members", "others"),
    [
        # The translation writes MS-Coco: a name in any case in a Chinese abstract
        ("Which papers evaluate on MS-COCO?", ["LGD", "RevCol", "Few Shot"], []),
        ("哪些论文在 MS-COCO 上做了实验?", ["LGD", "RevCol", "Few Shot"], []),
        # "GPT-family" is GPT; "family" alone is no name (the Koopman operator family)
        ("Which papers make use of GPT-family language models?", ["GPT-2", "GPT3"], ["Koopman"]),
        # where code is hosted is no topic of its own
        ("Which papers have code under the MediaBrain-SJTU GitHub organisation?", ["FedSkip"], []),
    ],
)
def test_a_name_is_found_as_the_corpus_writes_it(qa, question, members, others):
    texts = " ".join(s.text for s in qa.ask(question).sources)
    assert all(m in texts for m in members) and not any(o in texts for o in others)


@pytest.mark.parametrize(
    "question",
    [
        "Which papers report an mAP improvement?",  # mAP is not the "map" of AV2's maps
        "Which works explain how to distill whiskey at home with AI?",  # off the subject
    ],
)
def test_no_abstract_is_listed_by_a_word_that_only_looks_like_the_name(qa, question):
    assert not any("Argoverse" in s.text for s in qa.ask(question).sources)
    if "whiskey" in question:
        assert not qa.ask(question).found


def test_in_a_question_written_in_capitals_no_word_is_a_name(qa):
    lower = {s.id for s in qa.ask("Which papers study federated learning?").sources}
    assert {s.id for s in qa.ask("WHICH PAPERS STUDY FEDERATED LEARNING?").sources} == lower


@pytest.mark.parametrize(
    "question",
    [
        "Which papers release their code?",
        "哪些论文开源了代码?",
        "Which abstracts include a GitHub link?",
        "Which papers have a project website?",
    ],
)
def test_a_list_about_code_alone_lists_the_abstracts_that_give_a_link(qa, question):
    """Before, the gate judged abstracts by "code" and "GitHub": one to three were cited,
    or none."""
    linked = {a.id for a in qa.index.store.abstracts.values() if "://" in a.text}
    assert len(linked) > qa.settings.retrieval.list_k
    answer = qa.ask(question)
    cited = {s.id for s in answer.sources}
    assert answer.found and cited <= linked and len(cited) == qa.settings.retrieval.list_k


def test_a_list_about_code_on_a_topic_keeps_to_the_topic(qa):
    sources = qa.ask("Which federated learning papers release code?").sources
    assert len(sources) >= 2
    assert all("federated" in s.text and "://" in s.text for s in sources)
