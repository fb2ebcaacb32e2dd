"""How the service scales with the corpus: build, start-up, ask() p50 and peak RSS.

    python benchmarks/scale.py                  # 42 (the shipped corpus) and 1,000 abstracts
    python benchmarks/scale.py --sizes 42,10000 # any sizes; 42 is always the shipped corpus

For each size, in new processes as a user runs them: a cold `rag build` (wall time and peak
RSS); a cold `rag ask` (start-up: from exec to the first answer printed); and a worker that
opens the store once, times the lexical index tokenized at start against loaded from the
build's saved terms, then asks 30 labelled questions (ask() p50) and reports its peak RSS.

Corpora beyond the shipped one come from `generate`: deterministic and bilingual (a third
Chinese, as shipped). Each abstract draws 6-9 distinct sentences of the shipped abstracts of
one language and names a made-up method of its own in each ("In Kavoretu, ..." /
"在Kavoretu中，..."), so no sentence repeats anywhere while the text stays real abstract
prose for the embedder and the tokenizer. Leaves out the tutorial pipeline (see
benchmarks/compare_baseline.py) and accuracy on generated corpora: they have no labels.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from rag.chunking import sentence_spans  # noqa: E402
from rag.corpus import default_corpus_dir, load_corpus  # noqa: E402

SYLLABLES = "ka ro vi ne tu sa mi lo de fa zu pe".split()
QUESTION = "What does RELIANT mitigate?"


def method_name(n: int) -> str:
    """A made-up, pronounceable, unique name for abstract number `n`."""
    parts = []
    n += len(SYLLABLES) ** 2  # at least three syllables
    while n:
        n, digit = divmod(n, len(SYLLABLES))
        parts.append(SYLLABLES[digit])
    return "".join(parts).capitalize()


def generate(n: int, folder: Path, seed: int = 0) -> Path:
    """Write `n` abstracts, 100 a file, made of the shipped abstracts' sentences (see above)."""
    pools: dict[str, list[str]] = {"en": [], "zh": []}
    for a in load_corpus():
        pools[a.language].extend(a.text[s.start : s.end].strip() for s in sentence_spans(a.text))
    rng = random.Random(seed)
    seen: set[str] = set()
    lines = []
    for i in range(n):
        language = "zh" if i % 3 == 2 else "en"
        name = method_name(i)
        picked = rng.sample(pools[language], rng.randint(6, 9))
        if language == "zh":
            sentences = [f"在{name}中，{s}" for s in picked]
        else:
            sentences = [f"In {name}, {s[0].lower()}{s[1:]}" for s in picked]
        assert not seen.intersection(sentences), "a sentence would repeat"
        seen.update(sentences)
        lines.append(("" if language == "zh" else " ").join(sentences))
    folder.mkdir(parents=True, exist_ok=True)
    for start in range(0, n, 100):
        text = "\n".join(lines[start : start + 100]) + "\n"
        (folder / f"gen_{start // 100:04d}.txt").write_text(text, encoding="utf-8")
    return folder


def run(args: list[str]) -> tuple[float, int, str]:
    """(wall seconds, peak RSS in MB, stdout) of a new process."""
    started = time.perf_counter()
    process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    out = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0, f"{args} failed"
    return time.perf_counter() - started, usage.ru_maxrss // 1024, out


def worker(corpus: str, store: str) -> None:
    """In a new process: the lexical index both ways, then ask() p50; print JSON."""
    import resource
    from dataclasses import replace

    from rag import QA, Settings
    from rag.eval_questions import load_questions
    from rag.index import Index

    qa = QA(Settings(corpus_dir=corpus, store_dir=store), progress=False)
    store_ = qa.index.store
    started = time.perf_counter()
    Index.of(replace(store_, terms=None))
    tokenized = time.perf_counter() - started
    started = time.perf_counter()
    Index.of(store_)
    loaded = time.perf_counter() - started
    questions = [q.question for q in load_questions(split="all") if not q.history][:30]
    qa.ask(questions[0])
    times = []
    for q in questions:
        started = time.perf_counter()
        qa.ask(q)
        times.append(time.perf_counter() - started)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    print(
        json.dumps(
            {
                "p50_ms": 1000 * statistics.median(times),
                "index_tokenized_s": tokenized,
                "index_loaded_s": loaded,
                "rss_mb": peak,
            }
        )
    )


def measure(size: int, root: Path) -> dict:
    corpus = default_corpus_dir() if size == 42 else generate(size, root / f"corpus-{size}")
    store = root / f"store-{size}"
    where = ["--corpus", str(corpus), "--store", str(store)]
    build_s, build_rss, _ = run([sys.executable, "-m", "rag.cli", "build", *where])
    startup_s, _, _ = run([sys.executable, "-m", "rag.cli", "ask", QUESTION, *where])
    _, _, out = run([sys.executable, __file__, "--worker", str(corpus), str(store)])
    return {"size": size, "build_s": build_s, "build_rss_mb": build_rss,
            "startup_s": startup_s, **json.loads(out)}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="42,1000", help="comma-separated abstract counts")
    parser.add_argument("--worker", nargs=2, metavar=("CORPUS", "STORE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(*args.worker)
        return
    print(
        "| abstracts | cold build | build peak RSS | start-up (first answer, new process) "
        "| lexical index at start: tokenized / loaded | ask() p50 | serving peak RSS |"
    )
    print("|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        for size in (int(s) for s in args.sizes.split(",")):
            r = measure(size, Path(tmp))
            print(
                f"| {size:,} | {r['build_s']:.0f} s | {r['build_rss_mb']} MB "
                f"| {r['startup_s']:.1f} s | {r['index_tokenized_s']:.2f} s / "
                f"{r['index_loaded_s']:.2f} s | {r['p50_ms']:.1f} ms | {r['rss_mb']} MB |",
                flush=True,
            )


if __name__ == "__main__":
    main()
