"""The errors a user can meet. Each message says what to do next.

Shells (CLI, UI) catch `RagError` and show its message without a traceback; nothing else
is caught there, so a bug still shows as one. A bad question or history raises
`QuestionError`, which is also a `ValueError` (or, for a wrong type, `QuestionTypeError`,
also a `TypeError`): the built-in types are the contract outside callers code against.
"""


class RagError(Exception):
    """Base of the errors the CLI and UI show to the user as they are."""


class QuestionError(RagError, ValueError):
    """The question or the history cannot be answered as given (empty, too long, malformed)."""


class QuestionTypeError(QuestionError, TypeError):
    """The question or history is not of the type the API takes."""


class SettingsError(RagError):
    """A setting (a RAG_* variable or a keyword) has a value the pipeline cannot use."""


class CorpusError(RagError):
    """The corpus folder is missing, empty, or holds no abstracts."""


class ModelError(RagError):
    """The embedding model cannot be loaded offline."""


class StoreError(RagError):
    """The store cannot be opened, built or locked."""


class LLMError(RagError):
    """A generative answerer is not installed, not configured, or failed while answering."""
