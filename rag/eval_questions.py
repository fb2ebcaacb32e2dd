"""The labelled question sets of `rag eval`, and the dev / test protocol.

Two splits, both written by hand from the shipped corpus (`rag/data/eval/`):

- `dev`: `questions.jsonl` (84 questions, written with the code in view; thresholds, the
  glossary and the rules were tuned on them), then `dev_b2` … `dev_b19` (79, 88, 115, 139,
  154, 165, 153, 169, 165, 152, 178, 158, 157, 165, 177, 178, 206 and 188 questions written
  blind, by people who saw only the abstracts). `dev_b3` to `dev_b11` were the test split in
  turn (the last nine on 2026-11-26): once their figures by kind had guided what to work on
  next, each joined dev and a new test split was written. `dev_b12` was written blind for
  tuning: mostly off-topic questions that reuse a corpus word in another sense (homonyms),
  injected instructions and near-misses, with answerable look-alikes. `dev_b13` was written
  as a test split, but a failing test printed which of its goals were missed before its
  final scoring, so it was replaced (it was scored at the start and the end, never tuned on,
  and joined dev after). `dev_b14` was the test split of 2026-11-26 (`test_l`); its failures
  were read after its final scoring, so it joined dev; so did `dev_b15` (`test_m`),
  `dev_b16` (`test_n`), `dev_b17` (`test_o`), `dev_b18` (`test_p`) and `dev_b19` (`test_q`),
  the next rounds' test splits.
- `test`: `test_r.jsonl`, 196 questions written blind on 2026-11-26 by someone who saw
  only the abstracts (not the code, the glossary, the thresholds or earlier questions);
  28 more the writer had worded exactly as dev questions were dropped unread. Nothing is
  tuned on it: its figures are the ones the README reports as out of sample.

A record: `id`, `kind`, `question`, `relevant` (abstract ids), optional `facts` (strings
verbatim in a relevant abstract; an answer holding any one has the key fact), `history`
(earlier messages, for follow-ups), `answerable` (False for near-misses, off-topic
questions and injected instructions; a near-miss still names the paper it asks about in
`relevant`) and `lang` (question language - abstract language, e.g. `en-zh`).
Leaves out scoring (rag/evaluation.py).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from rag.errors import RagError

_DEV = (
    "questions.jsonl",
    "dev_b2.jsonl",
    "dev_b3.jsonl",
    "dev_b4.jsonl",
    "dev_b5.jsonl",
    "dev_b6.jsonl",
    "dev_b7.jsonl",
    "dev_b8.jsonl",
    "dev_b9.jsonl",
    "dev_b10.jsonl",
    "dev_b11.jsonl",
    "dev_b12.jsonl",
    "dev_b13.jsonl",
    "dev_b14.jsonl",
    "dev_b15.jsonl",
    "dev_b16.jsonl",
    "dev_b17.jsonl",
    "dev_b18.jsonl",
    "dev_b19.jsonl",
)
_TEST = ("test_r.jsonl",)
SPLITS: dict[str, tuple[str, ...]] = {"dev": _DEV, "test": _TEST, "all": _DEV + _TEST}
# The language pairs, as kinds (the first set) or as `lang` labels (the blind sets).
PAIRS = ("en-en", "en-zh", "zh-en", "zh-zh")
CROSS = ("en-zh", "zh-en")


@dataclass(frozen=True)
class EvalQuestion:
    """One labelled question."""

    id: str
    kind: str
    question: str
    relevant: tuple[str, ...]
    facts: tuple[str, ...] = ()
    history: tuple[dict, ...] = ()
    answerable: bool = True
    lang: str = ""  # "en-zh": asked in English about a Chinese abstract; "" when unknown

    @property
    def cross_language(self) -> bool:
        return self.lang in CROSS


def split_paths(split: str) -> list[Path]:
    """The files of a split shipped in the package."""
    if split not in SPLITS:
        raise RagError(f"Unknown split {split!r}: choose one of {', '.join(SPLITS)}.")
    folder = resources.files("rag") / "data" / "eval"
    return [Path(str(folder / name)) for name in SPLITS[split]]


def load_questions(path: Path | None = None, *, split: str = "dev") -> list[EvalQuestion]:
    """Read a JSON-lines question set: the file at `path`, else the shipped `split`."""
    questions: list[EvalQuestion] = []
    for file in [path] if path else split_paths(split):
        questions.extend(_read(file))
    return questions


def _read(path: Path) -> list[EvalQuestion]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as err:
        raise RagError(f"Cannot read the question set {path} ({err.strerror}).") from err
    out = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
            kind = raw["kind"]
            out.append(
                EvalQuestion(
                    id=raw["id"],
                    kind=kind,
                    question=raw["question"],
                    relevant=tuple(raw.get("relevant", ())),
                    facts=tuple(raw.get("facts", ())),
                    history=tuple(raw.get("history", ())),
                    answerable=bool(raw.get("answerable", kind != "unanswerable")),
                    lang=raw.get("lang") or (kind if kind in PAIRS else ""),
                )
            )
        except (ValueError, KeyError, TypeError) as err:
            raise RagError(
                f"{path}:{number} is not a question record ({err}). Each line needs "
                '{"id", "kind", "question", "relevant": [ids]} and may have "facts", '
                '"history", "answerable", "lang".'
            ) from err
    return out
