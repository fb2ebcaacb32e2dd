"""Loopback plumbing the tests share: a free port, and a Gradio app served on one."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def served(app: Any, **launch: Any) -> Iterator[str]:
    """Serve a Gradio app on a free loopback port in this process; yield its URL, then close."""
    port = free_port()
    app.launch(
        server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True, **launch
    )
    try:
        yield f"http://127.0.0.1:{port}/"
    finally:
        app.close()
