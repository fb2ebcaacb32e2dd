"""Readers: one corpus file -> `Entry`s (an abstract, where it starts, and its metadata).

The reader is chosen by the file's extension:

    .bib                BibTeX (bibtexparser; LaTeX accents and braces decoded)
    .ris                RIS (rispy): what Zotero, EndNote, Mendeley and Web of Science export
    .csv .tsv           a table with a header (rag/readers_table.py)
    .jsonl .ndjson      JSON Lines, one object a line (rag/readers_table.py)
    .json               a JSON array of objects, or JSON Lines (arXiv's snapshot is the latter)
    anything else       the seed format: one abstract a line, `translated by …` lines dropped

Every entry keeps the 1-based line its record starts on. A record without an abstract, or
one that cannot be parsed while the rest of the file can, is skipped with its line and the
reason; a file that cannot be parsed at all raises `Unreadable` with the reason. The seed
format's text is kept exactly; a structured field's line breaks and runs of spaces are
layout, so they are collapsed.

Leaves out merging duplicates (rag/corpus.py), guessing encodings (files are UTF-8), and
cleaning HTML or LaTeX math out of abstracts.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

# The translator's credit line that follows each abstract on the seed corpus's pages.
CHROME = re.compile(r"^translated by \S+$")
_YEAR = re.compile(r"(?<!\d)(1[89]\d\d|20\d\d)(?!\d)")
_DOI = re.compile(r"10\.\d{4,9}/\S+")
# arXiv identifiers, new style (2101.00001, with an optional version) and old (hep-th/9901001).
ARXIV_ID = re.compile(r"^(?:arxiv:)?(\d{4}\.\d{4,5}|[a-z-]+(?:\.[A-Z]{2})?/\d{7})(v\d+)?$", re.I)

STRUCTURED = {".bib", ".ris", ".csv", ".tsv", ".jsonl", ".ndjson", ".json"}


class Unreadable(Exception):
    """A whole file cannot be read in its format; the message says why."""


@dataclass(frozen=True)
class Entry:
    """One record of a corpus file."""

    text: str  # the abstract
    line: int  # 1-based line the record starts on
    title: str | None = None
    authors: tuple[str, ...] = ()
    year: int | None = None
    doi: str | None = None  # bare, as in 10.1000/xyz
    arxiv_id: str | None = None  # without its version
    url: str | None = None

    @property
    def link(self) -> str | None:
        """The entry's own URL, else its DOI's or its arXiv page."""
        if self.url:
            return self.url
        if self.doi:
            return f"https://doi.org/{self.doi}"
        if self.arxiv_id:
            return f"https://arxiv.org/abs/{self.arxiv_id}"
        return None


Skip = tuple[int, str]  # (line, reason) of a record left out


def read_entries(
    path: Path, content: str, columns: dict[str, str] | None = None
) -> tuple[list[Entry], list[Skip]]:
    """The entries of one file and the records skipped, by the file's extension.

    Args:
        path: the file (its suffix picks the reader).
        content: its text, already decoded from UTF-8.
        columns: field -> column or key name overrides for tables and JSON
            (`{"abstract": "AB", "title": "TI"}`).

    Raises:
        Unreadable: the file cannot be parsed at all.
    """
    suffix = path.suffix.lower()
    content = content.removeprefix("\ufeff")  # a BOM, as Excel writes CSV
    if suffix == ".bib":
        return read_bibtex(content)
    if suffix == ".ris":
        return read_ris(content)
    if suffix in (".csv", ".tsv", ".jsonl", ".ndjson", ".json"):
        from rag import readers_table

        if suffix in (".csv", ".tsv"):
            return readers_table.read_table(content, suffix == ".tsv", columns or {})
        return readers_table.read_json(content, suffix, columns or {})
    return read_seed(content), []


def read_seed(content: str) -> list[Entry]:
    """One abstract a line, exactly as written; blank and `translated by …` lines dropped."""
    return [
        Entry(line, number)
        for number, line in enumerate(content.splitlines(), start=1)
        if line.strip() and not CHROME.match(line.strip())
    ]


def read_bibtex(content: str) -> tuple[list[Entry], list[Skip]]:
    """BibTeX entries with an `abstract` field; LaTeX (`{\\"o}`, `\\%`, `{BERT}`) decoded."""
    import bibtexparser
    from bibtexparser.middlewares import LatexDecodingMiddleware

    try:
        library = bibtexparser.parse_string(content, append_middleware=[LatexDecodingMiddleware()])
    except Exception as err:  # bibtexparser raises its own errors and plain ones
        raise Unreadable(f"not BibTeX ({type(err).__name__}: {err})") from err
    skipped: list[Skip] = [
        (block.start_line + 1, f"not BibTeX ({_first_line(block.error) or 'a syntax error'})")
        for block in library.failed_blocks
    ]
    if not library.entries and not skipped:
        raise Unreadable("no BibTeX entries (no @article{…} or the like)")
    entries = []
    for e in library.entries:
        fields = {k.lower(): str(f.value) for k, f in e.fields_dict.items()}
        line = e.start_line + 1
        text = collapse(fields.get("abstract", ""))
        if not text:
            skipped.append((line, f"no abstract (@{e.entry_type}{{{e.key}}})"))
            continue
        on_arxiv = "arxiv" in fields.get("archiveprefix", "").lower()
        entries.append(
            Entry(
                text,
                line,
                title=collapse(fields.get("title", "")) or None,
                authors=split_authors(fields.get("author", "")),
                year=parse_year(fields.get("year") or fields.get("date")),
                doi=parse_doi(fields.get("doi")),
                arxiv_id=parse_arxiv(fields.get("eprint")) if on_arxiv else None,
                url=fields.get("url") or None,
            )
        )
    return entries, skipped


# RIS tag names as rispy gives them -> our fields, best first.
_RIS = {
    "text": ("abstract", "notes_abstract"),  # AB, N2
    "title": ("title", "primary_title", "translated_title"),  # TI, T1, TT
    "year": ("year", "publication_year", "date"),  # PY, Y1, DA
}
_RIS_START = re.compile(r"^TY  -")


def read_ris(content: str) -> tuple[list[Entry], list[Skip]]:
    """RIS records (`TY  -` … `ER  -`) with an `AB` or `N2` abstract; CRLF or LF alike."""
    import rispy

    lines = content.splitlines()
    starts = [i for i, line in enumerate(lines) if _RIS_START.match(line)]
    if not starts:
        raise Unreadable("no RIS records (no line starting 'TY  -')")
    entries, skipped = [], []
    for n, start in enumerate(starts):
        end = starts[n + 1] if n + 1 < len(starts) else len(lines)
        try:
            records = rispy.loads("\n".join(lines[start:end]) + "\n")
        except Exception as err:  # rispy raises IOError, ValueError, KeyError
            skipped.append((start + 1, f"not RIS ({err})"))
            continue
        if not records:
            skipped.append((start + 1, "not RIS (no 'ER  -' line ends it)"))
            continue
        r = records[0]
        text = collapse(_first(r, _RIS["text"]) or "")
        if not text:
            skipped.append((start + 1, "no abstract (no AB or N2 line)"))
            continue
        authors = r.get("authors") or r.get("first_authors") or []
        urls = r.get("urls") or []
        entries.append(
            Entry(
                text,
                start + 1,
                title=collapse(_first(r, _RIS["title"]) or "") or None,
                authors=tuple(collapse(a) for a in authors if a.strip()),
                year=parse_year(_first(r, _RIS["year"])),
                doi=parse_doi(r.get("doi")),
                url=urls[0] if urls else None,
            )
        )
    return entries, skipped


def _first(record: dict, keys: Iterable[str]) -> str | None:
    for key in keys:
        value = record.get(key)
        if isinstance(value, list):
            value = " ".join(value)
        if value and str(value).strip():
            return str(value)
    return None


def _first_line(err: object) -> str:
    return str(err or "").strip().splitlines()[0] if str(err or "").strip() else ""


def collapse(text: str) -> str:
    """Text with every run of whitespace (line breaks of a field included) as one space."""
    return " ".join(str(text).split())


def parse_year(value: object) -> int | None:
    """The first plausible year (1800-2099) in a value such as '2022///', 'Mar 2021', 2020."""
    if value is None:
        return None
    found = _YEAR.search(str(value))
    return int(found.group(1)) if found else None


def parse_doi(value: object) -> str | None:
    """A bare DOI from '10.1/x', 'doi:10.1/x' or 'https://doi.org/10.1/x'."""
    found = _DOI.search(str(value or ""))
    return found.group(0).rstrip(".,;") if found else None


def parse_arxiv(value: object) -> str | None:
    """An arXiv id without its version ('2101.00001v2' -> '2101.00001'), or None."""
    found = ARXIV_ID.match(str(value or "").strip())
    return found.group(1) if found else None


def split_authors(value: object) -> tuple[str, ...]:
    """Author names from a list or one string.

    'Müller, Jörg and Li, Wei' (BibTeX), 'Smith, J.; Doe, A.' (Zotero, Scopus) and
    'A. Smith, B. Jones and C. Li' (arXiv) all give one name per author.
    """
    if isinstance(value, list | tuple):
        names = []
        for item in value:
            if isinstance(item, dict):  # {"name": …} or {"given": …, "family": …}
                item = item.get("name") or " ".join(
                    str(item.get(k, "")) for k in ("given", "family") if item.get(k)
                )
            elif isinstance(item, list | tuple):  # arXiv's authors_parsed: [last, first, suffix]
                item = ", ".join(str(p) for p in item[:2] if p)
            names.append(collapse(str(item)))
        return tuple(n for n in names if n)
    text = collapse(str(value or ""))
    if not text:
        return ()
    parts = re.split(r"\s*;\s*", text) if ";" in text else re.split(r"\s+and\s+", text)
    names = []
    for part in parts:
        before = part.split(",", 1)[0]
        if "," in part and " " in before.strip():  # 'A. Smith, B. Jones': a list, not 'Last, First'
            names.extend(p.strip() for p in part.split(","))
        else:
            names.append(part.strip())
    return tuple(n for n in names if n)
