"""Kinds of detail papers' abstracts often leave out, and questions ask for in ordinary words.

Each row is (how a question asks for it, how an abstract would state it), both in English
and Chinese: "What mean absolute error…" / 预测均方误差是多少 is stated by "error", MAE, 误差.
rag/answerability.py refuses a question that asks for a kind its best abstract has no word
for, naming the paper and the detail. Where a word is also ordinary ("framework", "lab",
"date") the asked side reads it in a question frame only ("what deep learning framework",
"which lab"); the stated side lists the words an abstract would state the kind with, which
need not include every way a question asks ("how long" is stated by "hours").
tests/test_answerability.py checks a question and a statement for 17 of the kinds, and
research questions holding the trigger words that ask for none.

Leaves out the test itself (rag/answerability.py) and kinds not written as rows: telling
those apart from paraphrases needs a reading model, which does not ship offline.
"""

from __future__ import annotations

import re

# How an abstract states its licence; rag/answer_types.py quotes the sentence that does.
LICENCE_STATED = r"\blicen[cs]|\bCC[- ]BY|\b(?:MIT|Apache|GPL|BSD)\b|许可|授权"

# Kinds of detail: (how a question asks for it, how an abstract would state it).
DETAILS: tuple[tuple[re.Pattern[str], re.Pattern[str]], ...] = tuple(
    (re.compile(asked, re.IGNORECASE), re.compile(stated, re.IGNORECASE))
    for asked, stated in (
        (
            # (an error figure asked for; not the kinds of error a method addresses: "what
            # two kinds of (sampling) error does it fix?", "which error types")
            r"\b(?:mean (?:absolute|squared) error|error rate)\b"
            r"|\b(?:what|how much|how large|how big)\s+"
            r"(?:(?!kinds?\b|types?\b|sorts?\b|categories\b|classes\b|forms?\b|sources?\b)"
            r"[\w-]+\s+){0,3}?errors?\b(?!\s+(?:types?|kinds?|categories|classes)\b)"
            r"|(?:均方|平均绝对)?误差|错误率",
            r"\berrors?\b|\b(?:MAE|MSE|RMSE)\b|误差|错误",
        ),
        (r"\baccuracy\b|准确率|精度", r"\baccura|\btop-?[15]\b|准确|精度|\d%"),
        (
            # the size of the data on disk: "storage size in terabytes", 占多少存储空间
            r"\b(?:tera|giga|peta)bytes?\b|\b(?:TB|GB|PB)\b|\bstorage (?:size|space)\b"
            r"|\bdisk space\b|存储空间|存储大小|多少(?:TB|GB)",
            r"\b(?:tera|giga|peta)bytes?\b|\d\s*(?:TB|GB|PB)\b|存储",
        ),
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
            # machine translations write "5 training epochs" as 5次训练时期
            r"\btemperature\b|\d+\s*epochs\b|温度|\d+\s*[个次]?(?:训练)?(?:epoch|时代|时期|轮)",
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
            LICENCE_STATED,
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
METRICS: tuple[tuple[re.Pattern[str], re.Pattern[str]], ...] = tuple(
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
