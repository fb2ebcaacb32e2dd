"""Store lifecycle on disk, with real `rag build` processes: killed builds, two builds at once."""

import gc
import os
import signal
import subprocess
import sys
import time

import pytest

from rag import QA, Settings
from rag.corpus import load_corpus
from rag.store import build_store
from rag.store_layout import PREFIX, current_generation, write_lock

CMT = "What NDS does the Cross Modal Transformer reach on nuScenes?"


def start_build(store, log, *extra):
    """`rag build --store STORE` as a user runs it, its output going to `log`."""
    env = {k: v for k, v in os.environ.items() if k != "RAG_STORE_DIR"}
    with open(log, "w") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "rag.cli", "build", "--store", str(store), *extra],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
        )


def wait_for(condition, timeout=120.0):
    """Poll `condition` every 20 ms; fail the test after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def generations(store):
    return sorted(p.name for p in store.iterdir() if p.name.startswith(PREFIX))


@pytest.fixture
def built(tmp_path, embedder, abstracts):
    """A complete store over the shipped corpus, built in this process."""
    settings = Settings(store_dir=tmp_path / "store")
    build_store(settings, abstracts, embedder, progress=False)
    return settings


def answers(settings, embedder):
    return "73.0% NDS" in QA(settings, embedder=embedder, progress=False).ask(CMT).text


def test_a_build_killed_at_any_moment_leaves_the_old_store_serving(built, tmp_path, embedder):
    store = built.store_dir
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
        process = start_build(store, log, "--force")
        wait_for(lambda: reached() or process.poll() is not None)  # noqa: B023 (called at once)
        assert process.poll() is None, f"the build ended before {moment}"
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
        assert current_generation(store) == serving, moment
        assert answers(built, embedder), moment
        gc.collect()  # that QA's pin on the serving generation goes with it

    result = start_build(store, log)  # nothing changed: a no-op that still clears the debris
    assert result.wait(timeout=120) == 0 and "up to date" in log.read_text()
    assert generations(store) == [serving.name]
    assert not list(store.glob("CURRENT.tmp-*"))

    result = start_build(store, log, "--force")
    assert result.wait(timeout=300) == 0, log.read_text()
    assert current_generation(store) != serving and generations(store) == [
        current_generation(store).name
    ]
    assert answers(built, embedder)


def test_two_builds_at_once_take_turns(tmp_path, embedder):
    store = tmp_path / "store"
    first = start_build(store, tmp_path / "first.log", "--force")
    second = start_build(store, tmp_path / "second.log", "--force")
    assert first.wait(timeout=300) == 0 and second.wait(timeout=300) == 0
    logs = [(tmp_path / f"{n}.log").read_text() for n in ("first", "second")]
    assert sum("waiting for it to finish" in log for log in logs) == 1, logs
    assert all("Built" in log for log in logs)
    assert generations(store) == [current_generation(store).name]
    assert answers(Settings(store_dir=store), embedder)


def test_a_reader_keeps_its_generation_until_it_lets_go(built, embedder, abstracts):
    reader = QA(built, embedder=embedder, progress=False)
    old = reader.store.generation
    report = build_store(built, abstracts, embedder, force=True, progress=False)
    assert report.rebuilt and current_generation(built.store_dir) != old
    assert old.is_dir(), "a pinned generation is not deleted"
    assert "73.0% NDS" in reader.ask(CMT).text  # still answering from the old generation

    del reader
    gc.collect()
    build_store(built, abstracts, embedder, force=True, progress=False)
    assert not old.exists() and len(generations(built.store_dir)) == 1


def test_the_write_lock_is_one_at_a_time(tmp_path):
    with write_lock(tmp_path) as first:
        with write_lock(tmp_path, wait=False) as second:
            assert first and not second


def test_debris_of_a_crashed_build_is_cleaned_by_the_next_build(built, embedder):
    store = built.store_dir
    (store / f"{PREFIX}20000101T000000-1-abcdef" / "chroma").mkdir(parents=True)
    (store / "CURRENT.tmp-1").write_text("junk")
    extra = load_corpus()[:5]
    build_store(built, extra, embedder, progress=False)
    assert generations(store) == [current_generation(store).name]
    assert not (store / "CURRENT.tmp-1").exists()
