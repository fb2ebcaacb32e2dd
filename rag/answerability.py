"""Answerability: does the evidence state what was asked, or only talk about the paper?

A *near-miss* question finds its paper but asks for a detail the abstract never gives:
"Which GPU was CMT trained on?", "What MRR does AnKGE reach on FB15k-237?". Quoting the
best sentence would answer a question nobody asked, so the answer is `found=False`, with
the paper cited and the missing detail named ("The CMT abstract [1] does not say GPU.").

The test is lexical and deliberately narrow: a *specific* word of the question (written
like a name or an acronym, or holding a digit: GPU, FPS, MRR, VGG, FB15k-237) that none
of the retrieved abstracts contains, not even misspelt (TegFromer is TegFormer). Ordinary
words are never required, because a paraphrase or a translation rightly uses other ones.
The words are Latin-script, and a machine-translated Chinese abstract may have translated
them (RetinaNet there is 视网膜网), so the test runs only when every retrieved abstract is
English (the question may be in either language: "CMT 用了哪块 GPU?").

A second, bilingual test covers a few *kinds* of detail that papers' abstracts often leave
out and that questions ask for in ordinary words: an error or accuracy figure, a metric
(AUROC, mAP, which the corpus's machine translation writes 地图, F1, FID…), the hardware,
the training time or another duration, hyper-parameters (temperature, epochs), the
parameter count, the authors' affiliation or company, a cost, a fraction, a licence, the
hospital, brand or physics engine, the years, the authors themselves, the speed (frames
per second, latency), the memory, random seeds, annotator agreement, funding, the venue,
a search's or an agent's settings (mutation rate, population, steps), the architecture's
sizes (layers, dimensions), the framework it is written in, a user
study, the country, statistical significance, and "which datasets" when no sentence
names one. When the
question asks for one ("What mean absolute error…", "预测均方误差是多少?") and the best
abstract has no word of that kind in either language, the detail is unstated. This one
runs on Chinese abstracts too: the words are matched in both languages. Likewise "how
many / 多少" asked of an abstract that gives no figure at all (names' digits, "AV2", and
一种 = "a" are no figures) is a near-miss.

Leaves out other details asked in ordinary words (哪几个数据集, "does it include Chinese"):
telling those apart from paraphrases needs a reading model, which does not ship offline.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from difflib import get_close_matches

from rag.answer_types import (
    DATASET_WORD,
    Wants,
    asked_quantity,
    new_figures,
    new_things,
    wants,
)
from rag.lexical import simplified, tokenize
from rag.retrieval import Passage
from rag.types import Abstract

# A specific word: an acronym or mixed-case name (GPU, FPS, RevCol-H, mAP, FB15k-237), a
# word of letters then digits (resnet50, gpt3), or a capitalised name inside the question
# (Waymo, Twitter; not the question's first word). Bare numbers and units (2023, 31m) are
# not: they are as often noise as the detail asked for.
_SPECIFIC = re.compile(
    r"(?<![\w-])(?:[A-Za-z]*[A-Z][A-Za-z]*[A-Z0-9][\w-]*|[A-Za-z]{2,}[0-9][\w-]*"
    r"|[a-z]+[A-Z][A-Za-z0-9]*)(?![\w-])"
    r"|(?<=[a-z,] )[A-Z][a-z]{3,}(?![\w-])"
)
# How an abstract introduces its method: "... named Cross Modal Transformer (CMT), ...".
# The name is its capitalised words: "named RELIANT to mitigate ..." is RELIANT.
_CALLED = re.compile(
    r"\b(?:named|called|dubbed|termed|coined)\s+([A-Z][\w+-]*(?:\s+[A-Z][\w+-]*){0,5})"
)
_PARENS = re.compile(r"\(([A-Z][A-Za-z0-9-]{1,20})\)")


# Kinds of detail: (how a question asks for it, how an abstract would state it).
_DETAILS: tuple[tuple[re.Pattern[str], re.Pattern[str]], ...] = tuple(
    (re.compile(asked, re.IGNORECASE), re.compile(stated, re.IGNORECASE))
    for asked, stated in (
        (
            # (an error figure; not the kinds of error a method addresses: "what two kinds
            # of error does it fix?")
            r"\b(?:mean (?:absolute|squared) error|error rate|"
            r"(?<!kinds of )(?<!kind of )(?<!types of )(?<!type of )(?<!sorts of )"
            r"(?<!sources of )(?<!forms of )errors?)\b"
            r"|(?:均方|平均绝对)?误差|错误率",
            r"\berrors?\b|\b(?:MAE|MSE|RMSE)\b|误差|错误",
        ),
        (r"\baccuracy\b|准确率|精度", r"\baccura|\btop-?[15]\b|准确|精度|\d%"),
        (
            # not "GPU memory" or "GPU hours": other kinds of detail
            r"\b(?:GPUs?|TPUs?|hardware)\b(?! (?:memory|hours))|显卡|硬件",
            r"\b(?:GPU|TPU|hardware)|显卡|硬件|图形处理",
        ),
        (
            r"\b(?:how long|training time|GPU hours|(?:how many|number of) (?:hours|days|weeks))\b"
            r"|wall-clock|多久|多长时间|训练时间|耗时|(?:多少|几)个?(?:小时|天|周)",
            r"\b(?:hours?|minutes?|days?|seconds?|weeks?|months?|training time)\b"
            r"|小时|分钟|天|秒|周|训练时间|培训时间",
        ),
        (
            r"\b(?:learning rate|batch size|hyper-?parameters?|optimi[sz]er)\b"
            r"|学习率|批大小|超参数|优化器",
            r"\b(?:learning rate|batch|hyper-?parameter|optimi[sz]er|SGD|Adam)"
            r"|学习率|批|超参数|优化器",
        ),
        (
            r"\btemperature\b|\b(?:how many|number of) (?:training )?epochs\b"
            r"|温度|多少个?(?:epoch|轮)",
            r"\btemperature\b|\d+\s*epochs\b|温度|\d+\s*个?(?:epoch|时代|轮)",
        ),
        (
            r"\b(?:how many parameters|parameter count|model size)\b|参数量|多少参数",
            # a count, not the word: "a large parameter budget" gives no number
            r"(?<![\w.-])\d+(?:\.\d+)?\s?(?:[MB]|million|billion)\b|\d+(?:\.\d+)?\s?[万亿]",
        ),
        (
            r"\b(?:universit(?:y|ies)|institutions?|affiliat\w*|laborator(?:y|ies)"
            r"|compan(?:y|ies))\b|\b(?:which|what) (?:lab|research group)s?\b"
            r"|大学|机构|单位|学校|公司|企业|课题组",
            r"\b(?:universit|institut|laborator|affiliat|compan|corporat)|\blabs?\b"
            r"|\bresearch groups?\b|大学|机构|研究所|实验室|公司|企业|课题组",
        ),
        (
            r"\b(?:cost|price|expenses?|budget)\b|成本|费用|花费|价格",
            r"\b(?:cost|price|expens|budget|dollars?|USD)|\$|成本|费用|花费|价格",
        ),
        (
            r"\b(?:fraction|proportion|share|percentage)\b|比例|占比|百分之",
            r"%|\bfraction|\bpercent|比例|百分",
        ),
        (
            r"\blicen[cs]e[sd]?\b|许可证?|授权|开源协议|许可协议",
            r"\blicen[cs]|\bCC[- ]BY|\b(?:MIT|Apache|GPL|BSD)\b|许可|授权",
        ),
        # Where the data came from, what it ran on, when: names abstracts rarely give. Only
        # asked as "which ...": "Can the method be used in hospitals?" asks no name.
        (
            r"\b(?:which|what|how many)\b[^?.]{0,20}\bhospitals?\b|哪(?:家|个|些|几家)医院"
            r"|多少家?医院",
            r"\bhospital|医院",
        ),
        (
            # not "on-device model", "camera model" (pinhole) or "robot model" (dynamics)
            r"\bbrand\b|\bmake and model\b|\bmodel number\b"
            r"|(?<!on-)\b(?:device|lidar|scanner|GPU|phone) model\b|型号|品牌",
            # a maker or a product code states it: "NVIDIA A100", "Velodyne HDL-64E"
            r"\bbrand\b|型号|品牌|\b(?:NVIDIA|GeForce|RTX|Tesla|Intel|AMD|Velodyne|Ouster"
            r"|Livox|Sony|Canon|Samsung|Apple|Geomagic|Phantom|da Vinci)\b"
            r"|\b[A-Z]{1,4}-?\d{2,4}[A-Z]?\b",
        ),
        (
            r"\b(?:physics|simulation) engine\b|物理(?:仿真)?引擎|仿真引擎",
            r"(?<!inference )\bengine\b|\bsimulator\b|MuJoCo|Bullet|Isaac|PhysX|Gazebo|SOFA"
            r"|Unity|Unreal|CARLA|Habitat|Webots|引擎|模拟器|仿真器",
        ),
        (
            # the years or dates something was collected or run, not a duration ("time
            # window") and not "to date" or "up to date"
            r"\b(?:during|over|in|from|between) (?:which|what) years\b|\bwhich years\b"
            r"|\b(?:time period|date range)\b|\b(?:which|what|on what) dates?\b(?! range)"
            r"|\b(?:which|what) year\b|哪几年|哪一年|时间段|日期",
            r"(?<!\d)(?:19|20)\d\d(?!\d)|\d{4}\s*年",
        ),
        # Who wrote it: an abstract says "we"; it never lists its authors. Asked of the
        # paper only: "Can the detector tell who wrote a text?" asks no author.
        (
            r"\bwho (?:are|were) the authors\b|\bwho (?:wrote|authored) (?:the|this|that)\b"
            r"[^?]{0,40}\b(?:paper|work|study|article)\b|\bauthors' names\b"
            r"|\bnames of the authors\b"
            r"|作者是谁|作者(?:有|都有)?哪些|哪些作者",
            r"(?!)",
        ),
        # How fast it runs, in a unit: frames per second, latency, throughput.
        (
            r"\b(?:frames? per second|frame rate|FPS|latency|throughput"
            r"|inference (?:speed|time))\b|帧率|每秒.{0,3}帧|推理(?:速度|时间|延迟)|时延|吞吐"
            r"|(?:多少|几)毫秒",
            r"\b(?:FPS|fps|frames? per second|frame rate|latency|throughput|real-time|realtime"
            r"|speed|faster|milliseconds?|inference time|run-?time|running time)\b|(?-i:\bms\b)"
            r"|帧|延迟|时延|速度|实时|更快|毫秒|推理时间|吞吐",
        ),
        # The memory it needs.
        (
            r"\b(?:how much (?:GPU )?memory|memory (?:footprint|usage|consumption)|VRAM)\b"
            r"|显存|内存(?:占用|消耗)",
            r"\b(?:memory|GB|MB|VRAM)\b|显存|内存",
        ),
        # Repeated runs: seeds, the spread across runs (not a noise's standard deviation).
        (
            r"\b(?:random seeds?|how many (?:runs|seeds)|standard deviations? (?:across|over)"
            r" (?:runs|seeds)|variance across (?:runs|seeds))\b|随机种子",
            r"\bseeds?\b|\b\d+\s+(?:runs|trials)\b|±|\bstandard deviation|\bstd\b|种子|标准差",
        ),
        # How the labels were checked: annotators and their agreement.
        (
            r"\b(?:inter-annotator|annotator agreement|Cohen's kappa|how many annotators)\b"
            r"|标注一致性|标注者一致|多少(?:个|名|位)?标注(?:者|员|人员)",
            r"\bagreement\b|\bkappa\b|\bannotators?\b|\breliability\b|一致性|标注者",
        ),
        # A search's or an agent's settings: mutation rate, population, steps, episodes.
        (
            r"\b(?:mutation rate|crossover rate|population size|number of generations"
            r"|discount factor|replay buffer(?: size)?|(?:how many|number of) (?:(?:environment"
            r"|training|gradient|interaction) steps|timesteps|episodes))\b"
            r"|变异率|种群(?:大小|规模)|折扣因子|多少(?:个)?(?:训练|环境)?(?:步|回合)",
            r"\b(?:mutation|crossover|population|generations?|discount|buffer)\b"
            r"|\d+(?:\.\d+)?\s*[kKM]?\s*(?:steps|timesteps|episodes)\b|变异|种群|折扣"
            r"|\d+\s*(?:步|回合)",
        ),
        # The architecture's sizes: layers, heads, dimensions, kernels.
        (
            r"\b(?:how many (?:layers|attention heads|heads)|hidden (?:size|dimension)"
            r"|embedding (?:size|dimension)|latent (?:size|dimension)|kernel size|patch size"
            r"|dropout rate|weight decay)\b|层数|多少层|隐藏层维度|嵌入维度|潜在维度|卷积核大小",
            r"\b(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten|twelve)[\s-]*"
            r"(?:layers?|heads)\b|\b(?:hidden|embedding|latent) size\b|\bdimensions?\b"
            r"|\bkernel|\bpatch size|\bdropout|\bweight decay"
            r"|(?:\d+|[一二两三四五六七八九十]+)\s*层|维度|卷积核",
        ),
        # What it is written in ("What framework does the paper propose?" asks no software).
        (
            r"\b(?:which|what) (?:deep learning|software|programming) (?:framework|library)\b"
            r"|\b(?:which|what) (?:programming )?language is\b[^?]{0,40}\b(?:written|implemented)"
            r"|\bimplemented in (?:which|what)\b"
            # (框架 alone is a method's framework: "这个方法用的是什么框架?")
            r"|(?:什么|哪个|哪种)深度学习框架|(?:用|基于)(?:什么|哪个|哪种)框架(?:写|实现|编写|开发)"
            r"|什么编程语言|哪种编程语言",
            r"PyTorch|TensorFlow|\bJAX\b|Keras|MXNet|PaddlePaddle|\bPython\b|C\+\+|MATLAB"
            r"|\blibrary\b|\bframework\b|框架|(?<!数据)库",
        ),
        # Who took part, and where.
        (
            # not "participants": federated learning calls its clients that
            r"\b(?:how many (?:human )?(?:subjects|volunteers)|(?:user|human) study)\b"
            r"|受试者|志愿者|用户研究",
            r"\b(?:participants?|subjects|volunteers|user study|human evaluation)\b"
            r"|参与者|受试者|志愿者|用户研究|人类评估",
        ),
        (
            r"\b(?:which|what) countr(?:y|ies)\b|哪个国家|哪些国家",
            r"\bcountr|\bnation|\b(?:China|Chinese|United States|USA|U\.S\.|UK|Britain|Japan"
            r"|Germany|France|Canada|Korea|India|Australia|Singapore|Italy|Spain|Brazil"
            r"|Europe|European)\b|国家|中国|美国|英国|日本|德国|法国|加拿大|韩国|印度",
        ),
        (
            r"\bp-?values?\b|\bstatistical(?:ly)? significan\w*|显著性检验|统计显著",
            r"\bp\s*-?\s*values?\b|\bp\s*[<=]|\bstatistical(?:ly)? significan|显著性",
        ),
        # Who paid, where it was published.
        (
            r"\b(?:who funded|funded by|funding|grant numbers?)\b|资助|基金",
            r"\b(?:fund|grant|sponsor)|资助|基金",
        ),
        (
            r"\b(?:which|what) (?:conference|journal)\b(?! articles?)"
            r"|\bpublished (?:at|in) (?:which|what)\b|发表在哪|哪个(?:会议|期刊)",
            r"\b(?:conference|journal|proceedings|CVPR|ICCV|ECCV|ICML|NeurIPS|ICLR|ACL|EMNLP|AAAI"
            r"|IJCAI|KDD|SIGIR|WWW)\b|会议|期刊",
        ),
    )
)


# Metrics, written alike in both languages or with their usual (and machine) translations;
# case matters (mAP is not "map"). An abstract reporting a figure in another metric does
# not state this one.
_METRICS: tuple[tuple[re.Pattern[str], re.Pattern[str]], ...] = tuple(
    (re.compile(asked), re.compile(stated))
    for asked, stated in (
        (r"\bAU(?:ROC|PRC|C)\b", r"\bAU(?:ROC|PRC|C)\b|ROC|曲线下面积"),
        (r"\bmAP\b|\bAP(?:box|50|75)?\b", r"\bm?AP|地图|平均精度"),
        (r"\bm?IoU\b", r"IoU|交并比"),
        (r"\bF1\b", r"\bF1\b|F-score|F值"),
        (
            r"\b(?:FID|BLEU|PSNR|SSIM|NDS|WER|CER|PLCC|SRCC|MRR)\b",
            r"\b(?:FID|BLEU|PSNR|SSIM|NDS|WER|CER|PLCC|SRCC|MRR)\b",
        ),
        (r"\bHits@\d+|\bR@\d+|\b[Rr]ecall@\d+", r"@\d+|召回"),
        # Spelled out: "mean reciprocal rank" is MRR, "click-through rate" is CTR.
        (r"(?i:\bmean reciprocal rank\b)|平均倒数排名", r"\bMRR\b|(?i:reciprocal rank)|倒数排名"),
        (r"(?i:\bclick-through rates?\b)|\bCTR\b|点击率", r"(?i:click-through)|\bCTR\b|点击率"),
    )
)
# "Which datasets / 哪几个数据集": answered by a sentence that speaks of data and names some.
# Also "the names of the three benchmark datasets", 哪四个基准数据集, 数据集分别是哪三个.
_WHICH_DATASETS = re.compile(
    r"\b(?:which|what)\b[^?？]{0,30}\b(?:datasets|benchmarks)\b"
    r"|\bnames? of the (?:[\w-]+ ){0,3}(?:datasets|benchmarks)\b"
    r"|哪(?:几|些|个|[一二两三四五六七八九十]+)[个种项]?(?:基准)?数据集"
    r"|数据集[^?？,，]{0,8}(?:哪(?:几|些|[一二两三四五六七八九十]+)个?|叫什么|名字|名称)",
    re.IGNORECASE,
)


# Counts a question asks for a set of named things by ("Which six cities ...?").
_ASK_COUNTS = r"(?:two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|\d+)"
# "Which six cities ...?", "Exactly how many MIDI files ...?": things asked for by count, or
# a counted set of them by name, from a clause's start ("What does the paper that counts
# how many people are in a crowd propose?" asks no count) up to the verb or preposition
# that ends the noun phrase. "What setting ...?" asks for a description, not a name or a
# figure: not asked this way.
_ASKED_THING = re.compile(
    r"(?:^|[,;:]\s*|\band\s+)(?:exactly\s+)?"
    r"(?:how many|(?:which|what)\s+" + _ASK_COUNTS + r"(?=\s))\s+"
    r"((?:[\w-]+\s+){0,3}?[\w-]+)(?=\s+(?:are|is|was|were|did|does|do|has|have|had|can"
    r"|could|would|will|should|in|of|for|on|at|from|with|by|to|per|that|which|when|and|or"
    r"|used|made|across|between|over|among|within|into|than|during|exactly|precisely"
    r"|specifically|altogether)\b|\s*[?,.]|$)",
    re.IGNORECASE,
)
# Things every abstract speaks of without naming them ("which two approaches", "how many
# of them"): a question asking for one is answered by a description, not a name.
_GENERIC_THINGS = frozenset(
    """method approach model problem task result data technique framework idea contribution
    way paper work study advantage benefit limitation challenge issue goal kind type part
    component module mechanism strategy performance improvement role purpose aspect property
    reason effect difference thing time it they them this that these those""".split()
)
# What specifies a thing: a name, an acronym, a figure (100k, 3x, 5%), a count in words.
_SPECIFIES = re.compile(
    r"\b(?:[A-Z][\w-]*[A-Z0-9][\w-]*|[A-Z][a-z]+[A-Z]\w*|[A-Z][a-z]{2,})\b|(?<![\w.])\d[\w.,%×]*"
    r"|(?i:\b(?:one|single|both|pair|dual|dozens?|two|three|four|five|six|seven|eight|nine|ten"
    r"|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty"
    r"|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|thousand|million|billion)\b)"
)
# Prefixes that make a kind of thing, not name one: "multi-city" is no city's name.
_PREFIXES = re.compile(
    r"\b(?:multi|cross|non|sub|semi|inter|intra|pre|post|co|self|anti|bi|tri|re|over|under)-$",
    re.IGNORECASE,
)
_NEAR = 40  # characters either side of a mention, within its sentence, where a name or figure
# for it would be: "six distinct cities", "a dataset of 100k images"


def _singular(word: str) -> str:
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if re.search(r"(?:s|x|ch|sh)es$", word):
        return word[:-2]
    if word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def _unspecified(question: str, passage: Passage) -> str:
    """The things asked for ("which six cities", "how many MIDI drum files") when the
    abstract mentions them but never with a name or figure the question lacks beside them
    ("six distinct cities", "hundreds of MIDI files"), else "". A thing the abstract never
    mentions decides nothing: a paraphrase names it in other words."""
    text = passage.hit.abstract.text
    own = {t.lower() for t in re.findall(r"[\w-]+", question)}
    spans = [(span.start, span.end) for span in passage.sentences] or [(0, len(text))]

    def specified(mention: re.Match[str]) -> bool:
        if text[max(0, mention.start() - 7) : mention.start()].endswith("-"):
            # "feature-level": the word before names which one, unless it is a prefix
            return not _PREFIXES.search(text[max(0, mention.start() - 7) : mention.start()])
        start, end = next(((a, b) for a, b in spans if a <= mention.start() < b), (0, len(text)))
        near_start = max(start, mention.start() - _NEAR)
        near = text[near_start : min(end, mention.end() + _NEAR)]
        for token in _SPECIFIES.finditer(near):
            if (
                near_start + token.start() == start
                or text[start : near_start + token.start()].isspace()
            ):
                continue  # a sentence's first word is capitalised, not a name
            if token.group(0).lower() not in own:
                return True
        return False

    for asked in _ASKED_THING.finditer(question):
        words = [_singular(w) for w in asked.group(1).lower().split()]
        if any(w in _GENERIC_THINGS for w in words):
            continue
        head = words[-1]
        if len(head) < 3:
            continue
        form = (
            rf"{re.escape(head[:-1])}(?:y|ies)"
            if head.endswith("y")
            else rf"{re.escape(head)}(?:s|es)?"
        )
        mentions = list(re.finditer(rf"\b{form}\b", text, re.IGNORECASE))
        if mentions and not any(specified(m) for m in mentions):
            return asked.group(0).strip(" ,;:").removeprefix("and ").strip()
    return ""


def _names_no_dataset(question: str, want: Wants, passage: Passage) -> bool:
    """Whether the question asks which datasets and no sentence of the abstract names one."""
    if not _WHICH_DATASETS.search(question):
        return False
    text = passage.hit.abstract.text
    sentences = [text[span.start : span.end] for span in passage.sentences] or [text]
    return not any(DATASET_WORD.search(s) and new_things(s, want) for s in sentences)


def unstated(question: str, passages: Sequence[Passage]) -> list[str]:
    """What the question asks for that the retrieved abstracts do not state: the kinds of
    detail (in the question's words) the best abstract has no word for, and the specific
    words no retrieved abstract holds (only checked when every one is English)."""
    if not passages:
        return []
    asked = simplified(question)
    best = simplified(passages[0].hit.abstract.text)
    kinds = [
        m.group(0) for ask, state in _DETAILS if (m := ask.search(asked)) and not state.search(best)
    ]
    kinds += [m.group(0) for ask, state in _METRICS if (m := ask.search(asked))]
    kinds = [
        k for k in kinds if not any(state.search(best) for ask, state in _METRICS if ask.search(k))
    ]
    want = wants(question)  # what it asks for, read once for the two tests below
    if _names_no_dataset(asked, want, passages[0]):
        kinds.append(_WHICH_DATASETS.search(asked).group(0))
    quantity = asked_quantity(question)
    if quantity and not new_figures(passages[0].hit.abstract.text, want):
        kinds.append(quantity)  # "how many" of an abstract that gives no figure at all
    if any(p.hit.abstract.language != "en" for p in passages):
        return _once(kinds)
    if not kinds and (thing := _unspecified(question, passages[0])):
        kinds.append(thing)
    missing = list(kinds)
    for word in dict.fromkeys(_SPECIFIC.findall(question)):
        parts = set(tokenize(word.replace("-", " ")))
        if len(word) >= 3 and parts and not any(_states(word, parts, p) for p in passages):
            missing.append(word)
    return _once(missing)


def _once(words: list[str]) -> list[str]:
    """Each missing detail said once: GPU asked twice, or inside "How much GPU memory"."""
    words = list({word.lower(): word for word in words}.values())
    return [w for w in words if not any(w.lower() in o.lower() and w != o for o in words)]


def _states(word: str, parts: set[str], passage: Passage) -> bool:
    """Whether the abstract holds the word: its parts, the word itself, or a near spelling
    (one with the same letters, or close by difflib's ratio)."""
    text = passage.hit.abstract.text
    if parts <= passage.terms or word.lower() in text.lower():
        return True
    words = {w.lower() for w in re.findall(r"[\w-]+", text)}
    if len(word) >= 4 and sorted(word.lower()) in (sorted(w) for w in words):
        return True  # two letters swapped: iRBM is iRMB, eVEA is eVAE
    return bool(get_close_matches(word.lower(), words, n=1, cutoff=0.8))


def label(abstract: Abstract, question: str = "") -> str:
    """A short name for the paper: the name the question calls it by, else its title, the
    name the abstract gives its method, its first acronym, or its first words."""
    text = abstract.text
    # Names only: a capitalised ordinary word ("Learning") would label any paper.
    asked = [w for w in _SPECIFIC.findall(question) if not re.fullmatch(r"[A-Z][a-z]+", w)]
    for word in asked:  # the name the abstract defines: "... Transformer (CMT)"
        if f"({word})" in text:
            return word
    for word in asked:
        # Latin word edges: in a Chinese abstract a name touches Chinese characters (称为LGD).
        # (in any case: the translation writes FedMCSA as FEDMCSA)
        if re.search(rf"(?<![A-Za-z0-9-]){re.escape(word)}(?![A-Za-z0-9-])", text, re.I):
            return word
    if abstract.title:
        return abstract.title
    for found in (_CALLED.search(text), _PARENS.search(text)):
        if found:
            return found.group(1).strip()
    if abstract.language == "zh":
        return text[:12] + "…"
    return " ".join(text.split()[:6]) + "…"
