"""Corpus loading: a folder of files -> distinct `Abstract`s with every location and metadata.

Each file is read by its extension (rag/readers.py: BibTeX, RIS, CSV/TSV, JSON Lines, JSON;
anything else is the seed format, one abstract a line, the line after it possibly the page
chrome `translated by <translator>`, which is dropped). The same paper found twice (same
DOI or arXiv id, else the same text) is merged and keeps every file:line it appears at. A
file that is empty, binary, not UTF-8 (UTF-16, GB18030), has lines too long to be seed
abstracts, or cannot be parsed in its format is skipped and named, and the others are read.
Leaves out guessing encodings and cleaning the text itself: a seed abstract is kept exactly
as written, odd machine-translation wording included.
"""

from __future__ import annotations

import hashlib
import logging
import re
import unicodedata
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from rag.errors import CorpusError
from rag.readers import STRUCTURED, Entry, Unreadable, read_entries
from rag.types import Abstract, Location

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN = re.compile(r"[A-Za-z]")
# The longest abstract shipped is under 3,000 characters; a line of 20,000 is a file in
# another format (JSON, one paragraph per file), and embedding it would only truncate it.
MAX_LINE_CHARS = 20_000
_LOGGED = 5  # skips logged one by one when nobody collects them; past it, only the count
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


def read_text(path: Path, *, long_lines: bool = True) -> tuple[str | None, str]:
    """The file's text, or None and why it cannot be a corpus file (said so a person can act).

    `long_lines` rejects a line too long to be one abstract: right for the seed format,
    wrong for a JSON array written on one line.
    """
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
    for number, line in enumerate(content.splitlines() if long_lines else (), start=1):
        if len(line) > MAX_LINE_CHARS:
            return None, (
                f"line {number} is {len(line)} characters long (at most {MAX_LINE_CHARS}); "
                "is it one abstract a line?"
            )
    return content, ""


def load_corpus(
    corpus_dir: Path | str | None = None,
    *,
    skipped: list[tuple[str, str]] | None = None,
    columns: dict[str, str] | None = None,
) -> list[Abstract]:
    """Read every file of `corpus_dir` (default: the shipped corpus) into distinct abstracts.

    Each file is read by its extension (rag/readers.py): BibTeX, RIS, CSV/TSV, JSON Lines
    and JSON, else the seed format. A file that cannot be read (empty, binary, not UTF-8,
    not its format) is skipped and the rest are read; so is a record without an abstract.
    Duplicates merge, keeping every location and the first metadata found: entries with
    the same DOI or arXiv id, else with the same text (whitespace and case aside).

    Args:
        corpus_dir: folder of UTF-8 corpus files.
        skipped: if given, receives `(where, reason)` for each skipped file (`where` is its
            name) and record (`name:line`); otherwise each skip is logged as a warning.
        columns: field -> column name overrides for CSV/TSV and JSON
            (`{"abstract": "AB"}`; see `parse_columns`).

    Returns:
        Abstracts in order of first appearance (files sorted by name).

    Raises:
        CorpusError: the folder is missing or empty, or no file in it holds an abstract.
    """
    corpus_dir = Path(corpus_dir) if corpus_dir else default_corpus_dir()
    merged = _Merger()
    left_out: list[tuple[str, str]] = []
    for path in corpus_files(corpus_dir):
        content, reason = read_text(path, long_lines=path.suffix.lower() not in STRUCTURED)
        if content is None:
            left_out.append((path.name, reason))
            continue
        try:
            entries, skips = read_entries(path, content, columns)
        except Unreadable as err:
            left_out.append((path.name, str(err)))
            continue
        left_out.extend((f"{path.name}:{line}", why) for line, why in skips)
        for entry in entries:
            merged.add(entry, Location(path.name, entry.line))
    if skipped is not None:
        skipped.extend(left_out)
    else:
        for name, reason in left_out[:_LOGGED]:
            _log.warning("Skipped %s: %s.", name, reason)
        if len(left_out) > _LOGGED:
            _log.warning(
                "Skipped %d files and records in all; `rag build` lists them.", len(left_out)
            )
    if not merged.groups:
        why = "; ".join(f"{name}: {reason}" for name, reason in left_out)
        raise CorpusError(
            f"No abstracts found in {corpus_dir}: every line was blank or chrome"
            + (f", and these were skipped: {why}." if why else ".")
        )
    return [group.abstract() for group in merged.groups]


def parse_columns(spec: str) -> dict[str, str]:
    """`"abstract=AB,title=TI"` as `{"abstract": "AB", "title": "TI"}`; CorpusError if malformed."""
    from rag.readers_table import FIELDS

    out = {}
    for item in filter(None, (part.strip() for part in spec.split(","))):
        field, sep, name = item.partition("=")
        field = field.strip().lower()
        if not sep or not name.strip() or field not in FIELDS:
            raise CorpusError(
                f"Bad column mapping {item!r}: write FIELD=COLUMN, separated by commas, "
                f"with FIELD one of {', '.join(FIELDS)} (e.g. abstract=AB,title=TI)."
            )
        out[field] = name.strip()
    return out


def normalised(text: str) -> str:
    """The text as duplicates are compared: Unicode NFKC, whitespace collapsed, case folded."""
    return " ".join(unicodedata.normalize("NFKC", text).split()).casefold()


@dataclass
class _Group:
    """Entries found to be one paper: the first one's text, every location, merged metadata."""

    first: Entry
    locations: list[Location]
    title: str | None = None
    authors: tuple[str, ...] = ()
    year: int | None = None
    url: str | None = None

    def take(self, entry: Entry, location: Location) -> None:
        self.locations.append(location)
        self.title = self.title or entry.title
        self.authors = self.authors or entry.authors
        self.year = self.year or entry.year
        self.url = self.url or entry.link

    def abstract(self) -> Abstract:
        text = self.first.text
        return Abstract(
            id=abstract_id(text),
            text=text,
            language=detect_language(text),
            locations=tuple(self.locations),
            title=self.title,
            authors=self.authors,
            year=self.year,
            url=self.url,
        )


class _Merger:
    """Groups entries by DOI, arXiv id or normalised text, in order of first appearance."""

    def __init__(self) -> None:
        self.groups: list[_Group] = []
        self._by_key: dict[str, _Group] = {}

    def add(self, entry: Entry, location: Location) -> None:
        keys = [f"text:{normalised(entry.text)}"]
        if entry.doi:
            keys.append(f"doi:{entry.doi.lower()}")
        if entry.arxiv_id:
            keys.append(f"arxiv:{entry.arxiv_id.lower()}")
        group = next((self._by_key[k] for k in reversed(keys) if k in self._by_key), None)
        if group is None:
            group = _Group(entry, [])
            self.groups.append(group)
        group.take(entry, location)
        for key in keys:
            self._by_key.setdefault(key, group)


def add_files(corpus_dir: Path | None, files: list[Path]) -> list[str]:
    """Copy files into the corpus folder (for the chat's upload box); the names they got.

    A file already there with the same content is not copied again; a different file of
    the same name is kept beside it as `name-2.ext`, never overwritten. Only the base name
    is used, so an upload cannot write outside the folder.

    Raises:
        CorpusError: no corpus folder of one's own (the shipped corpus is read-only).
    """
    if corpus_dir is None:
        raise CorpusError(
            "The shipped corpus cannot take new files: start with a folder of your own, "
            "e.g. `rag ui --corpus my-abstracts/`."
        )
    corpus_dir.mkdir(parents=True, exist_ok=True)
    added = []
    for source in files:
        name = Path(source).name.lstrip(".") or "upload.txt"
        data = Path(source).read_bytes()
        target, n = corpus_dir / name, 1
        while target.exists() and target.read_bytes() != data:
            n += 1
            target = corpus_dir / f"{Path(name).stem}-{n}{Path(name).suffix}"
        if not target.exists():
            target.write_bytes(data)
            added.append(target.name)
    return added
