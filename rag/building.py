"""`rag.build`: the corpus embedded into the store, only what changed, with a progress bar.

Leaves out serving: readers pick up the new generation themselves (rag/qa.py).
"""

from __future__ import annotations

from dataclasses import replace

from rag.config import Settings
from rag.corpus import load_corpus
from rag.embeddings import get_embedder
from rag.store import BuildReport, build_store, tidy, up_to_date_report


def build(
    settings: Settings | None = None, *, force: bool = False, progress: bool = True
) -> BuildReport:
    """Build (or refresh) the store for the corpus in `settings`; a no-op when nothing changed.

    Only abstracts that are new or changed are embedded, and a build that was killed
    resumes from the vectors it had saved (`force` re-embeds all). Corpus files
    and records that were skipped are listed in the report's `skipped`.
    """
    settings = settings or Settings()
    skipped: list[tuple[str, str]] = []
    abstracts = load_corpus(
        settings.store.corpus_dir, skipped=skipped, columns=settings.store.column_map
    )
    report = None if force else up_to_date_report(settings, abstracts)
    if report is not None:  # no model is loaded: a no-op build takes well under a second
        tidy(settings)  # still clear what a killed build left behind
    else:
        report = build_store(
            settings,
            abstracts,
            get_embedder(settings.store.embedding_model),
            force=force,
            progress=progress,
        )
    return replace(report, skipped=tuple(skipped))
