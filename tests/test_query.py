"""Resolving the conversation into a Query: follow-ups, their subject, list questions."""

import pytest

from rag.query import Query, is_follow_up, is_list_question, is_small_talk, resolve

CMT = "What NDS does the Cross Modal Transformer reach on nuScenes?"


@pytest.mark.parametrize(
    ("question", "follow_up"),
    [
        ("Is it robust without LiDAR?", True),
        ("What datasets did they use?", True),
        ("这个方法的代码在哪里?", True),
        (CMT, False),
        ("Which papers are about federated learning?", False),
        # An ellipsis continues the last question.
        ("And on ADE20k?", True),
        ("What about the training cost?", True),
        ("How many object categories are annotated there?", True),
        ("How is the second attack different from the first one?", True),
        ("Website?", True),
        ("代码?", True),
        ("那同步的FL为什么难以扩展?", True),
        ("在 COCO 上呢?", True),
        # A new subject described, not an ellipsis
        ("那 ICD 那篇条件蒸馏的论文呢?RetinaNet 提升了多少?", False),
        ("那篇让角色从跌倒状态站起来的论文,最后一个阶段学的是什么?", False),
        ("那些论文用了GPT?", False),
        ("Is there a paper on federated learning?", False),
        ("Which papers report results on COCO?", False),
        # "that" points back as a pronoun, not as a relative.
        ("Is there a federated learning method that periodically skips the averaging step?", False),
        ("Which papers propose a method that works without labels?", False),
        ("Tell me more about that.", True),
        ("Why does that happen?", True),
        ("What's that called?", True),
        ("Is that paper public?", True),
        ("Why do some popcorn kernels never pop, and how can I fix that?", True),
    ],
)
def test_follow_up_detection(question, follow_up):
    assert is_follow_up(question) is follow_up


def test_follow_up_is_searched_with_the_conversation_subject():
    history = [{"role": "user", "content": CMT}, {"role": "assistant", "content": "73.0% NDS [1]"}]
    query = resolve("Is it robust without LiDAR?", history)
    assert query == Query("Is it robust without LiDAR?", "follow-up", CMT, "en")
    assert query.search_text == f"{CMT} Is it robust without LiDAR?"


def test_chained_follow_ups_keep_the_first_subject():
    history = [
        {"role": "user", "content": CMT},
        {"role": "assistant", "content": "..."},
        {"role": "user", "content": "Is it robust?"},
        {"role": "assistant", "content": "..."},
    ]
    assert resolve("Where is its code?", history).subject == CMT


def test_a_follow_up_after_questions_that_all_read_as_follow_ups_leans_on_the_first():
    """ "a method that skips averaging": the relative "that" makes the opening question read
    as a follow-up too; the conversation's subject is still that question."""
    opening = "Is there a federated learning method that periodically skips the averaging step?"
    history = [{"role": "user", "content": opening}, {"role": "assistant", "content": "..."}]
    query = resolve("Is the code for it public somewhere?", history)
    assert query.kind == "follow-up" and query.subject == opening


def test_a_question_with_its_own_subject_ignores_the_history():
    history = [{"role": "user", "content": CMT}, {"role": "assistant", "content": "..."}]
    question = "What ImageNet-1K accuracy does RevCol-XL obtain?"
    assert resolve(question, history) == Query(question, "standalone", None, "en")


@pytest.mark.parametrize(
    ("question", "listing"),
    [
        ("Which papers are about federated learning?", True),
        ("哪些论文涉及强化学习?", True),
        ("Which paper proposes a self-distillation framework?", False),  # one paper
        ("它在哪些数据集上做了实验?", False),  # which datasets, not which papers
        ("which ones build on a GPT model?", True),
        ("Are there papers that work with CT images? Which ones?", True),
        ("Which of the papers are about federated learning?", True),
        ("It is tested on three benchmarks. Which ones did it use?", False),
    ],
)
def test_list_question_detection(question, listing):
    assert is_list_question(question) is listing


def test_a_list_question_is_its_own_kind_and_a_chinese_one_is_chinese():
    assert resolve("哪些论文研究联邦学习?").kind == "list"
    assert resolve("哪些论文研究联邦学习?").language == "zh"


def test_a_question_naming_another_paper_is_about_that_paper_whatever_its_pronouns():
    history = [{"role": "user", "content": CMT}, {"role": "assistant", "content": "73.0% [1]"}]
    question = "What is the model size of EMO?"  # "the model" would make it a follow-up
    names = {"emo": "a-emo", "cmt": "a-cmt"}
    assert resolve(question, history, names).kind == "standalone"
    assert resolve("Is the model robust?", history, names).subject == CMT


def test_the_papers_a_question_names_by_their_own_names_are_kept_in_its_order():
    names = {"ssrn": "a-ssrn", "hitea": "a-hitea", "cifar-10": "a-ascend"}
    own = {"ssrn": "a-ssrn", "hitea": "a-hitea"}  # CIFAR-10 is only used by its paper
    query = resolve("SSRN 和 HiTeA 分别在多少个数据集上做了实验?", None, names, own)
    assert query.named == ("a-ssrn", "a-hitea")
    assert resolve("What does HiTeA reach on CIFAR-10?", None, names, own).named == ("a-hitea",)
    assert resolve("Which papers use CIFAR-10?", None, names, own).named == ()


def test_a_paper_is_named_by_the_phrase_its_acronym_spells_out():
    own = {"cmt": "a-cmt", "cross modal transformer": "a-cmt", "lgd": "a-lgd"}
    query = resolve("Does the Cross  Modal Transformer beat LGD?", None, own, own)
    assert query.named == ("a-cmt", "a-lgd")


def test_a_follow_up_is_also_searched_with_the_one_paper_the_last_answer_named():
    """The subject only described a topic; the answer named MGTAB: "它" is MGTAB."""
    own = {"mgtab": "a-mgtab", "cmt": "a-cmt", "lgd": "a-lgd"}
    history = [
        {"role": "user", "content": "有没有做推特机器人检测的基准?"},
        {"role": "assistant", "content": "有, MGTAB 是一个多关系图基准。"},
    ]
    query = resolve("它的代码在哪里?", history, own, own)
    assert query.subject == "有没有做推特机器人检测的基准? MGTAB"
    assert query.named == (), "searched with, not forced first: a follow-up may switch papers"
    two = [history[0], {"role": "assistant", "content": "CMT and LGD."}]
    assert resolve("它的代码在哪里?", two, own, own).subject == history[0]["content"]
    named = [{"role": "user", "content": "What is MGTAB?"}, history[1]]
    assert resolve("它的代码在哪里?", named, own, own).subject == "What is MGTAB?"


def test_a_question_that_says_it_switches_papers_is_no_follow_up():
    history = [{"role": "user", "content": CMT}, {"role": "assistant", "content": "73.0% [1]"}]
    for question in (
        "Switching to the conditional distillation paper: how much did it lift RetinaNet?",
        "换个话题,HiTeA 在多少个任务上取得了最好结果?",
    ):
        assert not is_follow_up(question)
        assert resolve(question, history).subject is None


def test_an_ellipsis_is_searched_with_the_paper_before(qa):
    history = [
        {"role": "user", "content": "What did the mBERT paper find about grammatical relations?"},
        {"role": "assistant", "content": "The distributions of grammatical relations differ."},
    ]
    hits = qa.rank("So what ends up predicting how well the transfer works?", history)
    assert "mBERT" in hits[0].abstract.text


def test_a_follow_up_is_about_the_last_question_even_after_a_list(qa):
    """Seen in the chat: "Website?" after "... a method that periodically skips ..." was
    answered from the list question before it, whose "that" had made it a follow-up."""
    history = [
        {"role": "user", "content": "Which papers report results on COCO?"},
        {"role": "assistant", "content": "LGD [1] and RefT [2] report COCO results."},
        {
            "role": "user",
            "content": "Is there a federated learning method that periodically skips the "
            "averaging step?",
        },
        {"role": "assistant", "content": "FedSkip periodically skips federated averaging [1]."},
    ]
    assert "FedSkip" in qa.ask("Website?", history).text


@pytest.mark.parametrize(
    ("message", "small_talk"),
    [
        ("thx, that's all for now, bye!", True),
        ("Thanks, that was really helpful!", True),
        ("谢谢,就这些了,再见!", True),
        ("Thanks! What dataset does it use?", False),
        ("Thanks, and the code?", False),
        ("got it. is it open source", False),
        ("thanks, tell me more", False),
    ],
)
def test_thanks_that_ask_nothing_are_small_talk(message, small_talk):
    assert is_small_talk(message) is small_talk
