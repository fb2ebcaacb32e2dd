"""Settings: every knob of the pipeline in one typed object, grouped by concern.

`Settings` composes six groups, each read from `RAG_*` environment variables and each
defined, with the note of how its defaults were chosen, in its own module:

    store      corpus_dir, store_dir or chroma_url, and what the vectors depend on  config_store
    retrieval  how many chunks and abstracts, relevance thresholds, fusion weight  config_retrieval
    answer     who writes answers, how many evidence sentences                     config_answer
    llm        the local GGUF model (RAG_LLM_*)                                    config_answer
    openai     an OpenAI-compatible server (RAG_OPENAI_*)                          config_answer
    ui         the chat's queue (RAG_UI_*)                                         config_ui

A field whose value changes the stored vectors is marked `affects_vectors`; the store's
fingerprint is made from exactly those fields (`vector_settings`), so a new such field
can never silently reuse stale vectors. The flat names of the environment variables work
as keyword arguments too: `Settings(store_dir=..., top_k=5)` is
`Settings(store=StoreSettings(store_dir=...), retrieval=RetrievalSettings(top_k=5))`.

The defaults are the ones measured on the shipped corpus (see the note on each field).
The API key is a `SecretStr`: it prints as stars and is never written anywhere.
Leaves out loading from files: environment variables and keyword arguments are enough.
Leaves out the fields themselves, which live in the group modules; their names are
re-exported here, so `from rag.config import ...` reaches every one.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

from rag.config_answer import (
    ANSWERERS,
    AnswererName,
    AnswerSettings,
    LLMSettings,
    OpenAISettings,
)
from rag.config_group import VECTORS, SettingsGroup
from rag.config_retrieval import RetrievalSettings
from rag.config_store import StoreSettings
from rag.config_ui import UISettings
from rag.errors import SettingsError

# Every public name this module had before its groups moved out: `from rag.config import X` works.
__all__ = [
    "ANSWERERS",
    "FLAT",
    "GROUPS",
    "VECTORS",
    "AnswererName",
    "AnswerSettings",
    "LLMSettings",
    "OpenAISettings",
    "RetrievalSettings",
    "Settings",
    "StoreSettings",
    "UISettings",
    "vector_settings",
]


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
