"""A learned second opinion for the red-flag rules: logistic regression in numpy.

The rules in `triage.redflags` were tuned on the sets they are scored on; on texts written later they
missed about one emergency in ten, mostly phrasings no pattern foresaw. This model reads the whole
text instead of looking for patterns. `redflags.detect` asks it only when no rule fires, and raises a
generic "possible emergency" flag when its probability reaches the threshold stored with the weights
(chosen by cross-validation in `bench/train_redflag_model.py`).

Features, much as in the department router: the sentence embedding (all-MiniLM-L6-v2), faded out in
proportion to how much of the text is Chinese because that model reads little Chinese, and a bag of
Chinese character unigrams and bigrams and of word unigrams and bigrams (the words carry "no fever"
and "years ago", which a sentence embedding blurs). The n-grams are taken from the normalised text
(see `redflags._normalise`), so case, width and simplified or traditional characters do not matter.

The model is loaded once per process, on first use. If it cannot be loaded, or embedding fails, the
failure is logged once and detection carries on with the rules alone.
"""

from __future__ import annotations

import base64
import itertools
import json
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from . import routing
from .routing import embedding_name

logger = logging.getLogger(__name__)

FORMAT = 2
MODEL_PATH = Path(__file__).with_name("redflag_model.json")
DIMENSIONS = 384

_CJK_CLASS = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK = re.compile(rf"[{_CJK_CLASS}]")
_CJK_RUN = re.compile(rf"[{_CJK_CLASS}]+")
_WORD = re.compile(r"[a-z0-9']+")
_SPACED_WORD = re.compile(rf"[^\s{_CJK_CLASS}]*[A-Za-z0-9][^\s{_CJK_CLASS}]*")
# N-gram columns are scaled by 1/sqrt(max(n, NGRAM_FLOOR)) rather than 1/sqrt(n), so that the two or
# three words of a short text cannot weigh as much as the whole of a long one.
NGRAM_FLOOR = 20
# Texts shorter than this are left to the rules: they are half-typed questions and one-liners, on
# which the model guesses wildly. A word is a run without spaces ("lin.mei@example.com" is one);
# a Chinese character counts MIN_WORDS / MIN_CJK of a word.
MIN_WORDS = 10
MIN_CJK = 12


def ngrams(normalised: str) -> set[str]:
    """Chinese character unigrams and bigrams, and word unigrams and bigrams, of a normalised text."""
    grams: set[str] = set()
    for run in _CJK_RUN.findall(normalised):
        grams.update(run)
        grams.update(run[i : i + 2] for i in range(len(run) - 1))
    words = _WORD.findall(normalised)
    grams.update(words)
    grams.update(f"{a} {b}" for a, b in itertools.pairwise(words))
    return grams


def long_enough(text: str) -> bool:
    """Whether the text says enough for the model to judge (see MIN_WORDS)."""
    words = len(_SPACED_WORD.findall(text)) + len(_CJK.findall(text)) * MIN_WORDS / MIN_CJK
    return words >= MIN_WORDS


def features(normalised: Sequence[str], vectors: np.ndarray, vocabulary: dict[str, int]) -> np.ndarray:
    """One row per text: the faded embedding, then the n-gram columns (see NGRAM_FLOOR)."""
    return routing.features(normalised, vectors, vocabulary, grams=ngrams, floor=NGRAM_FLOOR)


@dataclass(eq=False)  # numpy fields
class RedFlagModel:
    weights: np.ndarray  # (DIMENSIONS + len(vocabulary),) float32
    bias: float
    vocabulary: dict[str, int]  # n-gram -> column after the embedding
    threshold: float  # a probability at or above it is a possible emergency
    embedding: str
    trained_on: dict[str, Any]  # counts and cross-validation figures, for the operator

    def probabilities(self, normalised: Sequence[str], vectors: np.ndarray) -> np.ndarray:
        """Probability that each text describes an emergency; `vectors` are the embeddings of the texts."""
        logits = features(normalised, vectors, self.vocabulary) @ self.weights + self.bias
        return np.asarray(1.0 / (1.0 + np.exp(-np.clip(logits, -30.0, 30.0))))

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "embedding": self.embedding,
            "threshold": self.threshold,
            "bias": self.bias,
            "vocabulary": sorted(self.vocabulary, key=self.vocabulary.__getitem__),
            # float16 keeps the file small; the trainer rounds the weights to it before choosing the threshold
            "weights": base64.b64encode(self.weights.astype("<f2").tobytes()).decode("ascii"),
            "trained_on": self.trained_on,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RedFlagModel:
        """Rebuild a stored model; ValueError if it was made for another format or embedding model."""
        if data.get("format") != FORMAT:
            raise ValueError(f"red-flag model format {data.get('format')!r}, expected {FORMAT}; retrain it")
        if data.get("embedding") != embedding_name():
            raise ValueError(f"red-flag model was trained on {data.get('embedding')} embeddings; retrain it")
        vocabulary = {gram: i for i, gram in enumerate(data["vocabulary"])}
        weights = np.frombuffer(base64.b64decode(data["weights"]), dtype="<f2").astype(np.float32)
        if weights.shape != (DIMENSIONS + len(vocabulary),):
            raise ValueError(f"red-flag model has {weights.shape[0]} weights for {len(vocabulary)} n-grams")
        return cls(
            weights=weights,
            bias=float(data["bias"]),
            vocabulary=vocabulary,
            threshold=float(data["threshold"]),
            embedding=str(data["embedding"]),
            trained_on=dict(data.get("trained_on", {})),
        )


@cache
def get_model() -> RedFlagModel | None:
    """The stored model, loaded once per process; None (logged once) if it cannot be used."""
    try:
        return RedFlagModel.from_dict(json.loads(MODEL_PATH.read_text(encoding="utf-8")))
    except Exception:
        logger.exception("red-flag model unavailable; red flags come from the rules alone")
        return None


_embedding_failed = False


def possible_emergency(text: str, normalised: str) -> bool:
    """Whether the model thinks `text` describes an emergency. Never raises.

    `normalised` is `text` after `redflags._normalise`. Short texts get False without embedding
    (see MIN_WORDS). An embedding failure is logged once and then turns the model off for the
    process: it means a missing or broken model package, which does not mend while the process
    runs, and retrying would repeat the costly load on every keystroke.
    """
    global _embedding_failed
    if not long_enough(text) or _embedding_failed or (model := get_model()) is None:
        return False
    try:
        from search.embeddings import embed

        vectors = embed([text])
    except Exception:
        _embedding_failed = True
        logger.exception("embedding failed; red flags come from the rules alone")
        return False
    try:
        return bool(model.probabilities([normalised], vectors)[0] >= model.threshold)
    except Exception:
        logger.exception("red-flag model failed on a text")
        return False
