"""Corpus loading: files of one-abstract-a-line -> distinct `Abstract`s with every location.

The format: each abstract is one line; the line after it may be the page chrome
`translated by <translator>`, which is dropped. Identical abstracts are merged and keep
every file:line they appear at. A file that is empty, binary, not UTF-8 (UTF-16, GB18030)
or has lines too long to be abstracts is skipped and named, and the others are read.
Leaves out guessing encodings and cleaning the text itself: an abstract is kept exactly
as written, odd machine-translation wording included.
"""

from __future__ import annotations

import hashlib
import logging
import re
from importlib import resources
from pathlib import Path

from rag.errors import CorpusError
from rag.types import Abstract, Location

# The translator's credit line that follows each abstract on the source pages.
CHROME = re.compile(r"^translated by \S+$")
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN = re.compile(r"[A-Za-z]")
# The longest abstract shipped is under 3,000 characters; a line of 20,000 is a file in
# another format (JSON, one paragraph per file), and embedding it would only truncate it.
MAX_LINE_CHARS = 20_000
_log = logging.getLogger(__name__)


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


def read_text(path: Path) -> tuple[str | None, str]:
    """The file's text, or None and why it cannot be a corpus file (said so a person can act)."""
    data = path.read_bytes()
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None, "UTF-16 text; convert it to UTF-8"
    if b"\x00" in data:
        return None, "binary (holds NUL bytes), not a text file"
    try:
        content = data.decode("utf-8")
    except UnicodeDecodeError as err:
        return None, (
            f"not UTF-8 ({err.reason} at byte {err.start}; GB18030 or Latin-1 perhaps); "
            "convert it to UTF-8"
        )
    if not content.strip():
        return None, "empty"
    for number, line in enumerate(content.splitlines(), start=1):
        if len(line) > MAX_LINE_CHARS:
            return None, (
                f"line {number} is {len(line)} characters long (at most {MAX_LINE_CHARS}); "
                "is it one abstract a line?"
            )
    return content, ""


def load_corpus(
    corpus_dir: Path | None = None, *, skipped: list[tuple[str, str]] | None = None
) -> list[Abstract]:
    """Read every file of `corpus_dir` (default: the shipped corpus) into distinct abstracts.

    A file that cannot be a corpus file (empty, binary, not UTF-8, absurdly long lines) is
    skipped and the rest are read.

    Args:
        corpus_dir: folder of UTF-8 text files, one abstract a line.
        skipped: if given, receives `(file name, reason)` for each skipped file; otherwise
            each skip is logged as a warning.

    Returns:
        Abstracts in order of first appearance (files sorted by name).

    Raises:
        CorpusError: the folder is missing or empty, or no file in it holds an abstract.
    """
    corpus_dir = corpus_dir or default_corpus_dir()
    by_key: dict[str, tuple[str, list[Location]]] = {}  # stripped text -> (first text, places)
    left_out: list[tuple[str, str]] = []
    for path in corpus_files(corpus_dir):
        content, reason = read_text(path)
        if content is None:
            left_out.append((path.name, reason))
            continue
        for number, line in enumerate(content.splitlines(), start=1):
            key = line.strip()
            if not key or CHROME.match(key):
                continue
            text, places = by_key.setdefault(key, (line, []))
            places.append(Location(path.name, number))
    if skipped is not None:
        skipped.extend(left_out)
    else:
        for name, reason in left_out:
            _log.warning("Skipped %s: %s.", name, reason)
    if not by_key:
        why = "; ".join(f"{name}: {reason}" for name, reason in left_out)
        raise CorpusError(
            f"No abstracts found in {corpus_dir}: every line was blank or chrome"
            + (f", and these files were skipped: {why}." if why else ".")
        )
    return [
        Abstract(
            id=abstract_id(key),
            text=text,
            language=detect_language(text),
            locations=tuple(places),
        )
        for key, (text, places) in by_key.items()
    ]
