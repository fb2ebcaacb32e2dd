"""Time a cold `rag build` and warm `ask()` calls on this machine.

    python benchmarks/timing.py          # or: make bench

Cold build: a new process builds a store from nothing (model load + chunking + embedding
+ Chroma writes), timed from outside, as a user waits for it. Warm ask: one process,
pipeline loaded, the 20 questions below asked in turn; median and 95th percentile.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from rag import QA, Settings  # noqa: E402
from rag.evaluation import percentile  # noqa: E402
from tests.qa_cases import FACTUAL, UNANSWERABLE  # noqa: E402

QUESTIONS = (
    [q for q, _, _ in FACTUAL] + UNANSWERABLE + ["Which papers are about federated learning?"]
)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        store = Path(tmp) / "store"
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "rag.cli", "build", "--store", str(store)],
            check=True,
            capture_output=True,
        )
        cold = time.perf_counter() - started
        print(f"cold `rag build` (new process, empty store): {cold:.1f} s")

        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "rag.cli", "build", "--store", str(store)],
            check=True,
            capture_output=True,
        )
        print(
            f"`rag build` again, nothing changed (new process): "
            f"{time.perf_counter() - started:.1f} s"
        )

        qa = QA(Settings(store_dir=store), progress=False)
        qa.ask(QUESTIONS[0])  # first call warms caches (jieba, torch kernels)
        times = []
        for question in QUESTIONS[:20]:
            t = time.perf_counter()
            qa.ask(question)
            times.append(time.perf_counter() - t)
        times.sort()
        p95 = percentile(times, 0.95)
        print(
            f"warm ask() over {len(times)} questions: median {statistics.median(times) * 1000:.0f} "
            f"ms, p95 {p95 * 1000:.0f} ms, max {times[-1] * 1000:.0f} ms"
        )


if __name__ == "__main__":
    main()
