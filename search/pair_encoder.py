"""The pair encoder: all-MiniLM-L6-v2 tuned to tell whether two patient questions ask the same thing.

Plain MiniLM puts questions on the same topic close together whether or not they ask the same thing;
Similar Q&A needs the second. `bench/train_pair_encoder.py` trains a low-rank update (LoRA) of the
model's 36 weight matrices on labelled question pairs and writes it to `pair_encoder.npz` (1.2 MB).
Here the update is added to the packaged float weights, the sums are quantised to int8 per output
column as the packaged ONNX file does, and the ONNX graph runs with them in place of its own. The
search index keeps the plain model's vectors; these vectors serve only the pair scorer (search/pairs.py).

A pair vector is this model's vector followed by all-mpnet-base-v2's (search/mpnet.py), each of unit
length: the scorer reads the two cosines from one stored vector.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from . import mpnet
from .embeddings import DIMENSIONS, MODEL_NAME, MODEL_VERSION, Encoder, model_weights

ADAPTER_PATH = Path(__file__).with_name("pair_encoder.npz")
ADAPTER_FORMAT = 1
PAIR_DIMENSIONS = DIMENSIONS + mpnet.DIMENSIONS
LAYERS = 6
# The weight matrices of one layer, by their names in the float model.
MATRICES = (
    "attention.self.query",
    "attention.self.key",
    "attention.self.value",
    "attention.output.dense",
    "intermediate.dense",
    "output.dense",
)
# Where each sits in the packaged ONNX graph (int8 `val_N_q` with per-column `val_N_scale`, stored
# transposed), by layer and in MATRICES order: matched once against the float model; the graph is fixed
# by its SHA256 in embeddings.py.
_GRAPH_NUMBERS = (
    (49, 57, 65, 105, 109, 118),
    (122, 130, 138, 176, 180, 189),
    (193, 201, 209, 247, 251, 260),
    (264, 272, 280, 318, 322, 331),
    (335, 343, 351, 389, 393, 402),
    (406, 414, 422, 460, 464, 473),
)


class AdapterError(RuntimeError):
    pass


def graph_name(layer: int, matrix: int) -> str:
    return f"val_{_GRAPH_NUMBERS[layer][matrix]}"


def quantise(weight: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Symmetric int8 per output column of a (in, out) matrix, as the packaged graph stores its weights."""
    scale = np.maximum(np.abs(weight).max(axis=0, keepdims=True), 1e-12) / 127.0
    return np.clip(np.rint(weight / scale), -127, 127).astype(np.int8), scale.astype(np.float32)


def load_adapter(path: Path = ADAPTER_PATH) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """(metadata, arrays) of a trained adapter; the arrays are `{layer}.{matrix}.A` (rank, in) and `.B`
    (out, rank) for every layer and matrix."""
    try:
        with np.load(path, allow_pickle=False) as stored:
            arrays = {key: stored[key] for key in stored.files}
    except FileNotFoundError as exc:
        raise AdapterError(f"{path} is missing; run bench/train_pair_encoder.py") from exc
    meta = json.loads(str(arrays.pop("meta")))
    if meta.get("format") != ADAPTER_FORMAT:
        raise AdapterError(f"pair encoder format {meta.get('format')!r}, expected {ADAPTER_FORMAT}")
    if meta.get("base_model") != MODEL_NAME or str(meta.get("base_version")) != MODEL_VERSION:
        raise AdapterError("the pair encoder was trained on another model; retrain with bench/train_pair_encoder.py")
    return meta, arrays


def graph_weights(meta: dict[str, Any], arrays: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The ONNX graph's int8 weights and scales with the adapter added to the float model's weights."""
    base = model_weights({f"encoder.layer.{layer}.{matrix}.weight" for layer in range(LAYERS) for matrix in MATRICES})
    scaling = float(meta["alpha"]) / float(meta["rank"])
    replaced: dict[str, np.ndarray] = {}
    for layer in range(LAYERS):
        for m, matrix in enumerate(MATRICES):
            key = f"{layer}.{matrix}"
            a, b = arrays[f"{key}.A"].astype(np.float32), arrays[f"{key}.B"].astype(np.float32)
            weight = base[f"encoder.layer.{key}.weight"] + scaling * (b @ a)  # (out, in)
            quantised, scale = quantise(np.ascontiguousarray(weight.T))
            replaced[f"{graph_name(layer, m)}_q"] = quantised
            replaced[f"{graph_name(layer, m)}_scale"] = scale
    return replaced


@cache
def get_pair_encoder() -> Encoder:
    return Encoder(weights=graph_weights(*load_adapter()))


@cache
def pair_version() -> str:
    """Names the trained adapter and the second model: stored pair vectors of another version are computed again."""
    try:
        return hashlib.sha256(ADAPTER_PATH.read_bytes() + mpnet.ZIP_SHA256.encode()).hexdigest()[:16]
    except FileNotFoundError as exc:
        raise AdapterError(f"{ADAPTER_PATH} is missing; run bench/train_pair_encoder.py") from exc


def embed_for_pairs(texts: Sequence[str]) -> np.ndarray:
    """(len(texts), PAIR_DIMENSIONS): the tuned MiniLM's unit vector, then all-mpnet-base-v2's."""
    return np.concatenate([get_pair_encoder().encode(texts), mpnet.get_mpnet().encode(texts)], axis=1)
