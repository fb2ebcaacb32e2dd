"""abstracts-qa: ask questions of research-paper abstracts, offline, with cited answers.

The public API. Everything else is importable from its module but may change.
"""

from dataclasses import replace

from rag.config import Settings
from rag.errors import (
    CorpusError,
    LLMError,
    ModelError,
    QuestionError,
    QuestionTypeError,
    RagError,
    StoreError,
)
from rag.qa import QA, ask, get_qa
from rag.store import BuildReport
from rag.types import Answer, Location, Relevance, Source, Span

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
    "Source",
    "Span",
    "StoreError",
    "ask",
    "build",
    "get_qa",
]


def build(
    settings: Settings | None = None, *, force: bool = False, progress: bool = True
) -> BuildReport:
    """Build (or refresh) the store for the corpus in `settings`; a no-op when nothing changed.

    Only abstracts that are new or changed are embedded (`force` re-embeds all). Corpus files
    that were skipped are listed in the report's `skipped`.
    """
    from rag.corpus import load_corpus
    from rag.embeddings import get_embedder
    from rag.store import build_store, tidy, up_to_date_report

    settings = settings or Settings()
    skipped: list[tuple[str, str]] = []
    abstracts = load_corpus(settings.corpus_dir, skipped=skipped)
    report = None if force else up_to_date_report(settings, abstracts)
    if report is not None:  # no model is loaded: a no-op build takes well under a second
        tidy(settings)  # still clear what a killed build left behind
    else:
        report = build_store(
            settings,
            abstracts,
            get_embedder(settings.embedding_model),
            force=force,
            progress=progress,
        )
    return replace(report, skipped=tuple(skipped))
