"""Server mode: the store's generations as collections in a Chroma server (RAG_CHROMA_URL).

In the server, every name starting with `abstracts-qa-`:
    abstracts-qa-meta                 row "CURRENT": the generation served (its metadata),
                                      and rows "<gen>:manifest:<n>": each complete
                                      generation's manifest, in parts
    abstracts-qa-<gen>-chunks         the generation's chunks, searched by the server
    abstracts-qa-<gen>-sentences      its sentences, fetched per answer by abstract
    abstracts-qa-<gen>-bridge         the corpus's words and their vectors, for the
                                      bilingual bridge (`rag.bridge`), read whole at start
    abstracts-qa-<gen>-english        the chunks' vectors by the English model
                                      (`rag.english`), read whole at start

The manifest lives in the server, not on the machine that built: then any number of
readers on any machine need only the URL, and a generation and its manifest can never
drift apart. A build writes both collections, verifies them, writes the manifest, and
only then upserts "CURRENT", one row in one transaction of the server's database: a
reader sees the old generation or the new one. After the swap the build deletes every
other complete generation except the one it replaced, which readers that have not yet
asked their next question may still be searching. Collections without a manifest are
builds under way (perhaps on another machine) and are left alone for a day.

One build writes at a time: it holds a lock kept in the server (`rag.store_server_lock`),
and checks it still does before it swaps. Leaves out authentication and TLS options beyond
what the URL says.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator, Mapping
from urllib.parse import urlparse

import numpy as np

from rag.bridge import LANGUAGES, BridgeTable
from rag.errors import StoreError
from rag.scope import Scope, chroma_where

PREFIX = "abstracts-qa-"
META = PREFIX + "meta"
POINTER = "CURRENT"
_PART = 200_000  # characters of manifest per row, well under a server's request limits
PAGE = 2_000  # rows per get() when reading a whole collection back
_DEBRIS_AGE = 86_400.0  # seconds before an unfinished generation counts as a dead build
BRIDGE = "bridge"
ENGLISH = "english"  # rag/store_english.py


def connect(url: str):
    """A client of the Chroma server at `url`, checked with a heartbeat, telemetry off."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    parsed = urlparse(url if "://" in url else f"http://{url}")
    secure = parsed.scheme == "https"
    try:
        db = chromadb.HttpClient(
            host=parsed.hostname or "localhost",
            port=parsed.port or (443 if secure else 8000),
            ssl=secure,
            settings=ChromaSettings(anonymized_telemetry=False),
        )
        db.heartbeat()
    except Exception as err:  # chromadb raises its own errors, httpx ones, or ValueError
        raise StoreError(
            f"Cannot reach the Chroma server at {url} ({type(err).__name__}: {err}). Start it "
            "(chroma run --path DIR --port N) or fix RAG_CHROMA_URL / --chroma-url."
        ) from err
    return db


def call(url: str, function, *args, **kwargs):
    """`function(*args, **kwargs)`, with the server's failures as a StoreError that says what
    to do: readers show it as one line instead of a traceback."""
    try:
        return function(*args, **kwargs)
    except StoreError:
        raise
    except Exception as err:  # chromadb raises its own errors, httpx ones, or ValueError
        raise StoreError(
            f"The Chroma server at {url} failed ({type(err).__name__}: {err}). Check that it "
            "runs, then ask again; if the store is gone there, run `rag build`."
        ) from err


def _meta(db):
    return db.get_or_create_collection(META)


def prefix(gen: str) -> str:
    """The start of the names of `gen`'s collections."""
    return f"{PREFIX}{gen}-"


def new_generation() -> str:
    """A fresh generation name; it sorts by time and never repeats."""
    import secrets

    return f"gen-{time.strftime('%Y%m%dT%H%M%S')}-{secrets.token_hex(3)}"


def current(db) -> str | None:
    """The generation "CURRENT" names; None when the server holds no store yet."""
    got = _meta(db).get(ids=[POINTER], include=["metadatas"])
    return got["metadatas"][0]["generation"] if got["ids"] else None


def read_manifest(db, gen: str) -> dict | None:
    """The manifest of `gen`, None when it has none (an unfinished or deleted build)."""
    got = _meta(db).get(where={"manifest_of": gen}, include=["documents", "metadatas"])
    if not got["ids"]:
        return None
    parts = sorted(zip(got["metadatas"], got["documents"], strict=True), key=lambda p: p[0]["part"])
    if len(parts) != parts[0][0]["parts"]:
        return None
    try:
        return json.loads("".join(doc for _, doc in parts))
    except ValueError as err:
        raise StoreError(
            f"The manifest of {gen} in the Chroma server is unreadable ({err}). "
            "Run `rag build --force` to rebuild the store."
        ) from err


def write_manifest(db, gen: str, manifest: dict) -> None:
    """Store `manifest` in parts; a reader takes it as whole only when every part is there."""
    text = json.dumps(manifest, ensure_ascii=False)
    parts = [text[i : i + _PART] for i in range(0, len(text), _PART)] or [""]
    _meta(db).upsert(
        ids=[f"{gen}:manifest:{n}" for n in range(len(parts))],
        documents=parts,
        embeddings=[[0.0]] * len(parts),  # Chroma rows need a vector; these are never searched
        metadatas=[{"manifest_of": gen, "part": n, "parts": len(parts)} for n in range(len(parts))],
    )


def switch_to(db, gen: str) -> None:
    """Point "CURRENT" at `gen`: one row upserted, one transaction in the server."""
    _meta(db).upsert(
        ids=[POINTER], documents=[gen], embeddings=[[0.0]], metadatas=[{"generation": gen}]
    )


def cleanup(db, keep: tuple[str, ...]) -> list[str]:
    """Delete complete generations not in `keep`, and builds dead for a day; their names."""
    meta = _meta(db)
    rows = meta.get(include=["metadatas"])["metadatas"]
    complete = {m["manifest_of"] for m in rows if m and "manifest_of" in m}
    gens = {
        c.name[len(PREFIX) :].rsplit("-", 1)[0]
        for c in db.list_collections()
        if c.name.startswith(PREFIX + "gen-")
    }
    removed = []
    for gen in sorted((gens | complete) - set(keep)):
        if gen not in complete and time.time() - _stamp(gen) < _DEBRIS_AGE:
            continue  # a build under way
        for name in ("chunks", "sentences", BRIDGE, ENGLISH):
            try:
                db.delete_collection(prefix(gen) + name)
            except Exception:  # noqa: BLE001 (already gone: nothing to delete)
                pass
        meta.delete(where={"manifest_of": gen})
        removed.append(gen)
    return removed


def write_bridge(db, gen: str, table: BridgeTable) -> None:
    """The bridge's words as rows of their own collection: id "<lang>:<n>", the word as the
    document, its vector, its hubness in the metadata."""
    collection = db.create_collection(prefix(gen) + BRIDGE)
    rows = [
        (f"{lang}:{i}", word, table.vectors[lang][i], float(table.hubs[lang][i]))
        for lang in LANGUAGES
        for i, word in enumerate(table.words[lang])
    ]
    for start in range(0, len(rows), PAGE):
        batch = rows[start : start + PAGE]
        collection.add(
            ids=[r[0] for r in batch],
            documents=[r[1] for r in batch],
            embeddings=[r[2].tolist() for r in batch],
            metadatas=[{"hub": r[3]} for r in batch],
        )


def read_bridge(db, gen: str) -> BridgeTable | None:
    """The bridge `write_bridge` stored for `gen`; None when it has none (then `QA` embeds
    the words itself)."""
    try:
        collection = db.get_collection(prefix(gen) + BRIDGE)
    except Exception:  # noqa: BLE001 (a generation built before the bridge was stored)
        return None
    rows: dict[str, list[tuple[int, str, list[float], float]]] = {lang: [] for lang in LANGUAGES}
    offset = 0
    while True:
        got = collection.get(
            limit=PAGE, offset=offset, include=["documents", "embeddings", "metadatas"]
        )
        if not got["ids"]:
            break
        for rid, word, vector, meta in zip(
            got["ids"], got["documents"], got["embeddings"], got["metadatas"], strict=True
        ):
            lang, n = rid.split(":")
            rows[lang].append((int(n), word, vector, meta["hub"]))
        offset += len(got["ids"])
    for lang in LANGUAGES:
        rows[lang].sort()
    dimension = next((len(r[2]) for lang in LANGUAGES for r in rows[lang]), 0)
    return BridgeTable(
        {lang: [r[1] for r in rows[lang]] for lang in LANGUAGES},
        {
            lang: np.asarray([r[2] for r in rows[lang]], dtype=np.float32).reshape(-1, dimension)
            for lang in LANGUAGES
        },
        {lang: np.asarray([r[3] for r in rows[lang]], dtype=np.float32) for lang in LANGUAGES},
    )


def _stamp(gen: str) -> float:
    try:
        return time.mktime(time.strptime(gen.split("-")[1], "%Y%m%dT%H%M%S"))
    except (IndexError, ValueError):
        return 0.0  # not one of ours: old enough to go


def all_rows(collection) -> Iterator[tuple[str, str, list[float]]]:
    """(id, document, embedding) of every row, a page at a time."""
    offset = 0
    while True:
        got = collection.get(limit=PAGE, offset=offset, include=["documents", "embeddings"])
        if not got["ids"]:
            return
        yield from zip(got["ids"], got["documents"], got["embeddings"], strict=True)
        offset += len(got["ids"])


class ServerSearch:
    """The server's nearest chunks of one language: (abstract id, cosine), best first."""

    def __init__(self, collection, url: str) -> None:
        self.collection, self.url = collection, url

    def __call__(
        self, vector, n: int, language: str, scope: Scope | None = None
    ) -> list[tuple[str, float]]:
        """Only chunks in `scope`, filtered by the server's `where` on their metadata."""
        got = call(
            self.url,
            self.collection.query,
            query_embeddings=[np.asarray(vector, dtype=np.float32)],
            n_results=n,
            where=chroma_where(scope, language=language),
            include=["metadatas", "distances"],
        )
        return [
            (m["abstract_id"], 1.0 - d)
            for m, d in zip(got["metadatas"][0], got["distances"][0], strict=True)
        ]


class SentenceVectors(Mapping):
    """Abstract id -> its sentence vectors, fetched from the server on first use, then kept.

    Readers need the vectors of only the few abstracts an answer draws on, so a reader of
    a large store starts without downloading them all.
    """

    def __init__(self, collection, counts: Mapping[str, int], url: str) -> None:
        self.collection, self.url = collection, url
        self.counts = counts  # abstract id -> number of sentences
        self.cache: dict[str, np.ndarray] = {}

    def __getitem__(self, aid: str) -> np.ndarray:
        if aid not in self.counts:
            raise KeyError(aid)
        if aid not in self.cache:
            got = call(
                self.url,
                self.collection.get,
                where={"abstract_id": aid},
                include=["metadatas", "embeddings"],
            )
            order = sorted(range(len(got["ids"])), key=lambda i: got["metadatas"][i]["index"])
            self.cache[aid] = np.asarray([got["embeddings"][i] for i in order], dtype=np.float32)
        return self.cache[aid]

    def __iter__(self) -> Iterator[str]:
        return iter(self.counts)

    def __len__(self) -> int:
        return len(self.counts)
