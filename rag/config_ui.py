"""UISettings: the chat's queue (RAG_UI_*): requests answered at once and waiting, how
much history goes with a question, read-only mode and the login.

Leaves out the host and port, which are options of `rag ui` (rag/cli_ui.py), and
building the page (ui/app.py).
"""

from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from rag.config_group import SettingsGroup


class UISettings(SettingsGroup):
    """The chat's queue."""

    model_config = SettingsConfigDict(env_prefix="RAG_UI_", extra="forbid", frozen=True)

    concurrency: int = Field(
        # The embedder's lock runs one model call at a time, so more workers only wait inside.
        # benchmarks/load.py on 2 cores, 50 conversations: 8.8 conversations/s at 2, 7.0 at 4,
        # 8.3 at 8 (one run each, within noise); 4 lets a short answer pass a slow stream.
        default=4,
        ge=1,
        description="Chat requests the UI answers at once (Gradio's default_concurrency_limit).",
    )
    queue_size: int = Field(
        # At the measured ~7 conversations/s (14 requests/s), 64 waiting requests clear in
        # about 5 s; past that a person is better told at once that the service is busy.
        default=64,
        ge=1,
        description="Requests that may wait for the UI; beyond it callers get 'queue is full'.",
    )
    history_messages: int = Field(
        # Follow-ups point back one or two turns; 20 messages (10 turns) is ample context and
        # keeps a 100-turn chat far under the library's 200-message history limit.
        default=20,
        ge=2,
        description="Most recent chat messages the UI sends with a question as its history.",
    )
    read_only: bool = Field(
        # Off: a chat on 127.0.0.1 serves its owner, who may add files; `rag ui --read-only`
        # (or RAG_UI_READ_ONLY=1) for a chat others use.
        default=False,
        description="Hide the chat's upload box, so the page never writes the corpus folder.",
    )
    auth: SecretStr | None = Field(
        # None: a chat on 127.0.0.1 is reachable only from this machine, so no login by
        # default; serving beyond loopback without it prints a warning.
        default=None,
        description=(
            "Login for the chat as 'user:password' (several separated by commas); "
            "None serves without a login."
        ),
    )
