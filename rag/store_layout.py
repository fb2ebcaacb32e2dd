"""The store's files on disk: generations, the CURRENT pointer, the write lock, cleanup.

Layout of `store_dir`:
    CURRENT               one line: the name of the generation being served
    gen-<stamp>/          one complete build: chroma/, *.npy, rows.json, terms.json,
                          manifest.json, .in-use
    .lock                 held by the one build allowed to write; a second build waits
    .resume/              vectors an unfinished build embedded (`rag.store_resume`): not
                          debris, so cleanup keeps it; the build deletes it after its swap

A build writes a new generation beside the serving one and, once it is verified, points
CURRENT at it with `os.replace`, which is atomic: a reader sees the old store or the new
one, never half of each. A build killed at any moment leaves CURRENT untouched and a
`gen-*` folder nobody points at; the next build deletes it. Readers pin the generation
they opened with a shared `flock` on its `.in-use` file, so cleanup never deletes a
generation a live process still reads; the kernel drops the pin when the process dies.

Leaves out Windows (the locks are POSIX `flock`: Linux and macOS) and stores on network
file systems (flock is only reliable on local disks), and the contents of a generation
(see `rag.store`).
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import secrets
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from rag.errors import StoreError

POINTER = "CURRENT"
PREFIX = "gen-"
MANIFEST = "manifest.json"
PIN = ".in-use"
LEGACY = ("chroma", "manifest.json")  # the flat layout of version 0.1: chroma/ + manifest.json
_log = logging.getLogger(__name__)


@contextmanager
def write_lock(store_dir: Path, *, wait: bool = True) -> Iterator[bool]:
    """Hold the store's lock; a second writer says so and waits for the first.

    With `wait=False` it does not wait: it yields False when another process holds the lock.
    """
    store_dir.mkdir(parents=True, exist_ok=True)
    with open(store_dir / ".lock", "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if not wait:
                yield False
                return
            _log.warning("Another build is writing %s; waiting for it to finish…", store_dir)
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def current_generation(store_dir: Path) -> Path | None:
    """The generation CURRENT points at; None when there is no CURRENT (no store yet)."""
    try:
        name = (store_dir / POINTER).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    except OSError as err:
        raise StoreError(
            f"{store_dir / POINTER} is unreadable ({err}). Run `rag build --force`."
        ) from err
    gen = store_dir / name
    if not name.startswith(PREFIX) or "/" in name or not gen.is_dir():
        raise StoreError(
            f"{store_dir / POINTER} points at {name!r}, which is not a generation in "
            f"{store_dir} (deleted or damaged). Run `rag build --force` to rebuild the store."
        )
    return gen


def has_legacy_layout(store_dir: Path) -> bool:
    """Whether `store_dir` holds a store in the flat layout of version 0.1."""
    return any((store_dir / name).exists() for name in LEGACY)


def new_generation(store_dir: Path) -> Path:
    """A fresh, empty generation folder; the stamp sorts by time and never repeats."""
    stamp = time.strftime("%Y%m%dT%H%M%S")
    gen = store_dir / f"{PREFIX}{stamp}-{os.getpid()}-{secrets.token_hex(3)}"
    gen.mkdir(parents=True)
    (gen / PIN).touch()
    return gen


def switch_to(store_dir: Path, gen: Path) -> None:
    """Point CURRENT at `gen` in one atomic step (temp file, fsync, os.replace, fsync dir)."""
    tmp = store_dir / f"{POINTER}.tmp-{os.getpid()}"
    with open(tmp, "w", encoding="utf-8") as handle:
        handle.write(gen.name + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, store_dir / POINTER)
    directory = os.open(store_dir, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


def pin(gen: Path) -> IO:
    """Mark `gen` as read by this process until the returned handle is closed or collected."""
    handle = open(gen / PIN, "a")  # noqa: SIM115 (the Store keeps it open on purpose)
    fcntl.flock(handle, fcntl.LOCK_SH)
    return handle


def cleanup(store_dir: Path) -> list[str]:
    """Delete what no one uses: other generations nobody pins, temp files, a legacy layout.

    Call it only while holding `write_lock`. Returns the names removed, for tests and logs.
    """
    if not store_dir.is_dir():
        return []
    try:
        current = current_generation(store_dir)
    except StoreError:
        current = None  # a dangling CURRENT: every generation is debris, the build replaces it
    removed = []
    for entry in sorted(store_dir.iterdir()):
        if entry.name.startswith(f"{POINTER}.tmp-"):
            entry.unlink(missing_ok=True)
            removed.append(entry.name)
        elif entry.name.startswith(PREFIX) and entry != current and _unpinned(entry):
            removed.append(entry.name)
    if current is not None:  # only once a new-layout store serves may the old one go
        for name in LEGACY:
            if (store_dir / name).is_dir():
                shutil.rmtree(store_dir / name, ignore_errors=True)
                removed.append(name)
            elif (store_dir / name).exists():
                (store_dir / name).unlink()
                removed.append(name)
    return removed


def _unpinned(gen: Path) -> bool:
    """Delete `gen` if no reader pins it; whether it was deleted."""
    try:
        handle = open(gen / PIN, "a")  # noqa: SIM115
    except OSError:  # no folder or no pin file: a build that died early
        shutil.rmtree(gen, ignore_errors=True)
        return True
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False  # a live reader: keep it until it lets go
        shutil.rmtree(gen, ignore_errors=True)  # still locked: a new reader waits, then sees
    return True


def read_manifest(gen: Path) -> dict | None:
    """The generation's manifest, None when missing, StoreError when unreadable."""
    try:
        return json.loads((gen / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as err:
        raise StoreError(
            f"The store manifest {gen / MANIFEST} is unreadable ({err}). "
            "Run `rag build --force` to rebuild the store."
        ) from err


def write_manifest(gen: Path, manifest: dict) -> None:
    """Write the manifest through a temp file, so it is whole or absent."""
    tmp = gen / f"{MANIFEST}.tmp"
    tmp.write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    os.replace(tmp, gen / MANIFEST)
