"""Questions about the shipped corpus with the fact the answer must quote and the abstract
it must cite (a phrase that occurs only in that abstract). Written by hand from the corpus."""

FACTUAL = [
    ("How much does LGD improve RetinaNet on COCO?", "39.0", "LGD(标签引导自蒸馏)"),
    (
        "What NDS does the Cross Modal Transformer reach on nuScenes?",
        "73.0% NDS",
        "Cross Modal Transformer (CMT)",
    ),
    (
        "What record does the neural collapse method set on the ScanNet200 leaderboard?",
        "+6.8% mIoU",
        "neural collapse",
    ),
    ("What ImageNet-1K accuracy does RevCol-XL obtain?", "88.2%", "Reversible Column Network"),
    (
        "What does RELIANT mitigate?",
        "bias exhibited by the student model",
        "fair knowledge distillation",
    ),
    (
        "Where is the source code of FedSkip?",
        "github.com/MediaBrain-SJTU/FedSkip",
        "called FedSkip",
    ),
    ("How many users and tweets is MGTAB built from?", "1.55 million users", "MGTAB"),
    (
        "How many object categories have 3D cuboid annotations in Argoverse 2?",
        "26 object categories",
        "Argoverse 2",
    ),
    ("On which datasets is AnKGE evaluated?", "FB15k-237", "AnKGE"),
    ("What Top-1 accuracy do the EMO-1M/2M/5M models reach?", "71.5", "Meta-Mobile Block"),
    (
        "How many typologically different languages are studied with mBERT?",
        "24",
        "Multilingual BERT",
    ),
    ("LGD在COCO上把RetinaNet提升了多少?", "39.0", "LGD(标签引导自蒸馏)"),
    ("基于Lenet的图摘要能达到多少分类精度?", "93%", "神经网络(NNS)"),
    ("异步FL比同步FL快多少?", "快5倍", "交叉设备联合学习"),
    ("BCL的代码在哪里可以找到?", "github.com/mediabrain-sjtu/bcl", "自我监督的学习"),
    # The opening sentence ("We introduce Argoverse 2 (AV2) - a collection of three
    # datasets") shares the most with the question but does not answer it.
    ("Argoverse 2 的激光雷达数据集一共有多少个序列?", "20,000", "Argoverse 2"),
]

UNANSWERABLE = [
    "What is the capital of France?",
    "Who won the 2018 FIFA World Cup?",
    "How do I bake sourdough bread?",
    "法国的首都是哪里?",
    # Chit-chat: a multilingual model finds *some* abstract close to anything.
    "tell me a joke",
    "你好",
    "Thanks, that's all for now!",
    # Shares only "code" with abstracts, and only in their "code is available" sentences.
    "Are there any papers here on quantum error correction code?",
]
