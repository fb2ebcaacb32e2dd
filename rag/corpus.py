"""Corpus loading: files of one-abstract-a-line -> distinct `Abstract`s with every location.

The format: each abstract is one line; the line after it may be the page chrome
`translated by <translator>`, which is dropped. Identical abstracts are merged and keep
every file:line they appear at. Leaves out cleaning the text itself: an abstract is kept
exactly as written, odd machine-translation wording included.
"""

from __future__ import annotations

import hashlib
import re
from importlib import resources
from pathlib import Path

from rag.errors import CorpusError
from rag.types import Abstract, Location

# The translator's credit line that follows each abstract on the source pages.
CHROME = re.compile(r"^translated by \S+$")
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN = re.compile(r"[A-Za-z]")


def default_corpus_dir() -> Path:
    """The corpus shipped inside the package."""
    return Path(str(resources.files("rag") / "data" / "corpus"))


def detect_language(text: str) -> str:
    """Return "zh" when Chinese characters outweigh Latin letters, else "en".

    A Chinese abstract still holds Latin acronyms (LGD, MS-Coco), so a plain "any CJK"
    test would do too; the ratio also keeps an English question that quotes one Chinese
    term English.
    """
    cjk = len(_CJK.findall(text))
    latin = len(_LATIN.findall(text))
    return "zh" if cjk * 4 > latin else "en"


def abstract_id(text: str) -> str:
    """A stable id from the content, so rebuilds and other machines agree on it."""
    return hashlib.sha256(text.strip().encode("utf-8")).hexdigest()[:16]


def corpus_files(corpus_dir: Path) -> list[Path]:
    """The files of a corpus folder in a stable order, or a CorpusError saying what is wrong."""
    if not corpus_dir.is_dir():
        raise CorpusError(
            f"Corpus folder {corpus_dir} does not exist. Pass --corpus with a folder of "
            "abstract files (one abstract a line)."
        )
    files = sorted(p for p in corpus_dir.iterdir() if p.is_file() and not p.name.startswith("."))
    if not files:
        raise CorpusError(f"Corpus folder {corpus_dir} holds no files. Add abstract files to it.")
    return files


def load_corpus(corpus_dir: Path | None = None) -> list[Abstract]:
    """Read every file of `corpus_dir` (default: the shipped corpus) into distinct abstracts.

    Args:
        corpus_dir: folder of UTF-8 text files, one abstract a line.

    Returns:
        Abstracts in order of first appearance (files sorted by name).
    """
    corpus_dir = corpus_dir or default_corpus_dir()
    by_key: dict[str, tuple[str, list[Location]]] = {}  # stripped text -> (first text, places)
    for path in corpus_files(corpus_dir):
        try:
            content = path.read_text(encoding="utf-8")
        except UnicodeDecodeError as err:
            raise CorpusError(
                f"{path} is not UTF-8 text ({err.reason} at byte {err.start}). "
                "Convert it to UTF-8 or move it out of the corpus folder."
            ) from err
        for number, line in enumerate(content.splitlines(), start=1):
            key = line.strip()
            if not key or CHROME.match(key):
                continue
            text, places = by_key.setdefault(key, (line, []))
            places.append(Location(path.name, number))
    if not by_key:
        raise CorpusError(f"No abstracts found in {corpus_dir}: every line was blank or chrome.")
    return [
        Abstract(
            id=abstract_id(key),
            text=text,
            language=detect_language(text),
            locations=tuple(places),
        )
        for key, (text, places) in by_key.items()
    ]
