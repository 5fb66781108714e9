"""Scores how likely two patient questions ask the same thing (a calibrated probability).

A logistic regression over two cosines: of the pair encoder's vectors (MiniLM tuned on labelled question
pairs to tell the same question from another question on the same topic, search/pair_encoder.py) and of
the plain MiniLM embeddings. Word-overlap, question-kind, length and embedding-product features added
nothing measurable beside the tuned cosine (grouped CV on mqp_dev), and the length features pushed the
long title-and-body texts of real questions far past the short questions they were learned from, so
they are gone.

The weights live in `pair_model.json`, written by `bench/train_pair_scorer.py` from the pair encoder's
out-of-fold cosines, with the IDF table that full-text search uses to pick a query's rarest words.
score(a, b) == score(b, a).

MiniLM never learned Chinese: it puts any two Chinese questions close together (cosines of 0.7 to 0.8 for
a rash and a child's fever). A pair with a mostly Chinese side is scored from the share of character
pairs the two texts have in common instead (CHINESE_FEATURES), by a logistic fitted on Chinese askers'
titles against their own question and against other askers' questions of the same department.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from search.embeddings import DIMENSIONS, MODEL_NAME, MODEL_VERSION, embed
from search.pair_encoder import PAIR_DIMENSIONS, embed_for_pairs
from search.text import character_pairs, mostly_chinese

MODEL_PATH = Path(__file__).with_name("pair_model.json")
MODEL_FORMAT = 4

FloatArray = npt.NDArray[np.float32]

_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_WORD = re.compile(f"[{_CJK}]|[^\\W_]+", re.UNICODE)

# Function words and chat filler, question words among them: what a question is about is in the rest.
STOP_WORDS = frozenset(
    """
    a an the and or but if of to in on at for with from by as is are was were be been being am do does did
    have has had i me my mine we our you your he she it its they them their his her this that these those
    there here what which who whom whose when where why how can could should would will shall may might
    must not no yes so than then too very just also any some all about into over under after before up
    down out off again further once only own same such both each few more most other nor s t don doesn
    isn aren wasn weren hasn haven hadn won wouldn shouldn couldn im ive id dont cant whats hi hello hey
    dear doctor doc dr sir madam thanks thank please help get got
    """.split()
)
_SUFFIXES = ("ings", "ing", "edly", "ed", "ies", "es", "s", "ly")

FEATURE_NAMES = ("tuned_cosine", "cosine", "mpnet_cosine")


class PairModelError(RuntimeError):
    pass


def words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def stem(word: str) -> str:
    """A crude suffix stripper: enough to match "bleeding" with "bleeds" without a lemmatiser."""
    for suffix in _SUFFIXES:
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)] + ("y" if suffix == "ies" else "")
    return word


def content_terms(text: str) -> set[str]:
    """Stemmed words that say what a question is about (no function words, no single letters)."""
    return _content(words(text))


def _content(tokens: list[str]) -> set[str]:
    return {stem(w) for w in tokens if w not in STOP_WORDS and (len(w) > 1 or not w.isascii())}


class TermWeights:
    """Inverse document frequencies; a term never seen counts as if seen once (the rarest kind)."""

    def __init__(self, idf: dict[str, float], default: float) -> None:
        self.idf = idf
        self.default = default

    @classmethod
    def from_documents(cls, documents: Iterable[str], min_df: int = 2) -> TermWeights:
        """IDF from a corpus. Terms seen fewer than `min_df` times are left out (they get the default)."""
        df: dict[str, int] = {}
        n = 0
        for doc in documents:
            n += 1
            for term in content_terms(doc):
                df[term] = df.get(term, 0) + 1
        default = math.log((n + 1) / 2) + 1
        idf = {t: round(math.log((n + 1) / (c + 1)) + 1, 3) for t, c in sorted(df.items()) if c >= min_df}
        return cls(idf, round(default, 3))

    def __call__(self, term: str) -> float:
        return self.idf.get(term, self.default)

    def to_json(self) -> dict[str, Any]:
        return {"default": self.default, "terms": self.idf}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> TermWeights:
        return cls(dict(data["terms"]), float(data["default"]))


CHINESE_FEATURES = ("character_overlap", "pairs_shorter", "pairs_longer")


def chinese_features(a: str, b: str) -> list[float]:
    """CHINESE_FEATURES of a pair: the share of the shorter text's character pairs that the other text has
    too, and the log counts of both texts' pairs (longer texts share more pairs by chance)."""
    pairs_a, pairs_b = character_pairs(a), character_pairs(b)
    shorter, longer = sorted((len(pairs_a), len(pairs_b)))
    overlap = len(pairs_a & pairs_b) / shorter if shorter else 0.0
    return [overlap, math.log1p(shorter), math.log1p(longer)]


def _unit(vectors: FloatArray) -> FloatArray:
    # Stored vectors may have lost their unit length (float16 columns, other backends); the weights assume it.
    v = np.asarray(vectors, dtype=np.float32)
    v = v.reshape(-1, v.shape[-1])
    return v / np.clip(np.linalg.norm(v, axis=1, keepdims=True), 1e-12, None)


def pair_cosines(vectors_1: FloatArray, vectors_2: FloatArray) -> FloatArray:
    return (_unit(vectors_1) * _unit(vectors_2)).sum(axis=1)


def embed_unique(texts: Sequence[str], encode: Callable[[Sequence[str]], FloatArray] = embed) -> FloatArray:
    """Vectors of `texts` in order, each distinct text encoded once."""
    unique = list(dict.fromkeys(texts))
    row = {text: i for i, text in enumerate(unique)}
    return encode(unique)[[row[t] for t in texts]]


def _linear_model(
    model: dict[str, Any], *, kind: str, fmt: int, features: tuple[str, ...], trainer: str
) -> tuple[npt.NDArray[np.float64], float, TermWeights]:
    """Check a stored logistic regression against this code; return (weights, bias, word weights) with the
    standardisation folded into the weights, so that scoring is one matrix-vector product."""
    if model.get("format") != fmt:
        raise PairModelError(f"{kind} model format {model.get('format')!r}, expected {fmt}")
    if model.get("embedding_model") != MODEL_NAME or str(model.get("embedding_version")) != MODEL_VERSION:
        raise PairModelError(f"{kind} model was trained on other embeddings; retrain with {trainer}")
    if tuple(model["features"]) != features:
        raise PairModelError(f"{kind} model features do not match this code; retrain with {trainer}")
    means, scales, weights = (np.array(model[key], dtype=np.float64) for key in ("means", "scales", "weights"))
    bias = float(model["bias"]) - float((weights * means / scales).sum())
    return weights / scales, bias, TermWeights.from_json(model["idf"])


class PairScorer:
    """Loads pair_model.json once. `score` returns probabilities; 0.5 is the natural threshold."""

    def __init__(self, model: dict[str, Any]) -> None:
        weights, self._bias, self.idf = _linear_model(
            model, kind="pair", fmt=MODEL_FORMAT, features=FEATURE_NAMES, trainer="bench/train_pair_scorer.py"
        )
        self._weights = weights.astype(np.float32)
        chinese = model["chinese"]
        if tuple(chinese["features"]) != CHINESE_FEATURES:
            raise PairModelError("pair model's Chinese features do not match this code; retrain it")
        self._chinese = (np.array(chinese["weights"], dtype=np.float64), float(chinese["bias"]))

    @classmethod
    def load(cls, path: Path = MODEL_PATH) -> PairScorer:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise PairModelError(f"{path} is missing; run bench/train_pair_scorer.py") from exc
        return cls(data)

    def features(
        self,
        pairs: Sequence[tuple[str, str]],
        vectors: Sequence[tuple[FloatArray, FloatArray]] | FloatArray,
        pair_vectors: Sequence[tuple[FloatArray, FloatArray]] | FloatArray,
    ) -> FloatArray:
        """Rows of FEATURE_NAMES; per pair, the plain and the pair vectors of its two texts."""
        plain, both = self._stacked(pairs, vectors, DIMENSIONS), self._stacked(pairs, pair_vectors, PAIR_DIMENSIONS)
        tuned, mpnet = both[..., :DIMENSIONS], both[..., DIMENSIONS:]
        return np.stack([pair_cosines(v[:, 0], v[:, 1]) for v in (tuned, plain, mpnet)], axis=1)

    @staticmethod
    def _stacked(
        pairs: Sequence[tuple[str, str]], given: Sequence[tuple[FloatArray, FloatArray]] | FloatArray, width: int
    ) -> FloatArray:
        stacked = np.asarray(given, dtype=np.float32)
        if stacked.shape != (len(pairs), 2, width):
            raise ValueError(f"vectors have shape {stacked.shape}, expected ({len(pairs)}, 2, {width})")
        return stacked

    def score(
        self,
        pairs: Sequence[tuple[str, str]],
        vectors: Sequence[tuple[FloatArray, FloatArray]] | FloatArray | None = None,
        pair_vectors: Sequence[tuple[FloatArray, FloatArray]] | FloatArray | None = None,
    ) -> list[float]:
        """Probability that each pair asks the same question.

        `vectors` and `pair_vectors` give, per pair, the plain and the pair vectors of its two texts when
        they are already known (stored vectors, a search query); arrays of shape (pairs, 2, 384) and
        (pairs, 2, PAIR_DIMENSIONS) work too. Without them every distinct text is embedded once. A side
        without a single word asks nothing and scores 0.0: the embeddings of "" or "?" are not evidence. A
        pair with a mostly Chinese side is scored from its character pairs (CHINESE_FEATURES), without
        embeddings.
        """
        if not pairs:
            return []
        logits = np.empty(len(pairs))
        weight, bias = self._chinese
        other = []
        for i, (a, b) in enumerate(pairs):
            if mostly_chinese(a) or mostly_chinese(b):
                features = chinese_features(a, b)
                # A side without Chinese character pairs (another language) shares no evidence with the other.
                logits[i] = np.dot(weight, features) + bias if features[1] else -np.inf
            else:
                other.append(i)
        if other:
            rest = [pairs[i] for i in other]
            texts = [t for pair in rest for t in pair]

            def of_rest(
                given: Sequence[tuple[FloatArray, FloatArray]] | FloatArray | None,
                encode: Callable[[Sequence[str]], FloatArray],
                width: int,
            ) -> FloatArray:
                if given is None:
                    return embed_unique(texts, encode).reshape(len(rest), 2, width)
                return self._stacked(pairs, given, width)[other]

            plain = of_rest(vectors, embed, DIMENSIONS)
            tuned = of_rest(pair_vectors, embed_for_pairs, PAIR_DIMENSIONS)
            logits[other] = self.features(rest, plain, tuned) @ self._weights + self._bias
        probabilities = 1.0 / (1.0 + np.exp(-np.clip(logits, -30, 30)))
        return [_worded(pair, p) for pair, p in zip(pairs, probabilities, strict=True)]


def _worded(pair: tuple[str, str], probability: float) -> float:
    return float(probability) if _WORD.search(pair[0]) and _WORD.search(pair[1]) else 0.0


@cache
def get_scorer() -> PairScorer:
    return PairScorer.load()


# --- Consumer question to FAQ question ("does this FAQ answer it?") ----------------------------------
#
# A consumer's question is long and messy (a story, several sentences, typos); an FAQ question is short
# and clean and names one focus (a condition, a drug) and one kind of answer (symptoms, causes...). The
# FAQ answers the consumer when the consumer mentions its focus and wants that kind of answer, so the
# features measure those two things separately, in ways that survive noise: the best-matching sentence
# rather than the whole text, character trigrams for misspelt names.

FAQ_MODEL_PATH = Path(__file__).with_name("faq_model.json")
FAQ_MODEL_FORMAT = 1
MAX_SENTENCES = 8  # sentences of a consumer question embedded on their own; the rest only count as a whole

# Kinds of answer an FAQ gives, and the cue words by which a consumer asks for them. "information" (what
# is X?) is what an FAQ gives when it names no other kind.
ANSWER_TYPES: dict[str, re.Pattern[str]] = {
    name: re.compile(pattern)
    for name, pattern in {
        "symptoms": r"\b(symptoms?|signs?|feels? like|looks? like)\b",
        "causes": r"\b(caus\w*|why|reasons?|how (do|did|does|can) (you|i|people|one|someone) (get|catch)|triggers?)\b",
        "treatment": r"\b(treat\w*|cur(e|es|ed|ing)|remed\w*|therap\w*|medicines?|medications?|drugs?|pills?|"
        r"get rid|heal\w*|relie\w*|manag\w*|surger\w*|what (can|should) (i|be|we) (do|done|take)|what to do|"
        r"options?|feel better|cop(e|ing)|solutions?)\b",
        "diagnosis": r"\b(diagnos(e|ed|is|ing)|tests?|testing|exams?|screen\w*|detect\w*|check for)\b",
        "prevention": r"\b(prevent\w*|avoid\w*|(lower|reduce) (my|the|your|their) (risk|chance)|vaccin\w*)\b",
        "outlook": r"\b(outlook|prognos\w*|life expectancy|go away|get (better|worse)|long[- ]term|recover\w*|"
        r"survival|stages?|worse over time)\b",
        "genetics": r"\b(inherit\w*|hereditar\w*|genetic\w*|genes?|run in (the )?famil\w*|pass (it|\w+) (on|to))\b",
        "frequency": r"\b(how (many|common)|who gets|at risk|risk factors?|affected|prevalen\w*|common is)\b",
        "research": r"\b(research\w*|clinical trials?|studies|study|latest)\b",
        "complications": r"\b(complications?|problems can|lead to|long[- ]term effects?)\b",
        "support": r"\b(support groups?|organi[sz]ations?|where can i find|find a (doctor|specialist)|resources)\b",
        "information": r"\b(information|info|learn (more )?about|know (more )?about|tell me about|what (is|are)|"
        r"overview|mean|means)\b",
    }.items()
}
FAQ_TYPES = tuple(ANSWER_TYPES)
# Words of FAQ templates that are not part of the focus once the cue words are gone.
_FAQ_FILLER = frozenset(
    stem(w)
    for w in "people person someone anyone affected related changes being done learning researchers need know "
    "find additional try feel better time type kinds different forms".split()
)
_SENTENCE_END = re.compile(r"(?<=[.?!;])\s+|\n+|\s+\|\s*")

FAQ_LEXICAL_FEATURES = (
    "cosine",
    "max_sentence_cosine",
    "focus_coverage",
    "focus_fuzzy",
    "focus_all_found",
    "faq_coverage",
    "type_match",
    "type_match_x_focus",
    "consumer_no_type",
    "consumer_type_count",
    "generic_x_focus",
    "consumer_length",
    "sentence_count",
)
FAQ_FEATURE_NAMES = (
    *FAQ_LEXICAL_FEATURES,
    *(f"faq_is_{t}" for t in FAQ_TYPES),
    *(f"match_{t}" for t in FAQ_TYPES),
)


def sentences(text: str) -> list[str]:
    """The sentences (and subject-line fragments) of a text, at most MAX_SENTENCES, in order."""
    parts = [p.strip() for p in _SENTENCE_END.split(text) if p and len(p.strip()) > 1]
    return parts[:MAX_SENTENCES] or [text]


def answer_types(text: str) -> frozenset[str]:
    """The kinds of answer a text asks for or gives (see ANSWER_TYPES)."""
    lowered = text.lower()
    return frozenset(name for name, pattern in ANSWER_TYPES.items() if pattern.search(lowered))


def faq_types(text: str) -> frozenset[str]:
    """The kinds of answer an FAQ question promises: its specific kinds, else "information"."""
    found = answer_types(text) - {"information"}
    return found or frozenset({"information"})


def focus_terms(faq: str) -> frozenset[str]:
    """The stemmed words naming what an FAQ is about: its words without the template and cue words."""
    lowered = faq.lower()
    for pattern in ANSWER_TYPES.values():
        lowered = pattern.sub(" ", lowered)
    return frozenset(t for t in _content(_WORD.findall(lowered)) if t not in _FAQ_FILLER)


@lru_cache(maxsize=65536)
def _trigrams(word: str) -> frozenset[str]:
    padded = f"#{word}#"
    return frozenset(padded[i : i + 3] for i in range(len(padded) - 2))


def _fuzzy(term: str, candidates: Collection[str]) -> float:
    """How well the closest candidate word spells `term` (trigram Jaccard; 1.0 for an exact match)."""
    if term in candidates:
        return 1.0
    grams = _trigrams(term)
    best = 0.0
    for word in candidates:
        if abs(len(word) - len(term)) <= 3:
            other = _trigrams(word)
            best = max(best, len(grams & other) / len(grams | other))
    return best


def faq_lexical_features(consumer: str, faq: str, idf: TermWeights) -> list[float]:
    """The word-level features of one (consumer question, FAQ question) pair, in FAQ_FEATURE_NAMES order
    after the two cosines."""
    consumer_terms = content_terms(consumer)
    focus = focus_terms(faq)
    faq_terms = content_terms(faq)
    weights = {t: idf(t) for t in focus}
    total = sum(weights.values())
    exact = sum(w for t, w in weights.items() if t in consumer_terms)
    fuzzy = {t: _fuzzy(t, consumer_terms) for t in focus}
    focus_fuzzy = sum(weights[t] * fuzzy[t] for t in focus) / total if total else 0.0
    faq_weight = sum(idf(t) for t in faq_terms)
    asked = answer_types(consumer)
    promised = faq_types(faq)
    match = float(bool(asked & promised))
    generic = "information" in promised and asked <= {"information"}
    lexical = [
        exact / total if total else 0.0,
        focus_fuzzy,
        float(bool(focus) and min(fuzzy.values()) >= 0.6),
        sum(idf(t) for t in faq_terms & consumer_terms) / faq_weight if faq_weight else 0.0,
        match,
        match * focus_fuzzy,
        float(not (asked - {"information"})),
        float(len(asked)),
        float(generic) * focus_fuzzy,
        math.log(1 + len(_WORD.findall(consumer))),
        float(len(sentences(consumer))),
    ]
    return [
        *lexical,
        *(float(t in promised) for t in FAQ_TYPES),
        *(float(t in promised and t in asked) for t in FAQ_TYPES),
    ]


class FaqScorer:
    """Loads faq_model.json once. `score` returns the probability that the FAQ answers the consumer."""

    def __init__(self, model: dict[str, Any]) -> None:
        self._weights, self._bias, self.idf = _linear_model(
            model, kind="faq", fmt=FAQ_MODEL_FORMAT, features=FAQ_FEATURE_NAMES, trainer="bench/train_faq_scorer.py"
        )

    @classmethod
    def load(cls, path: Path = FAQ_MODEL_PATH) -> FaqScorer:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise PairModelError(f"{path} is missing; run bench/train_faq_scorer.py") from exc
        return cls(data)

    def features(self, pairs: Sequence[tuple[str, str]], vectors: dict[str, FloatArray]) -> npt.NDArray[np.float64]:
        """Rows of FAQ_FEATURE_NAMES; `vectors` holds the unit embedding of every text and sentence."""
        rows = []
        for consumer, faq in pairs:
            question = vectors[faq]
            best = max(float(vectors[s] @ question) for s in sentences(consumer))
            whole = float(vectors[consumer] @ question)
            rows.append([whole, max(best, whole), *faq_lexical_features(consumer, faq, self.idf)])
        return np.array(rows, dtype=np.float64).reshape(-1, len(FAQ_FEATURE_NAMES))

    def score(self, pairs: Sequence[tuple[str, str]], known: Mapping[str, FloatArray] | None = None) -> list[float]:
        """Probability that each FAQ question (second) answers its consumer question (first).

        `known` gives the unit embeddings of texts already embedded (stored FAQ questions, a search query);
        every other text and sentence is embedded here, once."""
        if not pairs:
            return []
        vectors = dict(known or {})
        texts = [t for t in dict.fromkeys(t for c, f in pairs for t in (c, f, *sentences(c))) if t not in vectors]
        vectors.update(zip(texts, embed(texts), strict=True))
        logits = self.features(pairs, vectors) @ self._weights + self._bias
        probabilities = 1.0 / (1.0 + np.exp(-np.clip(logits, -30, 30)))
        return [_worded(pair, p) for pair, p in zip(pairs, probabilities, strict=True)]


@cache
def get_faq_scorer() -> FaqScorer:
    return FaqScorer.load()


def score_pairs(pairs: Sequence[tuple[str, str]], kind: str = "similar") -> list[float]:
    """Scores of (text, text) pairs, embedding each distinct text once.

    kind "similar": the probability that two patient questions ask the same thing (Similar Q&A).
    kind "faq": the probability that the FAQ question (second) answers the consumer question (first).
    """
    if kind == "similar":
        return get_scorer().score(pairs)
    if kind == "faq":
        return get_faq_scorer().score(pairs)
    raise ValueError(f"unknown kind of pair {kind!r}: expected 'similar' or 'faq'")
