"""The `rag` command, run as a user runs it: a real process, real store, real output."""

import os
import signal
import socket
import subprocess
import sys
import time

import pytest

from tests.net import free_port

CMT = "What NDS does the Cross Modal Transformer reach on nuScenes?"


def rag(*args, cwd, input_text=None, env_extra=None):
    env = {**os.environ, **(env_extra or {})}
    env.pop("RAG_STORE_DIR", None)  # the CLI's own default (./store) or --store decides
    return subprocess.run(
        [sys.executable, "-m", "rag.cli", *args],
        cwd=cwd,
        input=input_text,
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """A working folder whose ./store was built by `rag build`."""
    cwd = tmp_path_factory.mktemp("cli")
    result = rag("build", cwd=cwd)
    assert result.returncode == 0, result.stderr
    return cwd, result


def test_build_creates_store_in_working_directory_with_progress(built):
    cwd, result = built
    assert (cwd / "store" / "CURRENT").exists()
    assert "Built store: 42 abstracts" in result.stdout
    assert "Embedding" in result.stderr  # the progress bar


def test_second_build_is_a_no_op(built):
    cwd, _ = built
    result = rag("build", cwd=cwd)
    assert result.returncode == 0 and "up to date" in result.stdout


def test_ask_prints_answer_and_numbered_sources_with_file_and_line(built):
    cwd, _ = built
    result = rag("ask", CMT, cwd=cwd)
    assert result.returncode == 0, result.stderr
    assert "73.0% NDS on nuScenes benchmark. [1]" in result.stdout
    assert "[1] 004_ab19003648141882.txt:9" in result.stdout


def test_ask_with_nothing_found_says_so(built):
    cwd, _ = built
    result = rag("ask", "What is the capital of France?", cwd=cwd)
    assert result.returncode == 0
    assert "could not find" in result.stdout and "Sources" not in result.stdout


def test_chat_keeps_the_conversation(built):
    cwd, _ = built
    result = rag("chat", cwd=cwd, input_text=f"{CMT}\nIs it robust without LiDAR?\n")
    assert result.returncode == 0, result.stderr
    assert "73.0% NDS" in result.stdout and "LiDAR is missing" in result.stdout


def test_a_stray_enter_does_not_end_the_chat_and_quit_does(built):
    """Issue 12, item 10."""
    cwd, _ = built
    script = f"\n{CMT}\n\n  \nIs it robust without LiDAR?\n/quit\nWhat is LGD?\n"
    result = rag("chat", cwd=cwd, input_text=script)
    assert result.returncode == 0, result.stderr
    assert "73.0% NDS" in result.stdout and "LiDAR is missing" in result.stdout
    assert "LGD" not in result.stdout  # nothing after /quit is asked


def test_the_source_preview_shows_the_cited_sentence(built):
    """Issue 12, item 10: not the abstract's first characters."""
    cwd, _ = built
    result = rag("ask", "How much does LGD improve RetinaNet on COCO?", cwd=cwd)
    assert result.returncode == 0, result.stderr
    answer, sources = result.stdout.split("Sources:")
    preview = sources.splitlines()[2].strip()
    assert "39.0%" in preview and preview.rstrip(".") in answer


def test_a_store_path_that_does_not_exist_is_an_error_not_a_new_build(tmp_path):
    """Issue 12, item 11."""
    typo = tmp_path / "stroe"
    result = rag("ask", CMT, "--store", str(typo), cwd=tmp_path)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert f"No store at {typo}" in result.stderr and "rag build --store" in result.stderr
    assert not typo.exists()
    deep = tmp_path / "no" / "such" / "store"
    result = rag("build", "--store", str(deep), cwd=tmp_path)
    assert result.returncode == 1 and "does not exist" in result.stderr
    assert not (tmp_path / "no").exists()


def test_ui_on_a_taken_port_says_what_to_do_in_one_line(tmp_path):
    """Issue 12, items 3 and 8: GRADIO_SERVER_PORT is honoured; a missing answerer is named."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        env = {"GRADIO_SERVER_PORT": str(port), "RAG_LLM_MODEL_PATH": "/nonexistent.gguf"}
        result = rag("ui", "--answerer", "llamacpp", cwd=tmp_path, env_extra=env)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert "llamacpp answerer cannot run" in lines[0]
    assert lines[-1].startswith(f"Error: Port {port} is in use")
    assert f"rag ui --port {port + 1}" in lines[-1] and len(lines) == 2
    bad = rag("ui", "--port", "70000", cwd=tmp_path)
    assert bad.returncode == 1 and "not a port" in bad.stderr and "Traceback" not in bad.stderr
    host = rag("ui", "--host", "no-such-host.invalid", cwd=tmp_path)
    assert host.returncode == 1 and "--host 127.0.0.1" in host.stderr


def test_ui_says_what_it_does_serves_and_logs_each_request(built, tmp_path):
    """Issue 12, item 12: a line before the build, the address last, a log line per request."""
    from gradio_client import Client

    cwd, _ = built
    port = free_port()
    log = tmp_path / "ui.log"
    env = {k: v for k, v in os.environ.items() if k != "RAG_STORE_DIR"}
    with open(log, "w") as err:
        server = subprocess.Popen(
            [sys.executable, "-m", "rag.cli", "ui", "--port", str(port)],
            cwd=cwd,
            stderr=err,
            stdout=subprocess.DEVNULL,
            env=env,
        )
    try:
        deadline = time.monotonic() + 120
        while "The chat is at" not in log.read_text() and time.monotonic() < deadline:
            assert server.poll() is None, log.read_text()
            time.sleep(0.5)
        text = Client(f"http://127.0.0.1:{port}/", verbose=False).predict(CMT, api_name="/chat")
        assert "73.0% NDS" in text
        time.sleep(0.5)
    finally:
        server.terminate()
        server.wait(timeout=30)
    out = log.read_text()
    assert out.index("Checking the store") < out.index(f"The chat is at http://127.0.0.1:{port}/")
    assert "api answered in" in out and "share=True" not in out and "Traceback" not in out


def test_store_and_corpus_options_move_the_store_and_read_another_corpus(tmp_path):
    corpus = tmp_path / "papers"
    corpus.mkdir()
    (corpus / "one.txt").write_text(
        "We present TinyNet, which reaches 91.5% accuracy on CIFAR-10.\ntranslated by 谷歌翻译\n",
        encoding="utf-8",
    )
    where = ["--corpus", str(corpus), "--store", str(tmp_path / "elsewhere")]
    assert rag("build", *where, cwd=tmp_path).returncode == 0
    result = rag("ask", "What accuracy does TinyNet reach?", *where, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "91.5%" in result.stdout and "[1] one.txt:1" in result.stdout
    assert (tmp_path / "elsewhere" / "CURRENT").exists()
    assert not (tmp_path / "store").exists()


def test_errors_are_one_line_without_traceback(tmp_path):
    result = rag("ask", "anything?", "--corpus", str(tmp_path / "missing"), cwd=tmp_path)
    assert result.returncode == 1
    assert "Error: Corpus folder" in result.stderr and "Traceback" not in result.stderr
    empty = rag("ask", "  ", cwd=tmp_path)
    assert empty.returncode == 1 and "question is empty" in empty.stderr


@pytest.mark.parametrize("command", [[], ["build"], ["ask"], ["chat"], ["ui"]])
def test_every_command_explains_itself(command, tmp_path):
    result = rag(*command, "--help", cwd=tmp_path)
    assert result.returncode == 0 and "Usage:" in result.stdout
    assert len(result.stdout.splitlines()) > 5


def test_an_answerer_that_is_not_configured_falls_back_with_a_note(built):
    cwd, _ = built
    env = {"RAG_OPENAI_BASE_URL": "", "RAG_OPENAI_MODEL": ""}
    result = rag("ask", CMT, "--answerer", "openai", cwd=cwd, env_extra=env)
    assert result.returncode == 0, result.stderr
    assert "73.0% NDS" in result.stdout and "Traceback" not in result.stderr
    assert "Note: The openai model could not answer" in result.stdout
    assert "RAG_OPENAI_BASE_URL" in result.stdout or "[llm]" in result.stdout  # what to do


def test_a_bad_setting_names_its_variable_without_a_traceback(tmp_path):
    result = rag("ask", "What is CMT?", cwd=tmp_path, env_extra={"RAG_ANSWERER": "bogus"})
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "Bad setting: RAG_ANSWERER: Input should be 'extractive'" in result.stderr


def test_chat_recalls_the_last_question_with_the_up_arrow(built):
    """Issue 12, item 10: readline line editing, in a real terminal (a pty)."""
    import pty
    import select

    cwd, _ = built
    env = {k: v for k, v in os.environ.items() if k != "RAG_STORE_DIR"}
    pid, fd = pty.fork()
    if pid == 0:  # the child: `rag chat` on the terminal
        os.chdir(cwd)
        os.execve(sys.executable, [sys.executable, "-m", "rag.cli", "chat"], env)
    seen = b""

    def until_prompt(count: int) -> None:
        nonlocal seen
        deadline = time.monotonic() + 120
        while seen.count(b"you> ") < count and time.monotonic() < deadline:
            if select.select([fd], [], [], 1)[0]:
                try:
                    seen += os.read(fd, 65536)
                except OSError:  # the chat ended and closed the terminal
                    return

    try:
        until_prompt(1)
        os.write(fd, f"{CMT}\r".encode())
        until_prompt(2)
        os.write(fd, b"\x1b[A\r")  # up arrow recalls the question, Enter asks it again
        until_prompt(3)
        os.write(fd, b"\x04")  # Ctrl-D ends the chat
    finally:
        for _ in range(50):
            if os.waitpid(pid, os.WNOHANG)[0]:
                break
            time.sleep(0.2)
        else:  # it did not end on Ctrl-D: stop it, the test fails below
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        os.close(fd)
    text = seen.decode(errors="replace")
    assert "^[[A" not in text and text.count("73.0% NDS on nuScenes benchmark") >= 2
