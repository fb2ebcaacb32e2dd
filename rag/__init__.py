"""abstracts-qa: ask questions of research-paper abstracts, offline, with cited answers.

The public API. Everything else is importable from its module but may change.
"""

from rag.config import Settings
from rag.errors import CorpusError, ModelError, RagError, StoreError
from rag.qa import QA, ask, get_qa
from rag.store import BuildReport
from rag.types import Answer, Location, Source, Span

__all__ = [
    "QA",
    "Answer",
    "BuildReport",
    "CorpusError",
    "Location",
    "ModelError",
    "RagError",
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
    """Build (or refresh) the store for the corpus in `settings`; a no-op when nothing changed."""
    from rag.corpus import load_corpus
    from rag.embeddings import get_embedder
    from rag.store import build_store, up_to_date_report

    settings = settings or Settings()
    abstracts = load_corpus(settings.corpus_dir)
    current = None if force else up_to_date_report(settings, abstracts)
    if current is not None:
        return current  # without loading the model: a no-op build takes well under a second
    return build_store(
        settings, abstracts, get_embedder(settings.embedding_model), force=force, progress=progress
    )
