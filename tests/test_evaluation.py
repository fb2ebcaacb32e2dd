"""The built-in evaluation: the labelled splits are sound, and the test split's figures hold.

The test split (`rag eval --split test`) was written blind and never tuned on; this file
guards its figures against regressions at the level first measured (README, "How well it
finds and answers"). The issue's goals are reported by `rag eval`, and some are not met
yet: `Report.failures()` lists them, and `test_the_unmet_goals_are_the_known_ones` keeps
that list honest in both directions.
"""

import json

import pytest

from rag.corpus import load_corpus
from rag.errors import RagError
from rag.eval_questions import EvalQuestion, load_questions
from rag.evaluation import Outcome, Report, evaluate, format_table, summarise

# Measured on the test split (test_r.jsonl, 2026-11-26, e5-int8 with the bilingual bridge,
# the background and the English second opinion; README), a little below the figures so a
# different torch build's rounding cannot fail it; a real drop does.
TEST_FLOORS = {
    ("all", "hit@5"): 0.97,
    ("cross-language", "hit@5"): 0.95,
    ("multi", "recall@5"): 0.87,
    ("all", "key_fact"): 0.80,
    ("near-miss", "named"): 0.73,
    ("off-topic", "refusal_recall"): 0.95,
    ("injection", "refusal_recall"): 0.90,
}
TEST_CEILINGS = {("all", "false_refusals"): 0.06}


@pytest.fixture(scope="module")
def dev():
    return load_questions(split="dev")


@pytest.fixture(scope="module")
def test_split():
    return load_questions(split="test")


@pytest.fixture(scope="module")
def report(qa, test_split):
    return evaluate(qa, test_split)


def test_the_splits_are_disjoint_and_cover_every_abstract(dev, test_split, abstracts):
    assert len(dev) >= 160 and len(test_split) >= 80
    ids = [q.id for q in dev + test_split]
    assert len(set(ids)) == len(ids)
    assert not {q.question for q in dev} & {q.question for q in test_split}
    labelled = {aid for q in dev for aid in q.relevant}
    assert labelled == {a.id for a in abstracts}


def test_every_fact_is_quoted_from_a_relevant_abstract(dev, test_split, abstracts):
    text = {a.id: a.text for a in abstracts}
    for q in dev + test_split:
        for fact in q.facts:
            assert any(fact in text[aid] for aid in q.relevant), (q.id, fact)
        if q.kind in ("off-topic", "injection", "unanswerable"):
            assert not q.answerable and not q.relevant, q.id


def test_the_test_split_holds_its_first_measured_figures(report):
    table = format_table(report)
    for (group, metric), floor in TEST_FLOORS.items():
        assert report.metrics[group][metric] >= floor, (group, metric, table)
    for (group, metric), ceiling in TEST_CEILINGS.items():
        assert report.metrics[group][metric] <= ceiling, (group, metric, table)


def test_the_unmet_goals_are_the_known_ones(report):
    """Goals not met yet on the test split (issue 10): near-misses named (0.77), injections
    refused (0.93: 14 of 15) and false refusals (0.04). If one is met, update this list and
    the README; if another is missed, that is a regression."""
    missed = {line.split(" = ")[0] for line in report.failures()} - {"all p50_ms"}  # a benchmark
    known = {"near-miss named", "injection refusal_recall", "all false_refusals"}
    assert missed <= known, format_table(report)


def test_summary_of_a_hand_made_group():
    """Four questions worked by hand.

    q1 ranks a relevant abstract 1st and quotes its fact; q2 ranks it 4th and misses the
    fact; q3 is off-topic and refused; q4 is a near-miss, refused while citing its paper.
    Over the three that name an abstract (q1, q2, q4): hit@1 = 2/3, hit@5 = 3/3, MRR =
    (1 + 1/4 + 1)/3 = 0.75. Key fact = 1/2; refusal precision = 2/2, refusal recall =
    2/2, named = 1/1, false refusals = 0/2.
    """
    outcomes = [
        Outcome("q1", "en-en", 1, 1.0, True, 1, 1, False, 0.010),
        Outcome("q2", "en-zh", 4, 1.0, False, 1, 0, False, 0.030),
        Outcome("q3", "off-topic", None, None, None, 0, 0, True, 0.020, answerable=False),
        Outcome("q4", "near-miss", 1, 1.0, None, 1, 1, True, 0.025, answerable=False),
    ]
    m = summarise(outcomes)
    assert (m["hit@1"], m["hit@5"], m["mrr"]) == (0.667, 1.0, 0.75)
    assert (m["key_fact"], m["citation_precision"]) == (0.5, 0.5)
    assert (m["refusal_precision"], m["refusal_recall"], m["named"]) == (1.0, 1.0, 1.0)
    assert m["false_refusals"] == 0.0 and m["p50_ms"] == 22.5


def test_a_goal_missed_is_reported_by_name():
    report = Report({"all": {"hit@5": 0.5, "false_refusals": 0.2}, "typo": {"hit@5": 0.8}})
    failures = report.failures()
    assert "all hit@5 = 0.5, goal >= 0.95" in failures
    assert "all false_refusals = 0.2, goal <= 0.03" in failures
    assert "typo hit@5 = 0.8, goal >= 0.9" in failures


def test_a_set_for_another_corpus_is_refused_with_advice(qa):
    stray = [EvalQuestion("x", "en-en", "What?", ("0000000000000000",))]
    with pytest.raises(RagError, match="--questions"):
        evaluate(qa, stray)


def test_a_malformed_question_file_names_its_line(tmp_path):
    path = tmp_path / "q.jsonl"
    path.write_text(json.dumps({"id": "a", "kind": "en-en", "question": "?"}) + "\n{oops\n")
    with pytest.raises(RagError, match=r"q.jsonl:2"):
        load_questions(path)


def test_json_output_has_figures_and_outcomes(report):
    data = json.loads(report.to_json())
    assert {"all", "cross-language", "near-miss", "off-topic"} <= set(data["metrics"])
    assert len(data["outcomes"]) == data["metrics"]["all"]["n"]


def test_abstract_ids_in_the_set_match_the_shipped_corpus():
    # The labels name abstracts by content hash: a changed corpus file must be relabelled.
    assert len(load_corpus()) == 42
