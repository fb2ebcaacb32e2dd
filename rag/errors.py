"""The errors a user can meet. Each message says what to do next.

Shells (CLI, UI) catch `RagError` and show its message without a traceback. Bad
questions raise the built-in `ValueError` / `TypeError`, because that is the contract
outside callers code against.
"""


class RagError(Exception):
    """Base of the errors the CLI and UI show to the user as they are."""


class CorpusError(RagError):
    """The corpus folder is missing, empty, or holds no abstracts."""


class ModelError(RagError):
    """The embedding model cannot be loaded offline."""


class StoreError(RagError):
    """The store cannot be opened, built or locked."""


class LLMError(RagError):
    """A generative answerer is not installed, not configured, or failed while answering."""
