"""Throughput and latency of the chat under many people at once, on this machine.

    python benchmarks/load.py [CONVERSATIONS]      # default 50

Launches `rag ui` in a new process on a free loopback port (store built first in a temp
folder), waits for it, sends CONVERSATIONS two-turn conversations at once through
gradio_client (tests/conversations.py), prints conversations/s and p50/p95 latency, and
stops the server. Queue limits are the Settings defaults (RAG_UI_* to try others).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.conversations import run, summary  # noqa: E402


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 50
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"http://127.0.0.1:{port}/"
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "RAG_STORE_DIR": str(Path(tmp) / "store")}
        server = subprocess.Popen(
            [sys.executable, "-m", "rag.cli", "ui", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + 300
            while True:
                try:
                    urllib.request.urlopen(url, timeout=2)
                    break
                except OSError:
                    if time.monotonic() > deadline or server.poll() is not None:
                        raise SystemExit("the chat did not start") from None
                    time.sleep(0.5)
            outcomes, seconds = run(url, count)
            print(summary(outcomes, seconds))
        finally:
            server.terminate()
            server.wait(timeout=30)


if __name__ == "__main__":
    main()
