"""`rag ui`: the chat served in the browser.

Only options to `Settings` and a call to `ui.serve.launch`; the page, its building of the
store and its login are the `ui` package's. The library never imports this module.
"""

from __future__ import annotations

from pathlib import Path

import click

from rag.cli_options import (
    answerer_option,
    chroma_url_option,
    columns_option,
    corpus_option,
    friendly,
    make_settings,
    store_option,
)


@click.command()
@click.option(
    "--port",
    type=int,
    default=7860,
    show_default=True,
    envvar="GRADIO_SERVER_PORT",
    help="Port to serve on (or $GRADIO_SERVER_PORT).",
)
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    envvar="GRADIO_SERVER_NAME",
    help="Address to bind; 0.0.0.0 serves other machines (set RAG_UI_AUTH then).",
)
@click.option(
    "--read-only",
    is_flag=True,
    default=None,
    help="No upload box: the page never adds files to the corpus (or $RAG_UI_READ_ONLY).",
)
@corpus_option
@store_option
@columns_option
@chroma_url_option
@answerer_option
@friendly
def ui(
    port: int,
    host: str,
    read_only: bool | None,
    corpus: Path | None,
    store: Path | None,
    columns: str | None,
    chroma_url: str | None,
    answerer: str | None,
) -> None:
    """Start the chat in the browser (the store is built first if needed).

    --answerer sets the default of the chat's answerer menu. RAG_UI_AUTH=user:password
    asks for a login. The Corpus tab's upload box adds files to the --corpus folder and
    rebuilds; --read-only removes it.
    """
    from ui.serve import launch

    settings = make_settings(corpus, store, answerer, columns=columns, chroma_url=chroma_url)
    if read_only:
        settings = settings.replace(ui_read_only=True)
    launch(settings, host=host, port=port)
