"""Time to first token and total answer time of each answerer, on this machine.

    python benchmarks/llm_timing.py extractive llamacpp openai

One process, pipeline loaded and each backend warmed by one question; then the factual
questions of tests/qa_cases.py are streamed in turn. Time to first token is when
`QA.stream` yields its first partial answer (for the extractive answerer the whole answer
exists by then); total is when the final, checked answer arrives. The `openai` backend
uses RAG_OPENAI_BASE_URL and RAG_OPENAI_MODEL; start the server first.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from rag import get_qa  # noqa: E402
from tests.qa_cases import FACTUAL  # noqa: E402

QUESTIONS = [q for q, _, _ in FACTUAL]


def main(backends: list[str]) -> None:
    qa = get_qa()
    for backend in backends:
        list(qa.stream(QUESTIONS[0], answerer=backend))  # load the model, warm caches
        first, total, fallbacks = [], [], 0
        for question in QUESTIONS:
            started = time.perf_counter()
            parts = qa.stream(question, answerer=backend)
            final = next(parts)
            first.append(time.perf_counter() - started)
            for final in parts:  # noqa: B007 (the last one is the final answer)
                pass
            total.append(time.perf_counter() - started)
            fallbacks += any("showing quoted evidence" in n for n in final.notices)
        print(
            f"{backend:<11} n={len(QUESTIONS)}  first token median {statistics.median(first):.2f} s"
            f" (max {max(first):.2f})  total median {statistics.median(total):.2f} s"
            f" (max {max(total):.2f})  fell back to extractive: {fallbacks}"
        )


if __name__ == "__main__":
    main(sys.argv[1:] or ["extractive"])
