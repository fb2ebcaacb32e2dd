"""The store: built once, reopened and reused without re-embedding, rebuilt on change."""

import hashlib
import json
import shutil

import pytest
from langchain_core.embeddings import Embeddings

from rag import QA, Settings, StoreError, background
from rag.corpus import load_corpus
from rag.store import build_store, is_current, open_store
from rag.store_chroma import local
from rag.store_layout import current_generation
from tests.conftest import write_small_corpus

RELIANT = "What does RELIANT mitigate?"


def file_hashes(folder):
    """Relative path -> SHA-1 of every file under `folder`."""
    return {
        str(p.relative_to(folder)): hashlib.sha1(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


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
    """Five abstracts of the shipped corpus, RELIANT among them (see conftest.SMALL)."""
    return write_small_corpus(tmp_path / "corpus")


def test_store_is_built_then_reopened_without_re_embedding(tmp_path, small_corpus, embedder):
    settings = Settings(corpus_dir=small_corpus, store_dir=tmp_path / "store")
    spy = CountingEmbeddings(embedder)
    abstracts = load_corpus(small_corpus)

    first = build_store(settings, abstracts, spy, progress=False)
    assert first.words > 100, "the corpus's words, for the bilingual bridge"
    assert first.examples == sum(len(background.texts(name)) for name in background.SETS)
    embedded = first.chunks + first.sentences + first.words + first.examples
    assert first.rebuilt and spy.texts == embedded

    again = build_store(settings, abstracts, spy, progress=False)
    assert not again.rebuilt and spy.texts == embedded

    qa = QA(settings, embedder=spy, progress=False)  # opening embeds nothing either
    assert spy.texts == embedded
    assert qa.retriever.bridge.table is qa.index.store.bridge, "the saved bridge is used"
    assert len(qa.index.store.abstracts) == len(abstracts)
    assert len(qa.index.store.chunks) == first.chunks


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
    assert report.rebuilt and spy.texts == 2 * (
        report.chunks + report.sentences + report.words + report.examples
    )


def test_store_uses_cosine_space_and_keeps_chunk_provenance(shared_settings, qa, tmp_path):
    # A copy: opening a chroma/ folder writes to it, and readers never do (see test below)
    copy = shutil.copytree(qa.index.store.generation / "chroma", tmp_path / "gen" / "chroma")
    with local(copy.parent) as db:
        collection = db.get_collection("chunks")
        assert collection.configuration["hnsw"]["space"] == "cosine"
        meta = collection.get(limit=1, include=["metadatas"])["metadatas"][0]
        assert {"abstract_id", "start", "end", "tokens"} <= set(meta)
        assert collection.count() == len(qa.index.store.chunks)


def test_opening_and_asking_leave_every_file_of_the_generation_unchanged(tiny, embedder):
    before = file_hashes(current_generation(tiny.store.store_dir))
    qa = QA(tiny, embedder=embedder, progress=False)
    assert "bias exhibited by the student model" in qa.ask(RELIANT).text
    assert file_hashes(current_generation(tiny.store.store_dir)) == before


def test_exact_vector_search_ranks_like_chroma(tiny, embedder, tmp_path):
    """The readers' numpy search returns the same chunks, in order, as Chroma's query."""
    store = open_store(tiny, embedder)
    copy = shutil.copytree(store.generation / "chroma", tmp_path / "gen" / "chroma")
    vector = embedder.embed_query("query: knowledge distillation bias")
    with local(copy.parent) as db:
        got = db.get_collection("chunks").query(
            query_embeddings=[vector], n_results=5, where={"language": "en"}
        )
    ours = store.search(vector, 5, "en")
    assert [aid for aid, _ in ours] == [m["abstract_id"] for m in got["metadatas"][0]]
    assert [round(c, 4) for _, c in ours] == [round(1 - d, 4) for d in got["distances"][0]]


def test_manifest_records_model_and_every_location(shared_settings, qa):
    manifest = json.loads((qa.index.store.generation / "manifest.json").read_text("utf-8"))
    assert manifest["embedding_model"] == "e5-int8"
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
    with pytest.raises(StoreError, match="built with 'e5-int8'.*rag build"):
        open_store(other, embedder)


def test_only_new_or_changed_abstracts_are_embedded(tmp_path, small_corpus, embedder):
    settings = Settings(corpus_dir=small_corpus, store_dir=tmp_path / "store")
    spy = CountingEmbeddings(embedder)
    first = build_store(settings, load_corpus(small_corpus), spy, progress=False)
    assert (
        first.embedded == first.chunks + first.sentences == spy.texts - first.words - first.examples
    )

    (small_corpus / "extra.txt").write_text(
        "We present TinyNet. It reaches 91.5% accuracy on CIFAR-10.\n", "utf-8"
    )
    spy.texts = 0
    second = build_store(settings, load_corpus(small_corpus), spy, progress=False)
    assert second.rebuilt and second.embedded == 3  # 1 chunk + 2 sentences
    assert 1 <= second.words <= 3 and spy.texts == 3 + second.words, "only new words (tinynet)"
    assert second.examples == 0, "the background questions' vectors are reused"
    qa = QA(settings, embedder=embedder, progress=False)
    answer = qa.ask("What accuracy does TinyNet reach?")
    assert "91.5%" in answer.text and answer.sources[0].file == "extra.txt"


def _truncate_vectors(gen):
    npy = gen / "chunks.npy"
    npy.write_bytes(npy.read_bytes()[: npy.stat().st_size // 3])


def _drop_manifest(gen):
    (gen / "manifest.json").unlink()


def _drop_generation(gen):
    shutil.rmtree(gen)


def _garble_manifest(gen):
    (gen / "manifest.json").write_text("{not json", "utf-8")


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (_truncate_vectors, "damaged .*rag build --force"),
        (_drop_manifest, "no manifest.*rag build --force"),
        (_drop_generation, "points at .*deleted or damaged.*rag build --force"),
        (_garble_manifest, "unreadable.*rag build --force"),
    ],
)
def test_a_damaged_store_is_refused_with_a_remedy_then_rebuilt_on_first_use(
    tiny, embedder, damage, message
):
    damage(current_generation(tiny.store.store_dir))
    with pytest.raises(StoreError, match=message):
        open_store(tiny, embedder)
    qa = QA(tiny, embedder=embedder, progress=False)  # the first ask() rebuilds it beside
    assert "bias exhibited by the student model" in qa.ask(RELIANT).text


def test_a_store_in_the_older_flat_layout_is_named_then_replaced(tiny, embedder):
    legacy = Settings(
        corpus_dir=tiny.store.corpus_dir, store_dir=tiny.store.store_dir.parent / "old"
    )
    (legacy.store.store_dir / "chroma").mkdir(parents=True)
    (legacy.store.store_dir / "manifest.json").write_text('{"schema": 1}', "utf-8")
    with pytest.raises(StoreError, match="older version.*rag build"):
        open_store(legacy, embedder)
    assert not is_current(legacy, load_corpus(tiny.store.corpus_dir))
    build_store(legacy, load_corpus(tiny.store.corpus_dir), embedder, progress=False)
    assert not (legacy.store.store_dir / "chroma").exists()
    assert not (legacy.store.store_dir / "manifest.json").exists()
    assert len(open_store(legacy, embedder).abstracts) == 3
