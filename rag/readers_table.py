"""Readers for records with named fields: CSV/TSV with a header, JSON arrays and JSON Lines.

Both recognise the usual names of each field, case and punctuation aside: the columns of
Zotero's CSV export ("Abstract Note", "Publication Year", "Url"), Scopus's ("Authors",
"Abstract", "Link"), Web of Science's tags (AB, TI, AU, PY, DI), and the fields of arXiv's
metadata snapshot (`id`, `title`, `abstract`, `authors`/`authors_parsed`, `versions`,
`update_date`). `columns` maps any other name: `{"abstract": "Summary Text"}`.

A CSV is read with the csv module, so quoted fields may hold line breaks and commas; its
delimiter is sniffed among `,`, `;` and tab (`.tsv` is always tab). Leaves out spreadsheets
(.xlsx) and nested JSON beyond a list of authors.
"""

from __future__ import annotations

import csv
import io
import json
import re

from rag.readers import (
    Entry,
    Skip,
    Unreadable,
    collapse,
    parse_arxiv,
    parse_doi,
    parse_year,
    split_authors,
)

# Our field -> the names it goes by in exports, normalised by `_key`, best first.
ALIASES: dict[str, tuple[str, ...]] = {
    "abstract": ("abstract", "abstractnote", "ab", "n2", "summary", "description"),
    "title": ("title", "articletitle", "documenttitle", "ti", "t1", "primarytitle"),
    "authors": (
        "authorsparsed",
        "authors",
        "author",
        "authorfullnames",
        "au",
        "af",
        "creators",
    ),
    "year": ("year", "publicationyear", "py", "pubyear", "date", "publicationdate", "published"),
    "doi": ("doi", "di", "do"),
    "url": ("url", "link", "ur", "href"),
    "arxiv_id": ("arxivid", "arxiv", "eprint", "id"),
}
FIELDS = tuple(ALIASES)


def _key(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def field_names(names: list[str], columns: dict[str, str]) -> dict[str, str]:
    """Our field -> the name it has among `names`, for the fields found.

    A name of `columns` wins where the file has it; a file without it (one mapping serves
    every file of the folder) falls back to the usual names.
    """
    by_key = {_key(n): n for n in names}
    found = {
        field: by_key[_key(wanted)] for field, wanted in columns.items() if _key(wanted) in by_key
    }
    for field, aliases in ALIASES.items():
        if field not in found:
            name = next((by_key[a] for a in aliases if a in by_key), None)
            if name is not None:
                found[field] = name
    return found


def entry(record: dict, names: dict[str, str], line: int) -> Entry | str:
    """The entry of one record, or why it is skipped."""

    def get(field: str) -> object:
        return record.get(names[field]) if field in names else None

    text = collapse(get("abstract") or "")
    if not text:
        return "no abstract"
    year = parse_year(get("year"))
    versions = record.get("versions")  # arXiv: [{"version": "v1", "created": "Mon, 2 Apr 2007 …"}]
    if isinstance(versions, list) and versions and isinstance(versions[0], dict):
        year = parse_year(versions[0].get("created")) or year
    if year is None:
        year = parse_year(record.get("update_date"))
    title = collapse(get("title") or "") or None
    return Entry(
        text,
        line,
        title=title,
        authors=split_authors(get("authors")),
        year=year,
        doi=parse_doi(get("doi")),
        arxiv_id=parse_arxiv(get("arxiv_id")),
        url=str(get("url")).strip() or None if get("url") else None,
    )


def read_table(content: str, tabs: bool, columns: dict[str, str]) -> tuple[list[Entry], list[Skip]]:
    """Rows of a CSV or TSV with a header; each keeps the line its row starts on."""
    first = content.split("\n", 1)[0]
    if tabs:
        delimiter = "\t"
    else:
        try:
            delimiter = csv.Sniffer().sniff(first, delimiters=",;\t").delimiter
        except csv.Error:
            delimiter = ","
    reader = csv.reader(io.StringIO(content, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
    except (StopIteration, csv.Error) as err:
        raise Unreadable(f"no header row ({err})") from err
    names = field_names(header, columns)
    if "abstract" not in names:
        raise Unreadable(
            f"no abstract column (it has: {', '.join(header)}); name one with "
            "--columns abstract=NAME"
        )
    entries, skipped = [], []
    line = reader.line_num + 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as err:
            raise Unreadable(f"not CSV at line {reader.line_num} ({err})") from err
        if any(cell.strip() for cell in row):
            got = entry(dict(zip(header, row, strict=False)), names, line)
            if isinstance(got, str):
                skipped.append((line, got))
            else:
                entries.append(got)
        line = reader.line_num + 1
    return entries, skipped


def read_json(content: str, suffix: str, columns: dict[str, str]) -> tuple[list[Entry], list[Skip]]:
    """A JSON array of objects, or JSON Lines (also in a .json file, as arXiv ships it)."""
    records: list[tuple[int, object]] = []  # (line, parsed object)
    skipped: list[Skip] = []
    if suffix == ".json" and content.lstrip().startswith("["):
        records = _array(content)
    else:
        for number, line in enumerate(content.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                records.append((number, json.loads(line)))
            except ValueError as err:
                skipped.append((number, f"not JSON ({err})"))
        if not records and skipped:
            raise Unreadable(f"not JSON Lines (line {skipped[0][0]}: {skipped[0][1]})")
    entries = []
    for line, record in records:
        if not isinstance(record, dict):
            skipped.append((line, f"not a JSON object but {type(record).__name__}"))
            continue
        got = entry(record, field_names(list(record), columns), line)
        if isinstance(got, str):
            skipped.append((line, got))
        else:
            entries.append(got)
    return entries, skipped


def _array(content: str) -> list[tuple[int, object]]:
    """The items of a JSON array, each with the line it starts on."""
    try:
        items = json.loads(content)
    except ValueError as err:
        raise Unreadable(f"not JSON ({err})") from err
    decoder, records = json.JSONDecoder(), []
    at = content.index("[") + 1
    for item in items:
        while content[at] in " \t\r\n,":
            at += 1
        _, end = decoder.raw_decode(content, at)
        records.append((content.count("\n", 0, at) + 1, item))
        at = end
    return records
