"""The `rag` command, run as a user runs it: a real process, real store, real output."""

import os
import subprocess
import sys

import pytest

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
    result = rag("chat", cwd=cwd, input_text=f"{CMT}\nIs it robust without LiDAR?\n\n")
    assert result.returncode == 0, result.stderr
    assert "73.0% NDS" in result.stdout and "LiDAR is missing" in result.stdout


def test_store_and_corpus_options_move_the_store_and_read_another_corpus(tmp_path):
    corpus = tmp_path / "papers"
    corpus.mkdir()
    (corpus / "one.txt").write_text(
        "We present TinyNet, which reaches 91.5% accuracy on CIFAR-10.\ntranslated by 谷歌翻译\n",
        encoding="utf-8",
    )
    result = rag(
        "ask",
        "What accuracy does TinyNet reach?",
        "--corpus",
        str(corpus),
        "--store",
        str(tmp_path / "elsewhere"),
        cwd=tmp_path,
    )
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
