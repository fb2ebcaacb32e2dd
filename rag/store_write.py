"""Writing one new generation beside the served one: its rows, its files (or, with
RAG_CHROMA_URL, its collections in the Chroma server), a check that it reads back, and
only then the switch to it.

`Rows` is what a generation stores: every chunk and sentence of the corpus, with the
(row id, text) pairs the vectors belong to. `write_generation` writes a local generation
(`rag.store_layout`) and deletes it if anything fails; `write_to_server` writes one in a
Chroma server (`rag.store_server`). Both verify the Chroma collections (counts, and a probe
query that must find its own chunk) before the swap, so a bad build never gets served.

Leaves out deciding whether to build, the fingerprint, the manifest's contents and the
write lock held around the whole build (all `rag.store`), and where each vector comes
from (`rag.store_embed`).
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from langchain_core.embeddings import Embeddings

from rag import background, store_english, store_terms
from rag import store_chroma as chroma
from rag import store_layout as layout
from rag import store_server as server
from rag import store_vectors as vectors_io
from rag.bridge import BridgeTable
from rag.chunking import chunk_text, get_encoding, sentence_spans
from rag.config import Settings
from rag.types import Abstract, Chunk, Span


@dataclass(frozen=True)
class Rows:
    """What a generation stores: chunks, sentences, and (row id, text) of both, chunks first."""

    chunks: list[Chunk]
    sentences: list[tuple[str, int, Span]]  # (abstract id, index, span)
    texts: list[tuple[str, str]]

    @classmethod
    def of(cls, abstracts: Sequence[Abstract], settings: Settings) -> Rows:
        s = settings.store
        enc = get_encoding(s.encoding)
        chunks = [
            c
            for a in abstracts
            for c in chunk_text(a.id, a.text, enc, s.chunk_tokens, s.chunk_overlap_tokens)
        ]
        sentences = [
            (a.id, i, sp) for a in abstracts for i, sp in enumerate(sentence_spans(a.text))
        ]
        text_of = {a.id: a.text for a in abstracts}
        texts = [(c.id, c.text) for c in chunks] + [
            (f"{aid}:s{i}", text_of[aid][sp.start : sp.end]) for aid, i, sp in sentences
        ]
        return cls(chunks, sentences, texts)

    def terms(self, abstracts: Sequence[Abstract]) -> store_terms.Terms:
        """The tokens readers load instead of tokenizing (`rag.store_terms`)."""
        spans: dict[str, list[Span]] = {}
        for aid, _, span in self.sentences:
            spans.setdefault(aid, []).append(span)
        return store_terms.compute({a.id: a for a in abstracts}, self.chunks, spans)


def write_to_server(
    url,
    lock,
    abstracts,
    rows: Rows,
    vectors,
    embedder,
    manifest,
    terms,
    table: BridgeTable,
    english_part: store_english.EnglishVectors | None = None,
):
    """Write, verify and swap in a generation in the server, then delete older ones."""
    db = server.connect(url)
    gen, papers = server.new_generation(), {a.id: chroma.paper_metadata(a) for a in abstracts}
    names = server.prefix(gen)
    chroma.write_collections(
        db, rows.chunks, rows.sentences, rows.texts, vectors, embedder, papers, names
    )
    chroma.verify(db, f"{gen} at {url}", len(rows.chunks), len(rows.sentences), embedder, names)
    server.write_bridge(db, gen, table)
    if english_part is not None:
        store_english.write(db, gen, english_part)
    rows_of = vectors_io.rows_of(rows.chunks, rows.sentences, papers)
    extra = {"rows": rows_of, "terms": store_terms.encode(terms)}
    server.write_manifest(db, gen, {**manifest, **extra})
    lock.confirm()
    replaced = server.current(db)
    server.switch_to(db, gen)
    server.cleanup(db, keep=(gen, replaced) if replaced else (gen,))


def write_generation(
    path: Path,
    abstracts: Sequence[Abstract],
    rows: Rows,
    vectors: np.ndarray,
    embedder: Embeddings,
    manifest: dict,
    terms: store_terms.Terms,
    table: BridgeTable,
    examples: dict[str, np.ndarray],
    english_part: store_english.EnglishVectors | None = None,
) -> None:
    """Write, verify and switch to a new generation; on any failure it is deleted."""
    gen = layout.new_generation(path)
    try:
        papers = {a.id: chroma.paper_metadata(a) for a in abstracts}
        with chroma.local(gen) as db:
            chroma.write_collections(
                db, rows.chunks, rows.sentences, rows.texts, vectors, embedder, papers
            )
            chroma.verify(db, str(gen), len(rows.chunks), len(rows.sentences), embedder)
        vectors_io.write(gen, rows.chunks, rows.sentences, vectors, papers)
        store_terms.write(gen, terms)
        table.save(gen)
        background.save(gen, examples)
        if english_part is not None:
            english_part.save(gen)
        vectors_io.read(gen, len(rows.chunks), len(rows.sentences))  # what readers will load
        layout.write_manifest(gen, manifest)
    except BaseException:
        shutil.rmtree(gen, ignore_errors=True)
        raise
    layout.switch_to(path, gen)
    layout.cleanup(path)  # the previous generation, unless a reader still pins it
