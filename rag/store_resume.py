"""Vectors saved as a build embeds them, so a build that is killed resumes where it stopped.

A build appends every batch it embeds to one file, and the next build with the same
settings reads it back before embedding anything:

    <store_dir>/.resume/<key>/vectors.bin
        header   b"RAGVEC01", then the dimension (uint32, little-endian)
        records  sha256 of the text (32 bytes), the vector (dimension float32, little-endian),
                 then blake2b-64 of those two: the record's checksum

<key> is a hash of `vector_key` (the model and chunking settings a vector depends on) and,
in server mode, of the server's URL, so a vector is only ever reused for the same text
embedded the same way, and two servers built from one machine never share a file. A
record is trusted only when whole and its checksum matches: a build killed in the middle
of a write leaves a cut record at the end, and the file is read up to the first record
that is cut or damaged; the next build cuts the rest off before it appends. So damage
costs re-embedding, never a wrong vector or a failed build.

The folder is hidden and outside every `gen-*`, so `rag.store_layout.cleanup` (which
deletes what killed builds leave) keeps it; the build deletes it once its generation is
swapped in, when the generation itself holds the vectors. In server mode the embedding
happens on the machine that builds, so the vectors are saved there, in its store_dir (which
server mode otherwise leaves alone: an empty one is removed again with the folder).

Only the build holding the write lock (`rag.store_layout.write_lock`, or the server's,
`rag.store_server_lock`) touches the file. Leaves out fsync: a killed process loses
nothing the kernel has been given, and a machine that crashes loses at most the last
batches, which are then embedded again; the checksums keep whatever is left honest.
"""

from __future__ import annotations

import hashlib
import logging
import shutil
import struct
from collections.abc import Sequence
from pathlib import Path
from typing import IO

import numpy as np

from rag.config import Settings

FOLDER = ".resume"
FILE = "vectors.bin"
_MAGIC = b"RAGVEC01"
_HEADER = struct.Struct("<8sI")  # magic, dimension
_KEY, _CHECK = 32, 8  # bytes of a record's text hash and of its checksum
_log = logging.getLogger(__name__)


def text_key(text: str) -> bytes:
    """What a saved vector is looked up by: the sha256 of its text."""
    return hashlib.sha256(text.encode("utf-8")).digest()


def _check(body: bytes) -> bytes:
    return hashlib.blake2b(body, digest_size=_CHECK).digest()


class SavedVectors:
    """The vectors of unfinished builds of one store with one `vector_key`, on disk."""

    def __init__(self, folder: Path, *, remove_if_empty: Sequence[Path] = ()) -> None:
        self.folder = folder
        self.path = folder / FILE
        self._remove_if_empty = tuple(remove_if_empty)  # parents made only for this folder
        self._file: IO[bytes] | None = None
        self._sound: tuple[int, int] | None = None  # (dimension, records) as last read
        self._failed = False

    @classmethod
    def of(cls, settings: Settings, vector_key: str) -> SavedVectors:
        """The saved vectors of builds with these settings (`vector_key` from `rag.store`)."""
        store_dir = settings.store.store_dir
        url = settings.store.chroma_url or ""
        key = hashlib.sha256(f"{vector_key}\n{url}".encode()).hexdigest()[:16]
        parents = [store_dir / FOLDER] + ([store_dir] if url else [])
        return cls(store_dir / FOLDER / key, remove_if_empty=parents)

    def load(self) -> dict[bytes, np.ndarray]:
        """Text key -> vector of every whole, undamaged record; reads, never writes."""
        data, dimension, count = self._read()
        self._sound = (dimension, count)
        size = _record_size(dimension)
        out = {}
        for n in range(count):
            start = _HEADER.size + n * size
            key = data[start : start + _KEY]
            out[key] = np.frombuffer(data, "<f4", dimension, start + _KEY).astype(np.float32)
        return out

    def save(self, texts: Sequence[str], vectors: np.ndarray) -> None:
        """Append one batch. A disk that refuses is a warning, not a failed build: the build
        goes on without saving, and only resuming it is lost."""
        if self._failed or not len(texts):
            return
        vectors = np.asarray(vectors, dtype="<f4")
        try:
            handle = self._open(vectors.shape[1])
            records = bytearray()
            for text, vector in zip(texts, vectors, strict=True):
                body = text_key(text) + vector.tobytes()
                records += body + _check(body)
            handle.write(records)
            handle.flush()
        except OSError as err:
            self._failed = True
            _log.warning(
                "Cannot save embedded vectors to %s (%s); the build goes on, but if it is "
                "stopped the next one starts over. Free some space or fix the permissions.",
                self.path,
                err,
            )

    def discard(self) -> None:
        """Delete the saved vectors (and the folders made only for them)."""
        self.close()
        shutil.rmtree(self.folder, ignore_errors=True)
        for parent in self._remove_if_empty:
            try:
                parent.rmdir()
            except OSError:  # not empty, or already gone: leave it
                pass

    def close(self) -> None:
        """Close the file; saving again reopens it."""
        if self._file is not None:
            self._file.close()
            self._file = None

    def _open(self, dimension: int) -> IO[bytes]:
        """The file opened for appending, cut to its last whole, undamaged record first."""
        if self._file is not None:
            return self._file
        saved_dimension, count = self._sound or self._read()[1:]
        self.folder.mkdir(parents=True, exist_ok=True)
        with open(self.path, "ab") as handle:  # create it, without truncating
            if count and saved_dimension == dimension:
                handle.truncate(_HEADER.size + count * _record_size(dimension))
            else:  # nothing sound, or another model under the same name: start afresh
                handle.truncate(0)
                handle.write(_HEADER.pack(_MAGIC, dimension))
        self._file = open(self.path, "ab")  # noqa: SIM115 (kept open for the whole build)
        return self._file

    def _read(self) -> tuple[bytes, int, int]:
        """The file's bytes, its dimension, and how many records from the start are sound."""
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            return b"", 0, 0
        except OSError as err:
            _log.warning("Cannot read saved vectors %s (%s); embedding afresh.", self.path, err)
            return b"", 0, 0
        if len(data) < _HEADER.size:
            return data, 0, 0
        magic, dimension = _HEADER.unpack_from(data)
        if magic != _MAGIC or dimension == 0:
            return data, 0, 0
        size = _record_size(dimension)
        count = 0
        for start in range(_HEADER.size, len(data) - size + 1, size):
            body = data[start : start + size - _CHECK]
            if _check(body) != data[start + size - _CHECK : start + size]:
                break
            count += 1
        return data, dimension, count


def _record_size(dimension: int) -> int:
    return _KEY + 4 * dimension + _CHECK
