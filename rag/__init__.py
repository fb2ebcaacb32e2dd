"""abstracts-qa: ask questions of research-paper abstracts, offline, with cited answers.

The public API. Everything else is importable from its module but may change.

Importing this package is cheap and changes nothing: the heavy modules (the chain,
Chroma, the models) load on first use of a name that needs them, and no environment
variable of the host process is set.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from rag.errors import (
    CorpusError,
    LLMError,
    ModelError,
    QuestionError,
    QuestionTypeError,
    RagError,
    SettingsError,
    StoreError,
)
from rag.types import Answer, Location, Relevance, Source, Span

if TYPE_CHECKING:
    from rag.config import Settings
    from rag.qa import QA, ask, get_qa
    from rag.store import BuildReport

__all__ = [
    "QA",
    "Answer",
    "BuildReport",
    "CorpusError",
    "LLMError",
    "Location",
    "ModelError",
    "QuestionError",
    "QuestionTypeError",
    "RagError",
    "Relevance",
    "Settings",
    "SettingsError",
    "Source",
    "Span",
    "StoreError",
    "ask",
    "build",
    "get_qa",
]

# name -> module that defines it, imported when the name is first used
_LAZY = {
    "Settings": "rag.config",
    "QA": "rag.qa",
    "ask": "rag.qa",
    "get_qa": "rag.qa",
    "BuildReport": "rag.store",
    "build": "rag.building",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'rag' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
