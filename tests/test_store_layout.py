"""Store lifecycle on disk, with real `rag` processes: killed builds, two builds at once,
readers that never write."""

import gc
import hashlib
import os
import re
import shutil
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

from rag import QA, Settings
from rag.corpus import default_corpus_dir, load_corpus
from rag.store import build_store, vector_key
from rag.store_embed import BATCH
from rag.store_layout import PREFIX, current_generation, read_manifest, write_lock
from rag.store_resume import FOLDER, SavedVectors
from rag.store_vectors import read
from tests.net import free_port
from tests.polling import wait_for

QUESTION, FACT = "What does RELIANT mitigate?", "bias exhibited by the student model"


def start_build(settings, log, *extra):
    """`rag build` as a user runs it, on the settings' corpus and store, output to `log`."""
    env = {k: v for k, v in os.environ.items() if k != "RAG_STORE_DIR"}
    where = ["--corpus", str(settings.store.corpus_dir), "--store", str(settings.store.store_dir)]
    with open(log, "w") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "rag.cli", "build", *where, *extra],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
        )


def generations(store):
    return sorted(p.name for p in store.iterdir() if p.name.startswith(PREFIX))


@pytest.fixture
def small(tmp_path):
    """Settings over the first two files of the shipped corpus (a build of seconds)."""
    folder = tmp_path / "corpus"
    folder.mkdir()
    for name in sorted(p.name for p in default_corpus_dir().iterdir())[:2]:
        shutil.copy(default_corpus_dir() / name, folder / name)
    return Settings(corpus_dir=folder, store_dir=tmp_path / "store")


@pytest.fixture
def built(small, embedder):
    """A complete store over the small corpus, built in this process."""
    build_store(small, load_corpus(small.store.corpus_dir), embedder, progress=False)
    return small


def answers(settings, embedder):
    return FACT in QA(settings, embedder=embedder, progress=False).ask(QUESTION).text


def test_a_build_killed_at_any_moment_leaves_the_old_store_serving(built, tmp_path, embedder):
    store = built.store.store_dir
    serving = current_generation(store)
    log = tmp_path / "build.log"

    def new_generation_appears():
        return len(generations(store)) > 1

    moments = {
        "while starting": lambda: time.sleep(1.0) or True,
        "while embedding": lambda: "Embedding" in log.read_text(),
        "while writing the new generation": new_generation_appears,
    }
    for moment, reached in moments.items():
        process = start_build(built, log, "--force")
        wait_for(lambda: reached() or process.poll() is not None)  # noqa: B023 (called at once)
        assert process.poll() is None, f"the build ended before {moment}"
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
        assert current_generation(store) == serving, moment
        assert answers(built, embedder), moment
        gc.collect()  # that QA's pin on the serving generation goes with it

    result = start_build(built, log)  # nothing changed: a no-op that still clears the debris
    assert result.wait(timeout=120) == 0 and "up to date" in log.read_text()
    assert generations(store) == [serving.name]
    assert not list(store.glob("CURRENT.tmp-*"))


def test_a_killed_build_resumes_from_what_it_had_embedded(tmp_path, embedder):
    """Issue 11: a store of one file serves; two more files make a build of six batches,
    killed with SIGKILL once two are saved. The old store still serves; the next build
    embeds only what was not saved, and its vectors are a clean build's."""
    names = sorted(p.name for p in default_corpus_dir().iterdir())
    folder, first = tmp_path / "corpus", tmp_path / "first"
    for f in (folder, first):
        f.mkdir()
        shutil.copy(default_corpus_dir() / names[0], f)
    settings = Settings(corpus_dir=folder, store_dir=tmp_path / "store")
    build_store(settings, load_corpus(folder), embedder, progress=False)
    store, serving = settings.store.store_dir, current_generation(settings.store.store_dir)
    for name in names[1:3]:
        shutil.copy(default_corpus_dir() / name, folder)

    saved = SavedVectors.of(settings, vector_key(settings))
    killed = start_build(settings, tmp_path / "killed.log")
    wait_for(lambda: len(saved.load()) >= 2 * BATCH or killed.poll() is not None)
    assert killed.poll() is None, "the build ended before it was killed"
    killed.send_signal(signal.SIGKILL)
    killed.wait(timeout=30)
    assert current_generation(store) == serving
    assert answers(settings.replace(corpus_dir=first), embedder), "what it serves is current"
    assert current_generation(store) == serving
    gc.collect()  # that QA's pin on the serving generation goes with it

    log = tmp_path / "resumed.log"
    assert start_build(settings, log).wait(timeout=600) == 0, log.read_text()
    counts = re.search(r"(\d+) of (\d+) texts embedded, (\d+) resumed", log.read_text())
    assert counts, log.read_text()
    embedded, total, resumed = map(int, counts.groups())
    assert resumed >= 2 * BATCH and embedded + resumed < total  # the first file's are reused
    assert current_generation(store) != serving and not (store / FOLDER).exists()

    clean = settings.replace(store_dir=tmp_path / "clean")
    build_store(clean, load_corpus(folder), embedder, progress=False)
    ours, theirs = (vectors_of(current_generation(s.store.store_dir)) for s in (settings, clean))
    assert ours[0] == theirs[0], "the same rows"
    assert np.allclose(ours[1], theirs[1]) and np.allclose(ours[2], theirs[2])


def vectors_of(gen):
    """rows.json, chunk vectors and sentence vectors of a generation."""
    manifest = read_manifest(gen)
    return read(gen, manifest["chunks"], manifest["sentences"])


def test_two_builds_at_once_take_turns(small, tmp_path, embedder):
    first = start_build(small, tmp_path / "first.log", "--force")
    second = start_build(small, tmp_path / "second.log", "--force")
    assert first.wait(timeout=300) == 0 and second.wait(timeout=300) == 0
    logs = [(tmp_path / f"{n}.log").read_text() for n in ("first", "second")]
    assert sum("waiting for it to finish" in log for log in logs) == 1, logs
    assert all("Built" in log for log in logs)
    assert generations(small.store.store_dir) == [current_generation(small.store.store_dir).name]
    assert answers(small, embedder)


def test_a_reader_keeps_its_generation_until_it_moves_to_the_new_one(tiny, embedder):
    abstracts = load_corpus(tiny.store.corpus_dir)
    reader = QA(tiny, embedder=embedder, progress=False)
    old = reader.index.generation
    report = build_store(tiny, abstracts, embedder, force=True, progress=False)
    new = current_generation(tiny.store.store_dir)
    assert report.rebuilt and new != old
    assert old.is_dir(), "a pinned generation is not deleted"
    assert FACT in reader.ask(QUESTION).text  # the next question is answered from the new one
    assert reader.index.generation == new

    gc.collect()  # the old Index is gone, and with it the pin
    build_store(tiny, abstracts, embedder, force=True, progress=False)
    assert not old.exists(), "a generation no reader pins is deleted"
    assert new.exists() and len(generations(tiny.store.store_dir)) == 2, "the reader pins new"


def test_the_write_lock_is_one_at_a_time(tmp_path):
    with write_lock(tmp_path) as first:
        with write_lock(tmp_path, wait=False) as second:
            assert first and not second


def test_debris_of_a_crashed_build_is_cleaned_by_the_next_build(tiny, embedder):
    store = tiny.store.store_dir
    (store / f"{PREFIX}20000101T000000-1-abcdef" / "chroma").mkdir(parents=True)
    (store / "CURRENT.tmp-1").write_text("junk")
    build_store(tiny, load_corpus(tiny.store.corpus_dir)[:3], embedder, progress=False)
    assert generations(store) == [current_generation(store).name]
    assert not (store / "CURRENT.tmp-1").exists()


def file_hashes(folder):
    """Relative path -> SHA-1 of every file under `folder`."""
    return {
        str(p.relative_to(folder)): hashlib.sha1(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def rag_process(settings, log, *args):
    """A `rag` command on the settings' corpus and store, output to `log`."""
    env = {k: v for k, v in os.environ.items() if k != "RAG_STORE_DIR"}
    where = ["--corpus", str(settings.store.corpus_dir), "--store", str(settings.store.store_dir)]
    with open(log, "w") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "rag.cli", *args, *where],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
        )


def test_readers_leave_the_served_generation_byte_identical_while_a_build_runs(built, tmp_path):
    """Issue 11: `rag ui`, two `rag ask` and a `rag build --force` at once; only the build
    writes, and only its own new generation. The build starts once the ui has opened the
    store: started together, a build that finishes first (the machine busy) rightly prunes
    the old generation before any reader has pinned it, and there is nothing to compare."""
    from gradio_client import Client

    store = built.store.store_dir
    served = current_generation(store)
    before = file_hashes(served)
    port = free_port()
    ui = rag_process(built, tmp_path / "ui.log", "ui", "--port", str(port))
    try:
        wait_for(lambda: "The chat is at" in (tmp_path / "ui.log").read_text() or ui.poll())
        asks = [rag_process(built, tmp_path / f"ask{n}.log", "ask", QUESTION) for n in (1, 2)]
        build = start_build(built, tmp_path / "build.log", "--force")
        chat = Client(f"http://127.0.0.1:{port}/", verbose=False)
        assert FACT in chat.predict(QUESTION, api_name="/chat")
        assert [p.wait(timeout=300) for p in (*asks, build)] == [0, 0, 0]
        for n in (1, 2):
            assert FACT in (tmp_path / f"ask{n}.log").read_text()
        new = current_generation(store)
        assert new != served and served.is_dir(), "the ui still pins the old generation"
        assert file_hashes(served) == before, "a reader wrote to the generation it served"

        built_new = file_hashes(new)
        assert FACT in chat.predict(QUESTION, api_name="/chat")  # the ui moves to the new one
        assert file_hashes(new) == built_new, "a reader wrote to the new generation"
    finally:
        ui.terminate()
        ui.wait(timeout=30)
