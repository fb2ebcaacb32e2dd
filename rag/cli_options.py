"""The options several `rag` commands share, and how they become `Settings`.

Corpus, store, columns, Chroma server and answerer are declared once here, so every
command spells and explains them alike; `make_settings` turns them into
`Settings`, and `friendly` shows our errors as one line. Options only one command
takes (`--force`, `--split`, `--port`, the question scope) stay beside that command.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any

import click

from rag.config import ANSWERERS, Settings
from rag.errors import RagError

corpus_option = click.option(
    "--corpus",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder of corpus files: .bib, .ris, .csv, .tsv, .jsonl, .json, or text with one "
    "abstract a line. Default: the shipped corpus (or $RAG_CORPUS_DIR).",
)
columns_option = click.option(
    "--columns",
    metavar="FIELD=NAME,...",
    help="Column (or JSON key) names of CSV/TSV/JSON files, when not the usual ones: "
    "abstract=AB,title=TI (fields: abstract, title, authors, year, doi, url, arxiv_id). "
    "Default: $RAG_COLUMNS.",
)
store_option = click.option(
    "--store",
    type=click.Path(file_okay=False, path_type=Path),
    help="Where the Chroma store lives. Default: ./store (or $RAG_STORE_DIR).",
)
chroma_url_option = click.option(
    "--chroma-url",
    help="A Chroma server that holds the store instead of --store, e.g. "
    "http://127.0.0.1:8000 (or $RAG_CHROMA_URL).",
)
answerer_option = click.option(
    "--answerer",
    type=click.Choice(ANSWERERS),
    help="Who writes answers: extractive quotes (no model), llamacpp (a local GGUF file), "
    "openai (an OpenAI-compatible server). Default: extractive (or $RAG_ANSWERER).",
)


def make_settings(
    corpus: Path | None,
    store: Path | None,
    answerer: str | None = None,
    *,
    new_store: bool = False,
    columns: str | None = None,
    chroma_url: str | None = None,
) -> Settings:
    """Settings from the options. A `--store` that does not exist is a typo unless this
    command builds (`new_store`), and even then its parent folder must exist."""
    if store is not None and not store.exists() and not chroma_url:
        if not new_store:
            raise click.ClickException(
                f"No store at {store}. Check the path, or build one: rag build --store {store}"
            )
        if not store.parent.is_dir():
            raise click.ClickException(
                f"Cannot create the store {store}: {store.parent} does not exist. Check the path."
            )
    overrides: dict[str, Any] = {}
    if corpus is not None:
        overrides["corpus_dir"] = corpus
    if store is not None:
        overrides["store_dir"] = store
    if answerer is not None:
        overrides["answerer"] = answerer
    if columns is not None:
        overrides["columns"] = columns
    if chroma_url is not None:
        overrides["chroma_url"] = chroma_url
    return Settings(**overrides)


def friendly(command: Callable) -> Callable:
    """Show our errors as `Error: ...` and exit 1, instead of a traceback."""

    @wraps(command)
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except RagError as err:
            raise click.ClickException(str(err)) from err

    return run
