"""Stop requests, by browser session, read by the answer that is being written.

Stop used to be a second event that cancelled the answer and wrote the stopped turn to
the page. The two raced: under load the cancelled answer's next chunk reached the
browser after the stopped turn and put the draft back. Now Stop only leaves a request
here, and the running answer sees it at its next chunk, shows the turn as stopped and
ends, so it is the only writer of the conversation. Leaves out interrupting a step that
is already running (a model being loaded): Stop takes effect when that step yields.
"""

from __future__ import annotations

import threading


class StopRequests:
    """Which sessions asked to stop the answer they are waiting for."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._asked: set[str] = set()

    def begin(self, session: str) -> None:
        """A new answer starts: a Stop pressed before it does not apply to it."""
        with self._lock:
            self._asked.discard(session)

    def ask(self, session: str) -> None:
        with self._lock:
            self._asked.add(session)

    def asked(self, session: str) -> bool:
        with self._lock:
            return session in self._asked
