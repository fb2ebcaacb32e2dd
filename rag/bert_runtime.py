"""A sentence-transformers BERT model (all-MiniLM-L6-v2) run by torch directly, from its
folder: `model.safetensors`, `tokenizer.json` and mean pooling, as sentence-transformers
runs it.

Why: importing sentence-transformers (and the transformers library under it) takes about
3 seconds and 250 MB in every process that answers, for a model of six layers whose
forward pass is twenty lines. The vectors agree with sentence-transformers' (cosine >=
0.9999 on the shipped corpus, tests/test_bert_runtime.py), so the thresholds tuned on
them hold.

Leaves out every architecture but BERT with absolute positions and mean pooling (the
`SentenceTransformerEmbeddings` engine loads any other), and GPUs.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from safetensors.numpy import load_file
from tokenizers import Tokenizer

_BATCH = 32


def supports(folder: Path) -> bool:
    """Whether the folder holds a model this runtime runs the way sentence-transformers does:
    BERT, mean pooling, then normalisation."""
    try:
        config = json.loads((folder / "config.json").read_text("utf-8"))
        pooling = json.loads((folder / "1_Pooling" / "config.json").read_text("utf-8"))
        modules = json.loads((folder / "modules.json").read_text("utf-8"))
    except (OSError, ValueError):
        return False
    kinds = [m.get("type", "").rsplit(".", 1)[-1] for m in modules]
    return (
        config.get("model_type") == "bert"
        and config.get("position_embedding_type", "absolute") == "absolute"
        and config.get("hidden_act") == "gelu"
        and pooling.get("pooling_mode_mean_tokens") is True
        and not any(
            v
            for k, v in pooling.items()
            if k.startswith("pooling_mode_") and k != "pooling_mode_mean_tokens" and v is True
        )
        and kinds == ["Transformer", "Pooling", "Normalize"]
        and (folder / "model.safetensors").is_file()
        and (folder / "tokenizer.json").is_file()
    )


class BertRuntime:
    """Unit vectors of texts, mean-pooled over BERT's last layer."""

    def __init__(self, folder: Path) -> None:
        config = json.loads((folder / "config.json").read_text("utf-8"))
        st_config = json.loads((folder / "sentence_bert_config.json").read_text("utf-8"))
        self.heads = config["num_attention_heads"]
        self.layers = config["num_hidden_layers"]
        self.eps = config["layer_norm_eps"]
        self.w = {
            k: torch.from_numpy(v) for k, v in load_file(folder / "model.safetensors").items()
        }
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(st_config.get("max_seq_length", 512))
        self.dimension = config["hidden_size"]

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """One unit row per text; texts are batched by length, so padding stays small."""
        out = np.zeros(
            (len(texts), self.w["embeddings.word_embeddings.weight"].shape[1]), dtype=np.float32
        )
        encodings = self.tokenizer.encode_batch(list(texts))
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))
        with torch.inference_mode():
            for start in range(0, len(order), _BATCH):
                rows = order[start : start + _BATCH]
                out[rows] = self._forward([encodings[i].ids for i in rows]).numpy()
        return out

    def _forward(self, ids: list[list[int]]) -> torch.Tensor:
        w, eps = self.w, self.eps
        length = max(len(r) for r in ids)
        tokens = torch.zeros((len(ids), length), dtype=torch.long)
        mask = torch.zeros((len(ids), length), dtype=torch.float32)
        for i, row in enumerate(ids):
            tokens[i, : len(row)] = torch.tensor(row)
            mask[i, : len(row)] = 1.0
        e = "embeddings."
        x = (
            w[e + "word_embeddings.weight"][tokens]
            + w[e + "position_embeddings.weight"][:length]
            + w[e + "token_type_embeddings.weight"][0]
        )
        x = F.layer_norm(x, x.shape[-1:], w[e + "LayerNorm.weight"], w[e + "LayerNorm.bias"], eps)
        bias = (1.0 - mask)[:, None, None, :] * torch.finfo(torch.float32).min
        n, d = x.shape[0], x.shape[-1]
        for i in range(self.layers):
            p = f"encoder.layer.{i}."

            def linear(x: torch.Tensor, name: str, p: str = p) -> torch.Tensor:
                return F.linear(x, w[p + name + ".weight"], w[p + name + ".bias"])

            def heads(t: torch.Tensor) -> torch.Tensor:
                return t.view(n, length, self.heads, d // self.heads).transpose(1, 2)

            q, k, v = (heads(linear(x, f"attention.self.{m}")) for m in ("query", "key", "value"))
            a = F.scaled_dot_product_attention(q, k, v, attn_mask=bias)
            a = a.transpose(1, 2).reshape(n, length, d)
            x = F.layer_norm(
                x + linear(a, "attention.output.dense"),
                (d,),
                w[p + "attention.output.LayerNorm.weight"],
                w[p + "attention.output.LayerNorm.bias"],
                eps,
            )
            h = linear(F.gelu(linear(x, "intermediate.dense")), "output.dense")
            x = F.layer_norm(
                x + h, (d,), w[p + "output.LayerNorm.weight"], w[p + "output.LayerNorm.bias"], eps
            )
        pooled = (x * mask[..., None]).sum(1) / mask.sum(1, keepdim=True).clamp_min(1e-9)
        return F.normalize(pooled, dim=-1)
