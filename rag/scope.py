"""Scope: which papers a question may be answered from, by year and author.

`ask(q, where={"year": {"$gte": 2022}, "authors": "Müller"})` answers from papers of 2022
or later with an author named Müller. The same `Scope` runs wherever chunks are
searched, on the metadata the build wrote with them (`paper_metadata` in
rag/store_chroma.py: `year` and `authors`): as a Chroma `where` filter in a Chroma
server, as `admits` on the rows of the local vectors (rag/store_vectors.py), so the
dense search never sees a paper out of scope, and as `matches` on the lexical side,
which searches in memory.

    year      2022, or {"$gte": 2022, "$lte": 2023} (also $gt, $lt, $eq, $ne, $in)
    authors   "Müller" or "Jörg Müller" (every word must be a word of one author's name,
              case aside), or a list of such names, all of which must match

A paper without a year or authors is outside any scope that asks for them. Leaves out
filtering by title, venue or language: the question's words already search titles.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from rag.errors import QuestionError
from rag.store_chroma import author_words, paper_metadata
from rag.types import Abstract

_OPS = {
    "$eq": lambda a, b: a == b,
    "$ne": lambda a, b: a != b,
    "$gt": lambda a, b: a > b,
    "$gte": lambda a, b: a >= b,
    "$lt": lambda a, b: a < b,
    "$lte": lambda a, b: a <= b,
    "$in": lambda a, b: a in b,
}
_YEARS = re.compile(r"^\s*(\d{4})?\s*(\.\.)?\s*(\d{4})?\s*$")


@dataclass(frozen=True)
class Scope:
    """A checked `where`: year conditions and the author-name words each author must have."""

    year: tuple[tuple[str, object], ...] = ()  # (operator, value)
    authors: tuple[tuple[str, ...], ...] = ()  # one tuple of name words per author asked for

    def __bool__(self) -> bool:
        return bool(self.year or self.authors)

    def clauses(self) -> list[dict]:
        """The scope as Chroma `where` clauses, to be joined with `$and`."""
        out: list[dict] = [{"year": {op: value}} for op, value in self.year]
        out += [{"authors": {"$contains": w}} for name in self.authors for w in name]
        return out

    def admits(self, metadata: Mapping) -> bool:
        """Whether chunks with this metadata (`paper_metadata`) are in scope: the test
        the Chroma `where` of `clauses` runs."""
        year = metadata.get("year")
        if self.year and (year is None or not all(_OPS[op](year, v) for op, v in self.year)):
            return False
        words = set(metadata.get("authors", ()))
        return all(set(name) <= words for name in self.authors)

    def matches(self, abstract: Abstract) -> bool:
        """Whether the paper is in scope (the same test as on its chunks' metadata)."""
        return self.admits(paper_metadata(abstract))


def chroma_where(scope: Scope | None, **equal: object) -> dict:
    """A Chroma `where` of the scope's clauses and `key == value` for each of `equal`."""
    clauses = [{k: v} for k, v in equal.items()] + (scope.clauses() if scope else [])
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}


def check(where: object) -> Scope | None:
    """A `where` argument as a `Scope` (None for none), or QuestionError saying what to fix."""
    if where is None or where == {}:
        return None
    if not isinstance(where, dict):
        raise QuestionError(f"where must be a dict such as {{'year': {{'$gte': 2022}}}}: {where!r}")
    unknown = set(where) - {"year", "authors"}
    if unknown:
        raise QuestionError(
            f"where has {', '.join(sorted(map(str, unknown)))}; it takes 'year' and 'authors'"
        )
    year = where.get("year")
    conditions: list[tuple[str, object]] = []
    if year is not None:
        items = year.items() if isinstance(year, dict) else [("$eq", year)]
        for op, value in items:
            ok = op in _OPS and (
                all(isinstance(v, int) for v in value)
                if op == "$in" and isinstance(value, list)
                else isinstance(value, int) and op != "$in"
            )
            if not ok:
                raise QuestionError(
                    f"where['year'] takes a year or {{op: year}} with op one of "
                    f"{', '.join(_OPS)} ($in: a list of years); got {op}: {value!r}"
                )
            conditions.append((op, value))
    names = where.get("authors") or []
    names = [names] if isinstance(names, str) else names
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise QuestionError("where['authors'] takes a name or a list of names")
    authors = tuple(tuple(author_words([n])) for n in names if author_words([n]))
    return Scope(tuple(conditions), authors) or None


def parse_years(text: str) -> dict:
    """A year range as `rag ask --year` takes it: '2022', '2022..', '..2021', '2020..2022'."""
    found = _YEARS.match(text)
    if not found or not (found.group(1) or found.group(3)):
        raise QuestionError(f"--year takes 2022, 2022.., ..2021 or 2020..2022, not {text!r}")
    start, dots, end = found.groups()
    if not dots:
        if start and end:
            raise QuestionError(f"--year takes 2022, 2022.., ..2021 or 2020..2022, not {text!r}")
        return {"$eq": int(start or end)}
    out = {}
    if start:
        out["$gte"] = int(start)
    if end:
        out["$lte"] = int(end)
    return out
