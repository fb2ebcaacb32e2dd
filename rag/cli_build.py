"""`rag build`: the corpus into the store, and a one-line report of what was done.

The build itself (what is reused, resumed or embedded; the swap; the lock) is
`rag.building`'s; this command only chooses the store, lets the embedder's threads
spin, and reports skipped files and the figures.
"""

from __future__ import annotations

import os
from pathlib import Path

import click

from rag.cli_options import (
    chroma_url_option,
    columns_option,
    corpus_option,
    friendly,
    make_settings,
    store_option,
)

SHOW_SKIPPED = 20  # skipped files and records listed one by one; past it, only the count


@click.command()
@corpus_option
@store_option
@columns_option
@chroma_url_option
@click.option(
    "--force",
    is_flag=True,
    help="Re-embed everything even if the store is current (nothing reused or resumed).",
)
@friendly
def build(
    corpus: Path | None,
    store: Path | None,
    columns: str | None,
    chroma_url: str | None,
    force: bool,
) -> None:
    """Build the store from the corpus; does nothing when nothing changed.

    The new store is built beside the one in use and switched in only once verified, so a
    running chat keeps answering. Only new or changed abstracts are embedded, and a
    build that was stopped resumes from what it had embedded. A second build of the same
    store waits for the first. Unreadable corpus files are skipped
    with a warning.
    """
    from rag.building import build as build_store

    # This process only builds: the embedder's threads may spin between steps instead of
    # sleeping (25% faster at 200 abstracts). Serving processes keep them passive (see
    # rag/embeddings.py), and a user's own OMP_WAIT_POLICY wins.
    os.environ.setdefault("OMP_WAIT_POLICY", "ACTIVE")
    settings = make_settings(corpus, store, chroma_url=chroma_url, new_store=True, columns=columns)
    report = build_store(settings, force=force, progress=True)
    where = settings.store.chroma_url or settings.store.store_dir
    for name, reason in report.skipped[:SHOW_SKIPPED]:
        click.echo(f"Warning: skipped {name}: {reason}.", err=True)
    if len(report.skipped) > SHOW_SKIPPED:
        click.echo(f"Warning: skipped {len(report.skipped)} files and records in all.", err=True)
    if report.rebuilt:
        resumed = f"{report.resumed} resumed from an unfinished build, " if report.resumed else ""
        click.echo(
            f"Built {where}: {report.abstracts} abstracts, "
            f"{report.chunks} chunks, "
            f"{report.sentences} sentences in {report.seconds:.1f} s "
            f"({report.embedded} of {report.chunks + report.sentences} texts embedded, "
            f"{resumed}the rest reused)."
        )
    else:
        click.echo(f"{where} is up to date ({report.abstracts} abstracts); use --force to rebuild.")
