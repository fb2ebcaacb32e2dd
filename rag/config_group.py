"""What every settings group shares: the `RAG_` prefix, no unknown keys, no changes after
creation, and the mark of a field the stored vectors depend on.

Every group subclasses `SettingsGroup`; rag/config.py composes the groups into `Settings`.
Leaves out every field, and how the marked fields become the store's fingerprint
(`vector_settings`, rag/config.py).
"""

from pydantic_settings import BaseSettings, SettingsConfigDict

VECTORS = {"affects_vectors": True}  # json_schema_extra of the fields the vectors depend on


class SettingsGroup(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="RAG_", extra="forbid", frozen=True)
