"""The lexical side of a generation, tokenized once by the build and loaded by readers.

Tokenizing a corpus with jieba takes about 9 ms per abstract on this machine (378 ms for
the 42 shipped ones, seconds for thousands), and every process used to pay it at start.
The build now writes what `rag.index.Index` derives from the text:

    terms.json   {"key": tokenizer key, "vocab": [term, ...],
                  "chunks": {chunk id: [term number, ...]},         tokens, in order
                  "abstracts": {abstract id: [term number, ...]},   the set of its terms
                  "sentences": {abstract id: [[term number, ...], ...]}}  a set per sentence

(in a Chroma server, the same object is the manifest's "terms"). The key is a hash of what
tokens depend on: rag/lexical.py, the glossary, and the versions of jieba and zhconv. It is
part of the store's fingerprint, so a changed tokenizer makes the next build rewrite the
terms (reusing every vector); a reader whose key differs tokenizes in memory, as before.

Leaves out the BM25 statistics themselves: they are sums over these tokens, milliseconds.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import metadata, resources
from pathlib import Path

from rag.types import Abstract, Chunk, Span

FILE = "terms.json"


@dataclass(frozen=True)
class Terms:
    """Tokens of every chunk, and the term sets of every abstract and sentence."""

    chunks: dict[str, list[str]]  # chunk id -> tokenize(chunk text), the first with the title
    abstracts: dict[str, frozenset[str]]  # abstract id -> its terms and its title's
    sentences: dict[str, tuple[frozenset[str], ...]]  # abstract id -> terms per sentence


@lru_cache(maxsize=1)
def key() -> str:
    """A hash of everything `tokenize` depends on."""
    h = hashlib.sha256()
    for name in ("lexical.py", "data/glossary.tsv"):
        h.update((resources.files("rag") / name).read_bytes())
    for package in ("jieba", "zhconv"):
        h.update(f"{package}={metadata.version(package)}".encode())
    return h.hexdigest()


def compute(
    abstracts: Mapping[str, Abstract],
    chunks: Sequence[Chunk],
    sentence_spans: Mapping[str, Sequence[Span]],
) -> Terms:
    """Tokenize every chunk, abstract and sentence (the slow part: jieba).

    A title is searched with its abstract: it is tokenized with the first chunk (for
    BM25) and with the abstract's terms, so a question naming a paper's title finds it.
    """
    from rag.lexical import tokenize

    titles = {aid: a.title or "" for aid, a in abstracts.items()}
    return Terms(
        chunks={
            c.id: tokenize(f"{titles[c.abstract_id]} {c.text}" if c.index == 0 else c.text)
            for c in chunks
        },
        abstracts={
            aid: frozenset(tokenize(f"{titles[aid]} {a.text}")) for aid, a in abstracts.items()
        },
        sentences={
            aid: tuple(frozenset(tokenize(abstracts[aid].text[s.start : s.end])) for s in spans)
            for aid, spans in sentence_spans.items()
        },
    )


def encode(terms: Terms) -> dict:
    """The JSON form: terms numbered once in a vocabulary, sets sorted."""
    number: dict[str, int] = {}

    def ids(tokens) -> list[int]:
        return [number.setdefault(t, len(number)) for t in tokens]

    return {
        "key": key(),
        "chunks": {cid: ids(tokens) for cid, tokens in terms.chunks.items()},
        "abstracts": {aid: ids(sorted(ts)) for aid, ts in terms.abstracts.items()},
        "sentences": {aid: [ids(sorted(ts)) for ts in per] for aid, per in terms.sentences.items()},
        "vocab": list(number),
    }


def decode(data: Mapping | None) -> Terms | None:
    """The terms of `encode`'s output; None when absent or made by another tokenizer."""
    if not data or data.get("key") != key():
        return None
    vocab = data["vocab"]
    return Terms(
        chunks={cid: [vocab[i] for i in ids] for cid, ids in data["chunks"].items()},
        abstracts={aid: frozenset(vocab[i] for i in ids) for aid, ids in data["abstracts"].items()},
        sentences={
            aid: tuple(frozenset(vocab[i] for i in ids) for ids in per)
            for aid, per in data["sentences"].items()
        },
    )


def write(gen: Path, terms: Terms) -> None:
    (gen / FILE).write_text(json.dumps(encode(terms), ensure_ascii=False), encoding="utf-8")


def read(gen: Path) -> Terms | None:
    """The generation's terms; None when it has none usable (then readers tokenize)."""
    try:
        return decode(json.loads((gen / FILE).read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, IndexError, TypeError):
        return None
