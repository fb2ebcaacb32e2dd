"""What a question asks for, and which sentences can carry it (rag/answer_types.py)."""

import pytest

from rag.answer_types import cues, wants


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("How many benchmark datasets was it tested on?", "figure"),
        ("DrugBAN 在几个基准数据集上做了实验?", "figure"),
        ("To what lengths were the activity curves cut?", "figure"),
        ("Which datasets did AnKGE evaluate on?", "dataset"),
        ("RefT 這個方法是在哪個資料集上評測的?", "dataset"),  # Traditional characters
        ("Which two attacks does the paper propose?", "several"),
        ("时序语句定位方法认为现有方法忽略了哪两个问题?", "several"),
        ("What is the acronym of the method?", "name"),
        ("那篇论文提出的模型叫什么?", "name"),
        ("Where is the code released?", "link"),
        ("Does the method need dense labels?", "yes_no"),
        ("该方法是否需要运动捕获数据?", "yes_no"),
    ],
)
def test_the_kind_of_answer_a_question_asks_for(question, kind):
    assert getattr(wants(question), kind)


def test_a_why_question_asks_for_no_thing():
    assert not wants("Why does Co-teaching reduce to self-training?").detail


@pytest.mark.parametrize(
    ("question", "carrier", "other"),
    [
        (
            "How many baselines was DrugBAN compared against?",
            "对于五个最先进的基准,Dugban取得了最佳的总体表现。",
            "Dugban在药物分子图和靶蛋白序列上进行预测。",
        ),
        (
            "Which datasets did AnKGE evaluate on?",
            "Through extensive experiments on FB15k-237 and WN18RR datasets, we show ...",
            "We propose a novel and general self-supervised framework AnKGE.",
        ),
        (
            "哪些图统计量能预测网络性能?",
            "图形统计数据简单摘要,如加权程度和特征向量中心,可以预测性能。",
            "我们提出(1)表示学习过程,(2)捕获结构变化,(3)利用结构摘要。",
        ),
        (
            "What is the proposed attack called?",
            "We propose two types of backdoor attacks, namely NAIVEATTACK and DOORPING.",
            "Dataset distillation has emerged as a prominent technique.",
        ),
        (
            "Can I use Argoverse 2 in a commercial product?",
            "All datasets are released under the CC BY-NC-SA 4.0 license.",
            "We introduce Argoverse 2 (AV2) - a collection of three datasets.",
        ),
        (
            "Argoverse 2 的資料是以什麼授權條款釋出的?",
            "All datasets are released under the CC BY-NC-SA 4.0 license.",
            "This dataset is the largest ever collection of lidar sensor data.",
        ),
    ],
)
def test_the_sentence_holding_the_asked_kind_of_thing_gets_the_cue(question, carrier, other):
    want = wants(question)
    assert cues(carrier, want) > cues(other, want)


def test_the_questions_own_things_are_not_new():
    """ "Which datasets did AnKGE use?" is not answered by a sentence naming only AnKGE."""
    want = wants("Which datasets does AnKGE use on FB15k-237?")
    assert cues("AnKGE is evaluated on FB15k-237.", want) == 0


def test_a_figure_is_a_number_standing_alone_not_the_digits_of_a_name():
    """ "Argoverse 2", "AV2", "ResNet-50" and "3D" say nothing about how many."""
    want = wants("Argoverse 2 的激光雷达数据集一共有多少个序列?")
    assert cues("We introduce Argoverse 2 (AV2) for 3D perception with ResNet-50.", want) == 0
    assert cues("The Lidar Dataset contains 20,000 sequences.", want) == 1
    assert cues("异步FL速度快5倍。", wants("异步FL比同步FL快多少?")) == 1
    assert cues("trained beyond 64x64 resolution", wants("Up to what resolution?")) == 1


def test_the_name_cue_needs_a_name_the_question_does_not_give():
    want = wants("Which framework mitigates the bias of the student model?")
    assert cues("Then we propose a principled framework named RELIANT.", want) == 1
    assert cues("We propose to mitigate the bias of the student model.", want) == 0


def test_the_asked_quantity_is_the_questions_own_ask():
    from rag.answer_types import asked_quantity

    assert asked_quantity("In FedSkip, how often is averaging skipped?") == "how often"
    assert asked_quantity("DrugBAN 在几个基准数据集上做了实验?") == "几个"
    assert asked_quantity("构建了哪几种图?") == "", "which kinds, not how many"
    assert asked_quantity("What lets the model not depend on how many tokens there are?") == ""


def test_chinese_for_a_is_no_figure():
    want = wants("LGD 提升了多少?")
    assert cues("我们提出了一种框架,一个模块。", want) == 0
    assert cues("跨越近一亿台设备。", want) == 1
    assert cues("最后,第三阶段学习控制政策。", want) == 1, "a third stage: there are three"
    assert cues("我们是第一个提出这种机制的。", want) == 0, "the first to: no count"


@pytest.mark.parametrize(
    "question",
    [
        "Is there an invertible generative network that can be trained one block at a time?",
        "How can I make my photos useless for training someone else's model?",
        "有没有能一块一块训练的可逆生成网络?",
        "When a student learns from a graph model, how can you keep it from copying its bias?",
        "How do you stop a small graph model from amplifying its teacher's prejudice?",
        "How can a small student graph network be kept from absorbing the teacher's bias?",
        "Two networks end up agreeing with each other — what fix was proposed for that?",
        "What's the name of the two-network trick for mislabelled data?",
        "Labels get noisy. Has anyone found a way around that?",
    ],
)
def test_a_question_looking_for_a_method_wants_its_name(question):
    assert wants(question).name


def test_a_question_looking_for_a_method_is_answered_with_its_name(qa):
    question = (
        "Is there an invertible continuous-time generative network that can be trained one "
        "block at a time to save memory?"
    )
    assert "JKO-iFlow" in qa.ask(question).text


@pytest.mark.parametrize(
    "question",
    [
        "How can I know how many sequences Argoverse 2 contains?",  # a figure is asked
        "I need the number of sequences in the Argoverse 2 Sensor Dataset.",
        "How do you measure the shift, and how many scans were labelled?",  # a figure
        "Why does the student model inherit the teacher's bias?",  # a why
        "How did the authors train it, end to end or block by block?",  # no search for one
    ],
)
def test_a_request_for_a_figure_or_a_reason_wants_no_name(question):
    assert not wants(question).name


def test_a_question_about_terms_of_use_is_answered_with_the_licence(qa):
    """The opening sentence shared the most words ("Argoverse 2", "datasets") and was quoted."""
    answer = qa.ask("Can I use the Argoverse 2 datasets in a commercial product?")
    assert answer.found and "CC BY-NC-SA 4.0" in answer.text
