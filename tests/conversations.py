"""Many people at once: conversations sent concurrently to a served chat, each checked.

Each conversation asks one of the factual questions of `qa_cases`, then a follow-up that
only makes sense with its own history ("What problem does this work address?"). The first
answer must quote its fact; every sentence of the follow-up must come from the abstract the
question is about. An answer that leaked from another conversation fails both checks.
Used by tests/test_load.py and benchmarks/load.py.
"""

from __future__ import annotations

import statistics
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from gradio_client import Client

from rag.corpus import detect_language, load_corpus
from rag.evaluation import percentile
from rag.types import MARKER
from tests.qa_cases import FACTUAL

FOLLOW_UP = {"en": "What problem does this work address?", "zh": "它还报告了什么结果?"}


@dataclass(frozen=True)
class Outcome:
    question: str
    ok: bool
    seconds: float
    detail: str


def conversation(client: Client, question: str, fact: str, abstract: str, timeout: float):
    """One conversation of two turns; an `Outcome` saying whether both answers are its own."""
    started = time.perf_counter()
    first = client.submit(question, api_name="/chat").result(timeout=timeout)
    history = [{"role": "user", "content": question}, {"role": "assistant", "content": first}]
    follow_up = FOLLOW_UP[detect_language(question)]
    second = client.submit(follow_up, history, api_name="/chat").result(timeout=timeout)
    quoted = [part.strip() for part in MARKER.sub("\n", second).split("\n") if part.strip()]
    ok = fact in first and bool(quoted) and all(part in abstract for part in quoted)
    return Outcome(question, ok, time.perf_counter() - started, f"{first!r} / {second!r}")


def run(url: str, count: int, *, timeout: float = 120.0) -> tuple[list[Outcome], float]:
    """`count` conversations at once against the chat at `url`; (outcomes, wall seconds)."""
    texts = [a.text for a in load_corpus()]
    cases = [(q, fact, next(t for t in texts if marker in t)) for q, fact, marker in FACTUAL]
    client = Client(url, verbose=False)
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=count) as pool:
        futures = [
            pool.submit(conversation, client, *cases[i % len(cases)], timeout) for i in range(count)
        ]
        outcomes = [f.result(timeout=timeout * 2) for f in futures]
    return outcomes, time.perf_counter() - started


def summary(outcomes: list[Outcome], seconds: float) -> str:
    """Throughput and latency percentiles, one line."""
    latencies = sorted(o.seconds for o in outcomes)
    p95 = percentile(latencies, 0.95)
    return (
        f"{len(outcomes)} conversations (2 turns each) in {seconds:.1f} s: "
        f"{len(outcomes) / seconds:.1f} conversations/s; latency per conversation "
        f"p50 {statistics.median(latencies):.2f} s, p95 {p95:.2f} s; "
        f"{sum(o.ok for o in outcomes)} answered correctly"
    )
