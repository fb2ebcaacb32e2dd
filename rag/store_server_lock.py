"""One build at a time in server mode: a lock kept in the Chroma server itself.

The lock is the collection `abstracts-qa-lock`. The server refuses to create a collection
whose name exists (a unique constraint in its database), so of any number of builds, on
any machines, exactly one creates it: that build holds the lock. Its metadata names the
owner (host and pid) and carries a heartbeat, a timestamp the holder rewrites from a
thread every sixth of `chroma_lock_timeout`. Another build says who it is waiting for, and
polls until the lock is gone.

A build that dies (kill -9, a machine switched off) leaves its lock behind. A waiter that
has seen the same heartbeat for `chroma_lock_timeout` seconds of its own clock (so the
machines' clocks need not agree) takes it over: it renames that collection, by its id, to a
throwaway name and deletes it, then creates the lock like anyone else. Renaming by id
never touches a newer lock, and when two waiters take over at once only one of them
creates it. The holder releases its own lock the same way, in `finally`.

Leaves out fairness (waiters race; the first to create wins) and fencing: a holder stalled
for longer than the timeout (a suspended laptop) loses the lock, and finds out before it
swaps (`ServerLock.confirm`), not while it writes its own generation's collections, which
no one else reads.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from rag import store_server as server
from rag.errors import StoreError

LOCK = server.PREFIX + "lock"
_GONE = LOCK + "-gone-"  # a lock renamed away, about to be deleted
_log = logging.getLogger(__name__)


@contextmanager
def hold(url: str, timeout: float) -> Iterator[ServerLock]:
    """Hold the build lock of the Chroma server at `url`, waiting while another build does.

    Args:
        url: the Chroma server.
        timeout: seconds without a heartbeat after which a lock is taken to be a dead build's.

    Raises:
        StoreError: the server cannot be reached or fails.
    """
    lock = ServerLock(url, timeout)
    server.call(url, lock.acquire)
    try:
        yield lock
    finally:
        lock.release()


class ServerLock:
    """The lock collection this build created, and the thread that keeps its heartbeat."""

    def __init__(self, url: str, timeout: float) -> None:
        self.url, self.timeout = url, timeout
        self.owner = f"{socket.gethostname()} pid {os.getpid()}"
        self._db = server.connect(url)
        self._io = threading.Lock()  # the heartbeat thread and the build share one client
        self._stop = threading.Event()
        self._collection = None
        self._thread: threading.Thread | None = None

    def acquire(self) -> None:
        """Create the lock; while another build holds it, wait, or take it over once dead."""
        poll = min(1.0, self.timeout / 10)
        seen, since, told = None, 0.0, False
        while not self._create():
            holder = self._holder()
            if holder is None:  # released since we tried: try again
                time.sleep(poll)
                continue
            metadata = holder.metadata or {}
            if (holder.id, metadata.get("beat")) != seen:
                seen, since = (holder.id, metadata.get("beat")), time.monotonic()
            elif time.monotonic() - since >= self.timeout:
                _log.warning(
                    "The build lock in the Chroma server at %s (held by %s) has had no "
                    "heartbeat for %.0f s: that build is dead. Taking the lock over.",
                    self.url,
                    metadata.get("owner", "an unknown build"),
                    self.timeout,
                )
                self._remove(holder)
                continue
            if not told:
                _log.warning(
                    "Another build (%s) is writing the store in the Chroma server at %s; "
                    "waiting for it to finish…",
                    metadata.get("owner", "an unknown build"),
                    self.url,
                )
                told = True
            time.sleep(poll)
        self._sweep()
        self._thread = threading.Thread(target=self._beat, name="rag-lock-heartbeat", daemon=True)
        self._thread.start()

    def confirm(self) -> None:
        """Raise StoreError unless this build still holds the lock; a build checks before it
        swaps, since a holder stalled past the timeout may have been taken over."""
        with self._io:
            holder = server.call(self.url, self._holder)
        if holder is None or holder.id != self._collection.id:
            raise StoreError(
                f"This build lost its lock in the Chroma server at {self.url}: it went "
                f"{self.timeout:.0f} s without a heartbeat (was the machine suspended?) and "
                "another build took over. Nothing was switched; run `rag build` again."
            )

    def release(self) -> None:
        """Stop the heartbeat and delete this build's lock; a failure is only a warning,
        since the next build takes a lock without a heartbeat over anyway."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        if self._collection is None:
            return
        try:
            self._remove(self._collection)
        except Exception as err:  # noqa: BLE001 (chromadb's errors, httpx's: all mean the same)
            _log.warning(
                "Could not release the build lock in the Chroma server at %s (%s); the next "
                "build takes it over after %.0f s.",
                self.url,
                err,
                self.timeout,
            )

    def _metadata(self) -> dict:
        return {"owner": self.owner, "beat": time.time()}

    def _create(self) -> bool:
        try:
            with self._io:
                self._collection = self._db.create_collection(LOCK, metadata=self._metadata())
        except Exception:  # noqa: BLE001 (the name exists; a server that is down fails next)
            return False
        return True

    def _holder(self):
        """The lock collection now in the server, None when there is none."""
        from chromadb.errors import NotFoundError

        try:
            return self._db.get_collection(LOCK)
        except NotFoundError:
            return None

    def _remove(self, collection) -> None:
        """Delete that lock and only it: renamed by its id first, so a newer one is safe."""
        from chromadb.errors import NotFoundError

        gone = _GONE + secrets.token_hex(4)
        try:
            with self._io:
                collection.modify(name=gone)
                self._db.delete_collection(gone)
        except NotFoundError:  # another build removed it first
            pass

    def _sweep(self) -> None:
        """Delete locks renamed away by builds that died before deleting them."""
        for collection in self._db.list_collections():
            if collection.name.startswith(_GONE):
                try:
                    self._db.delete_collection(collection.name)
                except Exception:  # noqa: BLE001 (its own remover was quicker)
                    pass

    def _beat(self) -> None:
        while not self._stop.wait(self.timeout / 6):
            try:
                with self._io:
                    self._collection.modify(metadata=self._metadata())
            except Exception as err:  # noqa: BLE001 (a server that is down fails the build)
                _log.debug("Heartbeat of the build lock at %s failed: %s", self.url, err)
