"""The `rag` command: a thin shell over the library.

Each command turns options into `Settings`, calls one library function, and prints.
Our errors (`RagError`: bad settings, bad questions, a missing store) are shown as one
line with no traceback; anything else is a bug and shows as one. The library's log
(warnings such as "another build is writing") goes to stderr.

This module is only the group and the entry point (`rag = "rag.cli:main"`, and
`python -m rag.cli`). The commands live one family to a module: `rag/cli_build.py`,
`rag/cli_ask.py` (ask, chat), `rag/cli_eval.py`, `rag/cli_ui.py`; the options they
share are in `rag/cli_options.py` and answer printing in `rag/cli_output.py`.
"""

from __future__ import annotations

import logging

import click

from rag.cli_ask import ask, chat
from rag.cli_build import build
from rag.cli_eval import evaluate
from rag.cli_ui import ui


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="abstracts-qa")
def cli() -> None:
    """Ask questions of research-paper abstracts, in English or Chinese, offline.

    Answers quote the abstracts and cite them as [n]. The store of embeddings is built
    on first use (or with `rag build`) and reused until the corpus or settings change.
    """
    logging.basicConfig(level=logging.WARNING, format="%(message)s")


cli.add_command(build)
cli.add_command(ask)
cli.add_command(chat)
cli.add_command(evaluate)
cli.add_command(ui)


def main() -> None:
    """The console script `rag`."""
    cli()


if __name__ == "__main__":
    main()
