"""Vectors saved by a build that did not finish: resumed by the next build, never trusted when
damaged. (A real `rag build` killed with SIGKILL is in test_store_layout.py.)"""

import numpy as np
import pytest
from langchain_core.embeddings import Embeddings

from rag import Settings
from rag import store_layout as layout
from rag.corpus import load_corpus
from rag.store import build_store, tidy, vector_key
from rag.store_embed import BATCH
from rag.store_resume import FOLDER, SavedVectors, text_key
from rag.store_vectors import read
from tests.conftest import write_small_corpus


class Stopped(Exception):
    """What stops the build here, as a kill or Ctrl-C would."""


class StoppingEmbeddings(Embeddings):
    """The real embedder, counting the texts it embeds, that stops the build after `batches`
    calls when given a number (a spy, not a fake: every vector is the real model's)."""

    def __init__(self, inner, batches=None):
        self.inner, self.batches, self.texts = inner, batches, 0

    def embed_documents(self, texts):
        if self.batches is not None:
            if self.batches == 0:
                raise Stopped
            self.batches -= 1
        self.texts += len(texts)
        return self.inner.embed_documents(texts)

    def embed_query(self, text):
        return self.inner.embed_query(text)


@pytest.fixture
def corpus(tmp_path):
    """Five abstracts of the shipped corpus: 60 texts, two batches."""
    return write_small_corpus(tmp_path / "corpus")


def saved_of(settings):
    return SavedVectors.of(settings, vector_key(settings))


def generation_vectors(settings):
    """rows.json, chunk vectors and sentence vectors of the generation served."""
    gen = layout.current_generation(settings.store.store_dir)
    manifest = layout.read_manifest(gen)
    return read(gen, manifest["chunks"], manifest["sentences"])


def stop_after_one_batch(settings, embedder):
    """A build of the five abstracts (60 texts, two batches) stopped after the first batch."""
    with pytest.raises(Stopped):
        stopping = StoppingEmbeddings(embedder, 1)
        build_store(settings, load_corpus(settings.store.corpus_dir), stopping, progress=False)
    assert layout.current_generation(settings.store.store_dir) is None, "nothing was served"


@pytest.fixture
def clean(small_settings, small_qa):
    """The vectors of a clean build of the same five abstracts (the session's small store)."""
    return generation_vectors(small_settings)


def assert_same_vectors(settings, clean):
    built = generation_vectors(settings)
    assert built[0] == clean[0], "the same rows"
    assert np.allclose(built[1], clean[1]) and np.allclose(built[2], clean[2])


def test_a_stopped_build_resumes_from_the_batch_it_saved(tmp_path, corpus, embedder, clean):
    settings = Settings(corpus_dir=corpus, store_dir=tmp_path / "store")
    stop_after_one_batch(settings, embedder)
    assert len(saved_of(settings).load()) == BATCH

    spy = StoppingEmbeddings(embedder)
    report = build_store(settings, load_corpus(corpus), spy, progress=False)
    # At least the batch: a sentence that is a whole chunk shares its text, so its vector.
    assert report.resumed >= BATCH
    assert (
        report.embedded
        == spy.texts - report.words - report.examples
        == report.chunks + report.sentences - report.resumed
    )
    assert not (settings.store.store_dir / FOLDER).exists(), "deleted once swapped in"
    assert_same_vectors(settings, clean)


def test_a_saved_file_cut_mid_record_is_read_to_its_last_whole_record(
    tmp_path, corpus, embedder, clean
):
    """A kill in the middle of a write leaves part of a record at the end of the file."""
    settings = Settings(corpus_dir=corpus, store_dir=tmp_path / "store")
    stop_after_one_batch(settings, embedder)
    path = saved_of(settings).path
    path.write_bytes(path.read_bytes()[:-10])  # the last record loses the end of its checksum
    assert len(saved_of(settings).load()) == BATCH - 1

    report = build_store(settings, load_corpus(corpus), embedder, progress=False)
    assert report.resumed >= BATCH - 1
    assert report.embedded == report.chunks + report.sentences - report.resumed
    assert_same_vectors(settings, clean)


def test_saved_vectors_survive_the_cleanup_of_killed_builds(tmp_path, corpus, embedder):
    """Cleanup deletes what killed builds leave; their saved vectors are the point of them."""
    settings = Settings(corpus_dir=corpus, store_dir=tmp_path / "store")
    stop_after_one_batch(settings, embedder)
    tidy(settings)
    layout.cleanup(settings.store.store_dir)
    assert len(saved_of(settings).load()) == BATCH


def test_force_re_embeds_what_a_stopped_build_saved(tmp_path, corpus, embedder):
    settings = Settings(corpus_dir=corpus, store_dir=tmp_path / "store")
    stop_after_one_batch(settings, embedder)
    report = build_store(settings, load_corpus(corpus), embedder, force=True, progress=False)
    assert report.resumed == 0 and report.embedded == report.chunks + report.sentences


def test_other_settings_do_not_see_the_saved_vectors(tmp_path, corpus, embedder):
    settings = Settings(corpus_dir=corpus, store_dir=tmp_path / "store")
    stop_after_one_batch(settings, embedder)
    assert saved_of(settings.replace(chunk_tokens=80)).load() == {}
    assert saved_of(settings.replace(chroma_url="http://127.0.0.1:1")).load() == {}


def vectors(n, dim=8, seed=0):
    return np.random.default_rng(seed).standard_normal((n, dim)).astype(np.float32)


def test_a_damaged_record_is_dropped_with_everything_after_it(tmp_path):
    """Worked example: five records saved; record 2 gets a flipped bit. Records 0 and 1 are
    read back exactly; 2 fails its checksum, and 3 and 4 go with it (the file is read as a
    sound prefix). The next save cuts the file after record 1 and appends, so then records
    0, 1 and the two new ones are there."""
    saved = SavedVectors(tmp_path / "saved")
    texts, vs = [f"text {n}" for n in range(5)], vectors(5)
    saved.save(texts, vs)
    saved.close()
    data = bytearray(saved.path.read_bytes())
    record = (len(data) - 12) // 5  # after the 12-byte header
    data[12 + 2 * record + 40] ^= 0x01
    saved.path.write_bytes(bytes(data))

    again = SavedVectors(tmp_path / "saved")
    loaded = again.load()
    assert set(loaded) == {text_key("text 0"), text_key("text 1")}
    assert np.array_equal(loaded[text_key("text 1")], vs[1])

    again.save(["new 0", "new 1"], vectors(2, seed=1))
    again.close()
    assert set(SavedVectors(tmp_path / "saved").load()) == {
        text_key(t) for t in ("text 0", "text 1", "new 0", "new 1")
    }


@pytest.mark.parametrize("content", [b"", b"RAGV", b"not ours at all, and long enough"])
def test_a_file_without_a_sound_header_is_started_afresh(tmp_path, content):
    folder = tmp_path / "saved"
    folder.mkdir()
    saved = SavedVectors(folder)
    saved.path.write_bytes(content)
    assert saved.load() == {}
    saved.save(["a"], vectors(1))
    saved.close()
    assert list(SavedVectors(folder).load()) == [text_key("a")]


def test_discard_removes_the_folder_and_the_parents_made_for_it(tmp_path):
    store_dir = tmp_path / "store"
    saved = SavedVectors.of(Settings(store_dir=store_dir, chroma_url="http://127.0.0.1:1"), "k")
    saved.save(["a"], vectors(1))
    assert saved.path.is_file() and saved.path.is_relative_to(store_dir / FOLDER)
    saved.discard()
    assert not store_dir.exists(), "server mode leaves no local folder behind"
