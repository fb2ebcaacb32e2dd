"""The built-in evaluation: labelled questions in, retrieval and answer quality out, per kind.

For every question of a split (rag/eval_questions.py) we rank abstracts with the same
retriever `ask()` uses, then call `ask()` itself and time it. Figures, per kind, for the
cross-language questions, and over all: hit@1 and hit@5 (a relevant abstract ranked first
/ in the top 5; over questions that name one, near-misses included), MRR, recall@5 (share
of the relevant abstracts in the top 5, what matters for lists), key-fact accuracy (a
listed fact in the answer; Traditional characters read as Simplified), citation precision
(share of cited sources that are relevant), refusal precision and recall (`found=False`
against `answerable`), named (near-misses refused *and* citing the paper asked about),
false refusals (answerable questions refused), fallbacks (generated answers replaced by
the extractive one) and ask() latency p50/p95.

Leaves out judging fluency or completeness beyond the listed facts: that needs a person
or a model.
"""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field

from rag.errors import RagError
from rag.eval_questions import EvalQuestion
from rag.lexical import simplified
from rag.qa import QA

Metrics = dict[str, float | int | None]

# The goals of the answer-quality issue, for the test split: (group, metric) -> (">=" or
# "<=", bound). `rag eval --check` and tests/test_evaluation.py hold the figures to them.
GOALS: dict[tuple[str, str], tuple[str, float]] = {
    ("all", "hit@5"): (">=", 0.95),
    ("cross-language", "hit@5"): (">=", 0.90),
    ("multi", "recall@5"): (">=", 0.90),
    ("all", "key_fact"): (">=", 0.80),
    ("near-miss", "named"): (">=", 0.80),
    ("off-topic", "refusal_recall"): (">=", 1.0),
    ("injection", "refusal_recall"): (">=", 1.0),
    ("all", "false_refusals"): ("<=", 0.03),
    ("all", "p50_ms"): ("<=", 60.0),
}
KIND_HIT5 = 0.90  # every kind whose questions name an abstract: hit@5 at least this


@dataclass
class Outcome:
    """What happened to one question."""

    id: str
    kind: str
    rank: int | None  # 1-based rank of the first relevant abstract; None if not ranked
    recall5: float | None  # None when the question names no abstract
    fact_found: bool | None  # None when the question lists no fact
    cited: int
    cited_relevant: int
    refused: bool
    seconds: float
    fell_back: bool = False  # a generative answerer's answer was replaced by the extractive one
    answerable: bool = True
    cross_language: bool = False


@dataclass
class Report:
    """Figures per group, plus every question's outcome."""

    metrics: dict[str, Metrics]
    outcomes: list[Outcome] = field(default_factory=list)

    def failures(self, goals: dict[tuple[str, str], tuple[str, float]] = GOALS) -> list[str]:
        """Each goal the figures miss, as a sentence; empty when all are met."""
        out = []
        wanted = dict(goals)
        for kind, m in self.metrics.items():
            if m.get("hit@5") is not None and kind not in ("all", "cross-language"):
                wanted.setdefault((kind, "hit@5"), (">=", KIND_HIT5))
        for (kind, metric), (op, bound) in wanted.items():
            if kind not in self.metrics:
                continue  # the split has no such questions
            value = self.metrics[kind].get(metric)
            ok = value is not None and (value >= bound if op == ">=" else value <= bound)
            if not ok:
                out.append(f"{kind} {metric} = {value}, goal {op} {bound}")
        return out

    def to_json(self) -> str:
        return json.dumps(
            {"metrics": self.metrics, "outcomes": [asdict(o) for o in self.outcomes]},
            ensure_ascii=False,
            indent=1,
        )


def percentile(values: Sequence[float], q: float) -> float:
    """The nearest-rank percentile (q in [0, 1]) of a non-empty list: the one formula the
    evaluation and the benchmarks report."""
    ordered = sorted(values)
    return ordered[max(0, round(q * len(ordered)) - 1)]


def rank_figures(ranked: Sequence[str], relevant: set[str]) -> tuple[int | None, float | None]:
    """(1-based rank of the first relevant id or None, share of relevant ids in the top 5)."""
    rank = next((i for i, aid in enumerate(ranked, start=1) if aid in relevant), None)
    recall5 = len(relevant & set(ranked[:5])) / len(relevant) if relevant else None
    return rank, recall5


def _mean(values: Sequence[float]) -> float | None:
    return round(statistics.fmean(values), 3) if values else None


def summarise(outcomes: Sequence[Outcome]) -> Metrics:
    """The figures for a group of outcomes."""
    answerable = [o for o in outcomes if o.answerable]
    unanswerable = [o for o in outcomes if not o.answerable]
    near_misses = [o for o in unanswerable if o.recall5 is not None]
    named = [o for o in outcomes if o.recall5 is not None]  # questions naming an abstract
    refused = [o for o in outcomes if o.refused]
    facts = [o.fact_found for o in outcomes if o.fact_found is not None]
    cited = sum(o.cited for o in answerable)
    times = [o.seconds for o in outcomes]
    return {
        "n": len(outcomes),
        "hit@1": _mean([o.rank == 1 for o in named]),
        "hit@5": _mean([o.rank is not None and o.rank <= 5 for o in named]),
        "mrr": _mean([1 / o.rank if o.rank else 0.0 for o in named]),
        "recall@5": _mean([o.recall5 for o in named if o.recall5 is not None]),
        "key_fact": _mean(facts),
        "citation_precision": (
            round(sum(o.cited_relevant for o in answerable) / cited, 3) if cited else None
        ),
        "refusal_precision": (
            round(sum(not o.answerable for o in refused) / len(refused), 3) if refused else None
        ),
        "refusal_recall": _mean([o.refused for o in unanswerable]),
        "named": _mean([o.refused and o.cited_relevant > 0 for o in near_misses]),
        "false_refusals": _mean([o.refused for o in answerable]),
        "fallbacks": _mean([o.fell_back for o in answerable if not o.refused]),
        "p50_ms": round(statistics.median(times) * 1000, 1) if times else None,
        "p95_ms": round(percentile(times, 0.95) * 1000, 1) if times else None,
    }


def groups(outcomes: Sequence[Outcome]) -> dict[str, list[Outcome]]:
    """Outcomes per kind (in order of first appearance), cross-language, and all."""
    out: dict[str, list[Outcome]] = {}
    for o in outcomes:
        out.setdefault(o.kind, []).append(o)
    out["cross-language"] = [o for o in outcomes if o.cross_language]
    out["all"] = list(outcomes)
    return {name: members for name, members in out.items() if members}


def has_fact(text: str, facts: Sequence[str]) -> bool:
    """Whether the answer holds one of the facts (case and Chinese script ignored)."""
    folded = simplified(text).lower()
    return any(simplified(f).lower() in folded for f in facts)


def evaluate(qa: QA, questions: Sequence[EvalQuestion]) -> Report:
    """Run every question through retrieval and `ask()`; figures per kind and overall."""
    unknown = {aid for q in questions for aid in q.relevant} - set(qa.index.store.abstracts)
    if unknown:
        raise RagError(
            f"The question set names {len(unknown)} abstract ids this corpus does not have "
            f"(e.g. {sorted(unknown)[0]}). The shipped questions are for the shipped corpus; "
            "pass --questions with a set labelled for yours."
        )
    qa.ask(questions[0].question)  # the first call warms caches; it is not timed
    backend = qa.settings.answer.answerer
    outcomes = []
    for q in questions:
        history = list(q.history)
        ranked = [h.abstract.id for h in qa.rank(q.question, history)]
        relevant = set(q.relevant)
        rank, recall5 = rank_figures(ranked, relevant)
        started = time.perf_counter()
        answer = qa.ask(q.question, history)
        seconds = time.perf_counter() - started
        outcomes.append(
            Outcome(
                id=q.id,
                kind=q.kind,
                rank=rank,
                recall5=recall5,
                fact_found=has_fact(answer.text, q.facts) if q.facts else None,
                cited=len(answer.sources),
                cited_relevant=sum(s.id in relevant for s in answer.sources),
                refused=not answer.found,
                seconds=seconds,
                fell_back=backend != "extractive" and answer.answered_by != backend,
                answerable=q.answerable,
                cross_language=q.cross_language,
            )
        )
    return Report({name: summarise(m) for name, m in groups(outcomes).items()}, outcomes)


COLUMNS = (
    ("hit@1", "hit@1"),
    ("hit@5", "hit@5"),
    ("mrr", "MRR"),
    ("recall@5", "rec@5"),
    ("key_fact", "fact"),
    ("citation_precision", "cite"),
    ("refusal_precision", "ref.P"),
    ("refusal_recall", "ref.R"),
    ("named", "named"),
    ("false_refusals", "false.R"),
    ("fallbacks", "fallbk"),
    ("p50_ms", "p50 ms"),
    ("p95_ms", "p95 ms"),
)


def format_table(report: Report) -> str:
    """The figures as a plain-text table, one row per group."""
    header = f"{'kind':<15}{'n':>4}" + "".join(f"{label:>8}" for _, label in COLUMNS)
    rows = [header, "-" * len(header)]
    for kind, m in report.metrics.items():
        cells = "".join(
            f"{'-' if m[key] is None else m[key]:>8}"
            if not isinstance(m[key], float)
            else f"{m[key]:>8.3g}"
            if key.endswith("_ms")
            else f"{m[key]:>8.2f}"
            for key, _ in COLUMNS
        )
        rows.append(f"{kind:<15}{m['n']:>4}{cells}")
    return "\n".join(rows)
