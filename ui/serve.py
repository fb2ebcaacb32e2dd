"""Serving the chat: check the address, say what is happening, then launch.

`launch()` is what `rag ui` and `python -m ui.app` call. Before anything slow it checks
that the port is free and the host usable, and says in one line what to do if not; it
warns about an answerer that cannot run and about serving beyond this machine without a
login; it says when the store is being built; and it prints the address to open. While
serving, each request logs one line (route, time, outcome; never the question).
Leaves out TLS and Gradio's share links (never offered).
"""

from __future__ import annotations

import ipaddress
import logging
import socket
import sys

from rag.config import Settings
from rag.errors import RagError
from rag.llm import unavailable


class ServeError(RagError):
    """The chat cannot be served on the address asked for."""


def check_address(host: str, port: int) -> None:
    """Raise `ServeError` unless a server could listen on host:port now."""
    if not 1 <= port <= 65535:
        raise ServeError(f"Port {port} is not a port (1-65535): rag ui --port 7861")
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    except socket.gaierror as err:
        raise ServeError(
            f"Cannot serve on host {host!r} ({err.strerror}): use 127.0.0.1 (this machine "
            "only) or 0.0.0.0 (every network), e.g. rag ui --host 127.0.0.1"
        ) from err
    with socket.socket(family, kind, proto) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn does
        try:
            s.bind(address)
        except OSError as err:
            if err.errno == 98:  # EADDRINUSE
                raise ServeError(
                    f"Port {port} is in use on {host} (another rag ui?): pick another with "
                    f"rag ui --port {port + 1} (or make run PORT={port + 1})"
                ) from err
            raise ServeError(
                f"Cannot serve on {host}:{port} ({err.strerror}): use an address of this "
                "machine, e.g. rag ui --host 127.0.0.1"
            ) from err


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def auth_pairs(settings: Settings) -> list[tuple[str, str]] | None:
    """`RAG_UI_AUTH` ('user:password', several separated by commas) as Gradio's auth list."""
    if settings.ui.auth is None:
        return None
    pairs = []
    for item in settings.ui.auth.get_secret_value().split(","):
        user, sep, password = item.strip().partition(":")
        if not sep or not user or not password:
            raise ServeError("RAG_UI_AUTH must be 'user:password' (several separated by commas)")
        pairs.append((user, password))
    return pairs


def warnings(settings: Settings, host: str) -> list[str]:
    """What a person starting the chat should know before it serves."""
    out = []
    reason = unavailable(settings, settings.answer.answerer)
    if reason:
        out.append(
            f"Warning: the {settings.answer.answerer} answerer cannot run ({reason}); "
            "the chat answers with extractive until it can."
        )
    if not is_loopback(host) and settings.ui.auth is None:
        out.append(
            f"Warning: serving on {host} without a login: anyone who can reach this machine "
            "can use the chat. Set RAG_UI_AUTH=user:password to require one."
        )
    return out


def say(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def launch(settings: Settings | None = None, *, host: str = "127.0.0.1", port: int = 7860) -> None:
    """Check, build the store if needed, then serve the chat until Ctrl-C.

    Raises:
        ServeError: the port is taken, the host unusable, or RAG_UI_AUTH malformed.
    """
    import rag
    from rag.qa import get_qa
    from ui.app import PAGE, create_app, queued

    settings = settings or Settings()
    for line in warnings(settings, host):
        say(line)
    check_address(host, port)
    auth = auth_pairs(settings)
    say(
        f"Checking the store at {settings.store.store_dir} (the first build embeds every abstract)…"
    )
    report = rag.build(settings, progress=True)
    if report.rebuilt:
        say(f"Built the store: {report.abstracts} abstracts in {report.seconds:.1f} s.")
    say("Loading the model…")
    qa = get_qa(settings)
    requests = logging.getLogger("ui.requests")
    if not requests.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(message)s"))
        requests.addHandler(handler)
        requests.setLevel(logging.INFO)
        requests.propagate = False
    app = queued(create_app(qa), settings)
    try:
        app.launch(
            server_name=host,
            server_port=port,
            auth=auth,
            share=False,
            quiet=True,
            show_error=False,
            prevent_thread_lock=True,
            **PAGE,
        )
    except OSError as err:  # taken between the check and now
        raise ServeError(f"Cannot serve on {host}:{port}: {err}") from err
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    say(f"The chat is at http://{shown}:{port}/ (Ctrl-C stops it).")
    try:
        app.block_thread()
    except KeyboardInterrupt:
        pass
    finally:
        app.close()
