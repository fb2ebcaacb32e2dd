"""Off-topic and injected questions asked in the middle of a conversation about a paper.

    .venv/bin/python benchmarks/in_conversation.py                # the dev split
    .venv/bin/python benchmarks/in_conversation.py --split test

The labelled splits ask their off-topic questions and injected instructions with no
history. In the chat they come after a turn about some paper, and a pronoun ("Thanks,
that was helpful!") makes them follow-ups, searched with that paper: answered from it
unless small talk and orders are told on the question's own words (rag/chain.py). Each such
question of the split is asked after two conversations (one English about JKO-iFlow, one
Chinese about CMT); the script prints how many were answered or cited a paper (none
should), how many read as follow-ups, and, for dev only, which.
Quality only: deterministic, no timing.
"""

from __future__ import annotations

import argparse

from rag.eval_questions import load_questions
from rag.qa import get_qa
from rag.query import resolve

CONVERSATIONS = (
    [
        {"role": "user", "content": "What is JKO-iFlow?"},
        {"role": "assistant", "content": "JKO-iFlow is a neural ODE flow network [1]."},
    ],
    [
        {"role": "user", "content": "CMT 是什么?"},
        {"role": "assistant", "content": "CMT 是一个跨模态 Transformer 3D 检测器 [1]。"},
    ],
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--split", choices=("dev", "test", "all"), default="dev")
    split = parser.parse_args().split
    questions = [q for q in load_questions(split=split) if q.kind in ("off-topic", "injection")]
    qa = get_qa()
    index = qa.retriever.index
    asked, follow_ups, answered = 0, 0, []
    for q in questions:
        for history in CONVERSATIONS:
            asked += 1
            query = resolve(q.question, history, index.names, index.own_names)
            follow_ups += query.kind == "follow-up"
            answer = qa.ask(q.question, history)
            if answer.found or answer.sources:  # a quote, or "the abstract of X does not say"
                answered.append((q.kind, q.question, answer.text))
    print(
        f"{split} split: {len(answered)} of {asked} answered or citing a paper "
        f"({len(questions)} questions x {len(CONVERSATIONS)} conversations; "
        f"{follow_ups} read as follow-ups)"
    )
    if split == "dev":  # the test split's questions are not printed: nothing is tuned on them
        for kind, question, text in answered:
            print(f"  [{kind}] {question[:80]!r} -> {text[:70]!r}")


if __name__ == "__main__":
    main()
