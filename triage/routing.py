"""Department suggestions for a question, from its text: a small softmax regression in numpy.

Features are the sentence embedding (all-MiniLM-L6-v2) and, because that model understands little
Chinese, a bag of Chinese character unigrams and bigrams; the embedding is faded out in proportion to
how much of the text is Chinese. The model is trained on the seed descriptions of the departments
(`department_profiles` and the Related FAQ topic names) together with the platform's own history:
every answered question's final department is a label. Each history example counts more than a seed
phrase, so as history grows it dominates, while the seeds keep departments that rarely get questions
reachable. Class priors come only from the learned biases, so a busy department is favoured modestly.

Hyperparameters were chosen on iCliniq questions (`bench/routing_quality.py`); the confidences are
temperature-scaled so that "0.8" means roughly "right eight times in ten" on questions of that kind.
"""

from __future__ import annotations

import base64
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from triage.department_profiles import PROFILES

Embedder = Callable[[Sequence[str]], np.ndarray]

FORMAT = 1
DIMENSIONS = 384
HISTORY_WEIGHT = 2.0  # one answered question counts as much as two seed phrases
L2 = 0.5  # total ridge penalty; divided by the total example weight, so more data means less shrinkage
ITERATIONS = 200
LEARNING_RATE = 0.05
TEMPERATURE = 0.55  # fitted on held-out questions for this L2; the ridge penalty makes raw logits timid
MAX_NGRAMS = 4096
# When the most likely department has at least this confidence, a "not sure" question goes there
# rather than to the moderators' triage queue (about nine in ten such guesses were right in the bench).
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_LATIN = re.compile(r"[A-Za-z]")
_LATIN_PER_CJK = 4  # about as many Latin letters carry the meaning of one Chinese character


def embedding_name() -> str:
    from search.embeddings import MODEL_NAME, MODEL_VERSION

    return f"{MODEL_NAME}/{MODEL_VERSION}"


def _default_embedder(texts: Sequence[str]) -> np.ndarray:
    from search.embeddings import embed

    return embed(texts)


def _ngrams(text: str) -> set[str]:
    grams: set[str] = set()
    for run in _CJK_RUN.findall(text):
        grams.update(run)
        grams.update(run[i : i + 2] for i in range(len(run) - 1))
    return grams


def english_share(text: str) -> float:
    """How much of the text the English-centric embedding can read: 1 for English, 0 for Chinese."""
    cjk = len(_CJK.findall(text))
    latin = len(_LATIN.findall(text)) / _LATIN_PER_CJK
    return 1.0 if cjk + latin == 0 else latin / (cjk + latin)


def features(
    texts: Sequence[str],
    vectors: np.ndarray,
    vocabulary: dict[str, int],
    *,
    grams: Callable[[str], set[str]] = _ngrams,
    floor: int = 1,
) -> np.ndarray:
    """One row per text: the embedding faded by its English share, then the n-gram columns.

    N-gram columns are scaled by 1/sqrt(max(n, floor)), so a floor keeps the few n-grams of a short
    text from weighing as much as the many of a long one.
    """
    x = np.zeros((len(texts), DIMENSIONS + len(vocabulary)), dtype=np.float32)
    for row, text in enumerate(texts):
        x[row, :DIMENSIONS] = vectors[row] * english_share(text)
        columns = [DIMENSIONS + vocabulary[g] for g in grams(text) if g in vocabulary]
        if columns:
            x[row, columns] = 1.0 / np.sqrt(max(len(columns), floor))
    return x


def _softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    p = np.exp(z)
    return np.asarray(p / p.sum(axis=1, keepdims=True))


@dataclass(eq=False)  # numpy fields: compare predictions, not models
class RouterModel:
    departments: list[str]
    weights: np.ndarray  # (features, departments) float32; the first DIMENSIONS rows read the embedding
    bias: np.ndarray  # (departments,) float32
    vocabulary: dict[str, int]  # Chinese n-gram -> column after the embedding
    temperature: float = TEMPERATURE
    embedding: str = field(default_factory=embedding_name)
    trained_on: dict[str, Any] = field(default_factory=dict)  # counts, for the operator

    def probabilities(self, texts: Sequence[str], vectors: np.ndarray | None = None) -> np.ndarray:
        """Return (len(texts), departments) probabilities; pass `vectors` if the texts are already embedded."""
        if not texts:
            return np.zeros((0, len(self.departments)), dtype=np.float32)
        if vectors is None:
            vectors = _default_embedder(texts)
        logits = features(texts, vectors, self.vocabulary) @ self.weights + self.bias
        return _softmax(logits / self.temperature)

    def predict_many(
        self, texts: Sequence[str], k: int = 3, *, vectors: np.ndarray | None = None
    ) -> list[list[tuple[str, float]]]:
        """The k most likely department slugs for each text, best first; an empty list for a blank text."""
        texts = list(texts)
        blank = [not text.strip() for text in texts]
        if all(blank):
            return [[] for _ in texts]
        if vectors is None:
            vectors = _default_embedder(texts)
        probabilities = self.probabilities(texts, vectors)
        results: list[list[tuple[str, float]]] = []
        for row, is_blank in zip(probabilities, blank, strict=True):
            best = np.argsort(-row, kind="stable")[: 0 if is_blank else k]
            results.append([(self.departments[i], float(row[i])) for i in best])
        return results

    def predict(self, text: str, k: int = 3) -> list[tuple[str, float]]:
        return self.predict_many([text], k)[0]

    def prior(self, k: int = 3) -> list[tuple[str, float]]:
        """The k departments most likely before reading any text (from the learned biases)."""
        row = _softmax(self.bias[None, :] / self.temperature)[0]
        return [(self.departments[i], float(row[i])) for i in np.argsort(-row, kind="stable")[:k]]

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "embedding": self.embedding,
            "departments": self.departments,
            "vocabulary": sorted(self.vocabulary, key=self.vocabulary.__getitem__),
            # float16 keeps the stored model small; train() already rounded the weights to it
            "weights": base64.b64encode(self.weights.astype("<f2").tobytes()).decode("ascii"),
            "bias": [float(b) for b in self.bias],
            "temperature": self.temperature,
            "trained_on": self.trained_on,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RouterModel:
        """Rebuild a stored model; ValueError if it was made for another format or embedding model."""
        if data.get("format") != FORMAT:
            raise ValueError(f"Router model format {data.get('format')!r}, expected {FORMAT}; retrain it.")
        if data["embedding"] != embedding_name():
            raise ValueError(f"Router model was trained on {data['embedding']} embeddings; retrain it.")
        departments = list(data["departments"])
        vocabulary = {gram: i for i, gram in enumerate(data["vocabulary"])}
        raw = np.frombuffer(base64.b64decode(data["weights"]), dtype="<f2")
        weights = raw.astype(np.float32).reshape(DIMENSIONS + len(vocabulary), len(departments))
        return cls(
            departments=departments,
            weights=weights,
            bias=np.array(data["bias"], dtype=np.float32),
            vocabulary=vocabulary,
            temperature=float(data["temperature"]),
            embedding=data["embedding"],
            trained_on=dict(data.get("trained_on", {})),
        )


def seed_examples(topics: Iterable[tuple[str, str, str]] = ()) -> list[tuple[str, str]]:
    """(text, department slug) pairs from the written profiles and the Related FAQ topic names.

    `topics` are (department slug, English name, Chinese name) triples, as stored in the database.
    """
    examples = [(phrase, slug) for slug, phrases in PROFILES.items() for phrase in phrases]
    for slug, name_en, name_zh in topics:
        examples.extend((name, slug) for name in (name_en, name_zh) if name.strip())
    return examples


def _fit(x: np.ndarray, y: np.ndarray, sample_weight: np.ndarray, classes: int) -> tuple[np.ndarray, np.ndarray]:
    """Weighted multinomial logistic regression with a ridge penalty, full-batch Adam."""
    w = (sample_weight / sample_weight.sum()).astype(np.float32)
    l2 = np.float32(L2 / sample_weight.sum())
    targets = np.zeros((len(y), classes), dtype=np.float32)
    targets[np.arange(len(y)), y] = 1.0
    weights = np.zeros((x.shape[1], classes), dtype=np.float32)
    bias = np.zeros(classes, dtype=np.float32)
    moments = [np.zeros_like(weights), np.zeros_like(weights), np.zeros_like(bias), np.zeros_like(bias)]
    beta1, beta2 = 0.9, 0.999
    for step in range(1, ITERATIONS + 1):
        gradient = (_softmax(x @ weights + bias) - targets) * w[:, None]
        grad_weights = x.T @ gradient + l2 * weights
        grad_bias = gradient.sum(axis=0)
        rate = LEARNING_RATE * np.sqrt(1 - beta2**step) / (1 - beta1**step)
        for param, grad, m, v in ((weights, grad_weights, *moments[:2]), (bias, grad_bias, *moments[2:])):
            m *= beta1
            m += (1 - beta1) * grad
            v *= beta2
            v += (1 - beta2) * grad * grad
            param -= rate * m / (np.sqrt(v) + 1e-8)
    return weights, bias


def train(
    examples: Sequence[tuple[str, str]],
    departments: Sequence[str],
    *,
    seeds: Sequence[tuple[str, str]] = (),
    embedder: Embedder | None = None,
    known: Mapping[str, np.ndarray] | None = None,
) -> RouterModel:
    """Train a router on (text, department slug) pairs.

    `examples` are the platform's answered questions with their final department; `seeds` are
    `seed_examples(topics)`. Passing seeds separately lets history outweigh them; training on the
    seeds alone as `examples` works too. Labels outside `departments` are skipped and counted.
    `known` holds vectors already computed for some texts; only the others are embedded.
    """
    departments = list(departments)
    if not departments:
        raise ValueError("No departments to route to.")
    index = {slug: i for i, slug in enumerate(departments)}
    rows = [(text, index[slug], 1.0) for text, slug in seeds if slug in index and text.strip()]
    rows += [(text, index[slug], HISTORY_WEIGHT) for text, slug in examples if slug in index and text.strip()]
    skipped = len(seeds) + len(examples) - len(rows)
    if not rows:
        raise ValueError("No examples with a known department.")
    texts = [text for text, _, _ in rows]
    y = np.array([label for _, label, _ in rows])
    sample_weight = np.array([weight for _, _, weight in rows], dtype=np.float32)

    frequency = Counter(gram for text in texts for gram in _ngrams(text))
    kept = sorted(frequency, key=lambda gram: (-frequency[gram], gram))[:MAX_NGRAMS]
    vocabulary = {gram: i for i, gram in enumerate(sorted(kept))}

    known = known or {}
    missing = [text for text in dict.fromkeys(texts) if text not in known]
    computed = dict(zip(missing, (embedder or _default_embedder)(missing), strict=True)) if missing else {}
    vectors = np.stack([known[text] if text in known else computed[text] for text in texts])
    weights, bias = _fit(features(texts, vectors, vocabulary), y, sample_weight, len(departments))
    history = Counter(slug for text, slug in examples if slug in index and text.strip())
    return RouterModel(
        departments=departments,
        # Rounded to float16 now, so a model read back from storage predicts exactly the same.
        weights=weights.astype(np.float16).astype(np.float32),
        bias=bias,
        vocabulary=vocabulary,
        trained_on={
            "seeds": len(rows) - sum(history.values()),
            "history": sum(history.values()),
            "skipped": skipped,
            "history_by_department": dict(sorted(history.items())),
        },
    )
