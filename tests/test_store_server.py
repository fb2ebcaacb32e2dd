"""Server mode (RAG_CHROMA_URL): a real `chroma run` on loopback holds every generation."""

import logging
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from rag import QA, Settings, StoreError, english
from rag.corpus import default_corpus_dir, load_corpus
from rag.scope import check
from rag.store import build_store, open_store
from rag.store_server import META, PREFIX, connect, current
from rag.store_server_lock import LOCK, ServerLock, hold
from tests.net import free_port
from tests.polling import wait_for

pytestmark = pytest.mark.slow

FORMATS = Path(__file__).parent / "data" / "formats"
QUESTION, FACT = "What does RELIANT mitigate?", "bias exhibited by the student model"


class ChromaServer:
    """`chroma run` on 127.0.0.1 at a free port, over a data folder that outlives restarts."""

    def __init__(self, path: Path):
        self.path = path
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = None

    def start(self) -> None:
        chroma = Path(sys.executable).with_name("chroma")
        if not chroma.exists():
            pytest.skip("the chroma command (from the chromadb package) is not installed")
        env = {**os.environ, "ANONYMIZED_TELEMETRY": "False"}
        self.process = subprocess.Popen(
            [chroma, "run", "--path", self.path, "--host", "127.0.0.1", "--port", str(self.port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=env,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.skip(f"chroma run exited with {self.process.returncode}")
            try:
                connect(self.url)
                return
            except StoreError:
                time.sleep(0.2)
        self.stop()
        pytest.skip("chroma run did not answer within 30 s")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


@pytest.fixture
def server(tmp_path):
    """A server of each test's own (it starts in about a second)."""
    chroma = ChromaServer(tmp_path / "chroma-data")
    chroma.start()
    yield chroma
    chroma.stop()


@pytest.fixture
def settings(server, tmp_path):
    """The first three abstracts of the shipped corpus, stored in the server; a store_dir
    that must stay absent."""
    folder = tmp_path / "corpus"
    folder.mkdir()
    lines = (default_corpus_dir() / "000_db84be102c6e026b.txt").read_text("utf-8").splitlines()
    (folder / "three.txt").write_text("\n".join(lines[:6]) + "\n", encoding="utf-8")
    return Settings(corpus_dir=folder, store_dir=tmp_path / "store", chroma_url=server.url)


def generations(url):
    names = {c.name for c in connect(url).list_collections()}
    return sorted({n[len(PREFIX) :].rsplit("-", 1)[0] for n in names if n != META})


def test_a_build_writes_the_server_and_readers_answer_from_it(settings, embedder):
    report = build_store(settings, load_corpus(settings.store.corpus_dir), embedder, progress=False)
    assert report.rebuilt and report.embedded == report.chunks + report.sentences
    qa = QA(settings, embedder=embedder, progress=False)
    assert FACT in qa.ask(QUESTION).text
    assert not settings.store.store_dir.exists(), "no local files in server mode"
    assert qa.index.generation is None and generations(settings.store.chroma_url) == [
        current(connect(settings.store.chroma_url))
    ]


def test_a_swap_keeps_the_replaced_generation_and_removes_older_ones(settings, embedder):
    url, abstracts = settings.store.chroma_url, load_corpus(settings.store.corpus_dir)
    build_store(settings, abstracts, embedder, progress=False)
    reader = QA(settings, embedder=embedder, progress=False)
    first = current(connect(url))

    (settings.store.corpus_dir / "new.txt").write_text(
        "We present TinyNet. It reaches 91.5% accuracy on CIFAR-10.\n", "utf-8"
    )
    changed = load_corpus(settings.store.corpus_dir)
    second = build_store(settings, changed, embedder, progress=False)
    assert second.embedded == 3, "the unchanged abstracts' vectors come from the server"
    assert first in generations(url), "a reader may still be searching the replaced one"
    answer = reader.ask("What accuracy does TinyNet reach?")  # it moves to the new one
    assert "91.5%" in answer.text

    build_store(settings, changed, embedder, force=True, progress=False)
    assert first not in generations(url) and len(generations(url)) == 2


def test_the_store_survives_a_server_restart(settings, server, embedder):
    build_store(settings, load_corpus(settings.store.corpus_dir), embedder, progress=False)
    served = current(connect(server.url))
    server.stop()
    with pytest.raises(StoreError, match="Cannot reach the Chroma server.*chroma run"):
        open_store(settings, embedder)
    server.start()
    assert current(connect(server.url)) == served
    assert FACT in QA(settings, embedder=embedder, progress=False).ask(QUESTION).text


def test_rag_build_and_ask_take_the_server_from_the_command_line(settings, tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "RAG_STORE_DIR"}
    where = ["--corpus", str(settings.store.corpus_dir), "--chroma-url", settings.store.chroma_url]

    def rag(*args):
        return subprocess.run(
            [sys.executable, "-m", "rag.cli", *args, *where],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            env=env,
            timeout=300,
        )

    built = rag("build")
    assert built.returncode == 0 and settings.store.chroma_url in built.stdout, built.stderr
    asked = rag("ask", QUESTION)
    assert asked.returncode == 0 and FACT in asked.stdout, asked.stderr
    assert not (tmp_path / "store").exists()


def test_readers_open_what_the_server_serves_and_never_build_it(settings, embedder):
    with pytest.raises(StoreError, match="No store in the Chroma server.*rag build"):
        QA(settings, embedder=embedder, progress=False)
    build_store(settings, load_corpus(settings.store.corpus_dir), embedder, progress=False)
    served = current(connect(settings.store.chroma_url))
    elsewhere = settings.replace(corpus_dir=None)  # an app machine without that corpus
    assert FACT in QA(elsewhere, embedder=embedder, progress=False).ask(QUESTION).text
    assert current(connect(settings.store.chroma_url)) == served


def test_a_scope_is_a_where_filter_in_the_server(server, tmp_path, embedder):
    """Server mode keeps the chunk metadata in Chroma and filters there, before the
    nearest are picked."""
    folder = tmp_path / "corpus"
    folder.mkdir()
    for name in ("refs.bib", "library.ris"):
        shutil.copy(FORMATS / name, folder)
    settings = Settings(corpus_dir=folder, store_dir=tmp_path / "store", chroma_url=server.url)
    build_store(settings, load_corpus(folder), embedder, progress=False)
    store = open_store(settings, embedder)
    vector = embedder.embed_query("What NDS does CMT reach on nuScenes?")
    years = {a.id: a.year for a in store.abstracts.values()}
    assert 2022 in years.values() and 2023 in years.values()
    found = [store.search(vector, 1, lang, check({"year": 2022})) for lang in ("en", "zh")]
    assert any(found) and all(years[aid] == 2022 for f in found for aid, _ in f)
    cmt = [a.id for a in store.abstracts.values() if "Müller, Jörg" in a.authors]
    by_muller = store.search(vector, 50, "en", check({"authors": "Muller"}))
    assert cmt and {aid for aid, _ in by_muller} == set(cmt)


def start_rag(settings, log, *args):
    """A `rag` command on the settings' corpus and server, output to `log`."""
    env = {k: v for k, v in os.environ.items() if k != "RAG_STORE_DIR"}
    where = ["--corpus", str(settings.store.corpus_dir), "--chroma-url", settings.store.chroma_url]
    with open(log, "w") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "rag.cli", *args, *where],
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=settings.store.store_dir.parent,
            env=env,
        )


def locked(url):
    return LOCK in {c.name for c in connect(url).list_collections()}


def test_a_second_build_waits_while_another_holds_the_server_lock(settings, tmp_path):
    url, log = settings.store.chroma_url, tmp_path / "build.log"
    with hold(url, timeout=60):
        build = start_rag(settings, log, "build")
        wait_for(lambda: "waiting for it to finish" in log.read_text() or build.poll() is not None)
        assert build.poll() is None, log.read_text()
        assert "Another build" in log.read_text() and url in log.read_text()
        assert current(connect(url)) is None, "nothing is written while it waits"
    assert build.wait(timeout=300) == 0, log.read_text()
    assert "Built" in log.read_text() and current(connect(url)) is not None
    assert not locked(url), "released when done"


def test_the_lock_of_a_killed_build_is_taken_over(settings, tmp_path, embedder, caplog):
    url = settings.store.chroma_url
    killed = start_rag(settings, tmp_path / "killed.log", "build")
    wait_for(lambda: locked(url) or killed.poll() is not None)
    assert killed.poll() is None, (tmp_path / "killed.log").read_text()
    killed.send_signal(signal.SIGKILL)
    killed.wait(timeout=30)
    assert locked(url), "a killed build leaves its lock behind"

    impatient = settings.replace(chroma_lock_timeout=2)
    with caplog.at_level(logging.WARNING, logger="rag.store_server_lock"):
        report = build_store(impatient, load_corpus(settings.store.corpus_dir), embedder)
    assert (
        report.rebuilt and "no heartbeat" in caplog.text and "Taking the lock over" in caplog.text
    )
    assert not locked(url)
    assert FACT in QA(settings, embedder=embedder, progress=False).ask(QUESTION).text


def test_a_holder_that_lost_the_lock_finds_out_before_it_swaps(server):
    """A holder stalled past the timeout (here: one that beats every 100 s, against a
    waiter that waits 1 s) is taken over; it finds out before it would swap, and releasing
    its lock leaves the new holder's alone."""
    stalled = ServerLock(server.url, timeout=600)
    stalled.acquire()
    taker = ServerLock(server.url, timeout=1)
    taker.acquire()
    with pytest.raises(StoreError, match="lost its lock.*run `rag build` again"):
        stalled.confirm()
    stalled.release()
    taker.confirm()
    assert locked(server.url)
    taker.release()
    assert not locked(server.url)


def test_the_bridge_and_english_vectors_are_stored_in_the_server_and_reused(settings, embedder):
    abstracts = load_corpus(settings.store.corpus_dir)
    first = build_store(settings, abstracts, embedder, progress=False)
    table = open_store(settings, embedder).bridge
    assert table is not None and all(len(table.words[lang]) > 10 for lang in ("en", "zh"))
    assert first.words == len(table.words["en"]) + len(table.words["zh"])
    assert table.vectors["zh"].shape == (len(table.words["zh"]), 384)
    qa = QA(settings, embedder=embedder, progress=False)
    assert qa.retriever.bridge.table is qa.index.store.bridge, "read, not embedded again"
    store = open_store(settings, embedder)  # the English model's vectors, read back
    own = english.own_chunks(store.chunks, store.abstracts)
    assert store.english is not None and store.english.shape == (len(own), 384)
    assert first.english == len(own) and qa.retriever.english.vectors is not None

    (settings.store.corpus_dir / "new.txt").write_text(
        "We present TinyNet. It reaches 91.5% accuracy on CIFAR-10.\n", "utf-8"
    )
    second = build_store(settings, load_corpus(settings.store.corpus_dir), embedder, progress=False)
    # Only the words the three abstracts lacked: present, tinynet, reache, accuracy, cifar.
    assert 1 <= second.words <= 5 < first.words, "the server's word vectors are reused"
    assert second.english == 1 < first.english, "the server's English vectors are reused"
