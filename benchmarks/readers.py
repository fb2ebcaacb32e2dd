"""How a reader could open a generation without writing it: two options, timed in one run.

    python benchmarks/readers.py            # 115 chunks (the shipped corpus) and 30,000

A: copy the generation's chroma/ to a private folder, open it with embedded Chroma and run
   the two per-language filtered queries of a question there;
B: memory-map the chunk vectors the build writes as .npy and search them exactly in numpy.

The vectors are random unit vectors of e5-small's 384 dimensions, two thirds "en" and a
third "zh", as in the shipped corpus; the cost of each option depends on their count, not
their values. Leaves out the embedding of the question, the same for both.
"""

from __future__ import annotations

import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from rag.store_vectors import VectorSearch  # noqa: E402


def chroma_folder(root: Path, vectors: np.ndarray, languages: list[str]) -> None:
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    db = chromadb.PersistentClient(
        path=str(root), settings=ChromaSettings(anonymized_telemetry=False)
    )
    chunks = db.create_collection("chunks", configuration={"hnsw": {"space": "cosine"}})
    for i in range(0, len(vectors), 4096):
        part = range(i, min(len(vectors), i + 4096))
        chunks.add(
            ids=[str(j) for j in part],
            embeddings=vectors[i : part.stop],
            documents=["x"] * len(part),
            metadatas=[{"language": languages[j], "abstract_id": str(j // 3)} for j in part],
        )
    db.close()


def median_ms(function, times: int = 20) -> float:
    samples = []
    for _ in range(times):
        started = time.perf_counter()
        function()
        samples.append(time.perf_counter() - started)
    return 1000 * statistics.median(samples)


def measure(rows: int) -> str:
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    rng = np.random.default_rng(0)
    vectors = rng.standard_normal((rows, 384)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    languages = ["zh" if i % 3 == 2 else "en" for i in range(rows)]
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "gen" / "chroma"
        chroma_folder(source, vectors, languages)
        np.save(source.parent / "chunks.npy", vectors)
        query = vectors[7]

        started = time.perf_counter()
        copy = shutil.copytree(source, Path(tmp) / "private" / "chroma")
        db = chromadb.PersistentClient(
            path=str(copy), settings=ChromaSettings(anonymized_telemetry=False)
        )
        chunks = db.get_collection("chunks")
        chunks.get(include=["metadatas"])
        a_open = 1000 * (time.perf_counter() - started)
        a_query = median_ms(
            lambda: [
                chunks.query(query_embeddings=[query], n_results=30, where={"language": lang})
                for lang in ("en", "zh")
            ]
        )
        db.close()

        started = time.perf_counter()
        mapped = np.load(source.parent / "chunks.npy", mmap_mode="r")
        search = VectorSearch(mapped, [str(i // 3) for i in range(rows)], languages)
        b_open = 1000 * (time.perf_counter() - started)
        b_query = median_ms(lambda: [search(query, 30, lang) for lang in ("en", "zh")])
    return f"| {rows:,} | {a_open:.0f} ms | {a_query:.2f} ms | {b_open:.1f} ms | {b_query:.2f} ms |"


def main() -> None:
    import langchain_core.embeddings  # noqa: F401 (as in a reader: it slows OpenBLAS's @)

    print("| chunks | A: copy + open | A: question | B: map | B: question |")
    print("|---|---|---|---|---|")
    for rows in (115, 30_000):
        print(measure(rows), flush=True)


if __name__ == "__main__":
    main()
