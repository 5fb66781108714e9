"""The one ranking behind Similar Q&A, "already answered?" while asking, search and the API.

Candidates come from meaning (cosine of embeddings, in-memory index) and from words (full-text
index); they are merged into one score where meaning leads and shared words add. Question-to-question
matching (Similar Q&A and the ask form) keeps the candidates on the same topic (a cosine floor); Similar
Q&A then re-scores them by the learned pair scorer, which tells "the same question" from "the same
topic", and drops weak matches.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from questions.models import Question

from . import fulltext
from .embeddings import embed
from .models import QuestionEmbedding
from .pair_encoder import embed_for_pairs, pair_version
from .pairs import get_scorer
from .text import QUESTION_TEXT_FIELDS, mostly_chinese, question_text
from .vectors import index

POOL = 50  # candidates taken from each of the two indexes
WORD_WEIGHT = 0.15  # how much a full word match adds to a cosine similarity
SEARCH_MIN_MEANING = 0.30  # results without a shared word need at least this cosine
RERANK = 20  # candidates re-scored by the pair scorer
# Pair-scorer probability ("asks the same thing") below which Similar Q&A does not show a question. It
# shows questions on the same problem, not only the same question: at 0.2, 94% of the dev set's
# same-question pairs pass and 32% of its same-topic, different-question pairs (0.5 would pass 86% and 13%).
# On Chinese questions (scored by shared characters) it passes 93% of askers' titles against their own
# question, and 17% of other askers' questions of the same department against each other.
SIMILAR_MIN_PAIR = 0.2
# The pair scorer learned from same-topic pairs; below this cosine (under which only 2% of the dev
# set's same-question pairs fall) a candidate is off topic whatever the scorer says.
SIMILAR_MIN_MEANING = 0.5


@lru_cache(maxsize=512)
def query_vector(text: str) -> np.ndarray:
    """The embedding of a query, remembered: the next page of results, or the same words re-sent while
    typing, costs no model run."""
    vector = embed([text[:4000]])[0]
    vector.flags.writeable = False
    return vector


@dataclass(frozen=True)
class Hit:
    question_id: int
    score: float
    meaning: float
    words: float


def hybrid(
    text: str,
    *,
    vector: np.ndarray | None = None,
    department_id: int | None = None,
    exclude: Collection[int] = (),
    limit: int = POOL,
) -> list[Hit]:
    """Published questions matching `text` by meaning and words, best first."""
    if not text.strip():
        return []
    if vector is None:
        vector = query_vector(text)
    meaning = dict(index.search(vector, limit=POOL, department_id=department_id, exclude=exclude))
    word_hits = [
        (pk, s) for pk, s in fulltext.search(text, limit=POOL, department_id=department_id) if pk not in exclude
    ]
    best_words = max((s for _, s in word_hits), default=0.0)
    words = {pk: s / best_words for pk, s in word_hits} if best_words > 0 else {}
    missing = [pk for pk in words if pk not in meaning]
    meaning.update(index.similarity(vector, missing))
    hits = []
    for pk in meaning.keys() | words.keys():
        cosine, word = meaning.get(pk, 0.0), words.get(pk, 0.0)
        if word == 0.0 and cosine < SEARCH_MIN_MEANING:
            continue
        hits.append(Hit(question_id=pk, score=cosine + WORD_WEIGHT * word, meaning=cosine, words=word))
    hits.sort(key=lambda hit: (-hit.score, hit.question_id))
    return hits[:limit]


def on_topic(text: str, *, vector: np.ndarray | None = None, exclude: Collection[int] = ()) -> list[Hit]:
    """The best RERANK questions by words and meaning that are about the same thing as `text` (cosine
    floor), best first."""
    return [h for h in hybrid(text, vector=vector, exclude=exclude, limit=RERANK) if h.meaning >= SIMILAR_MIN_MEANING]


def stored_pair_vectors(question_ids: Collection[int]) -> dict[int, np.ndarray]:
    """The stored pair-encoder vectors of these questions, where they are current."""
    version = pair_version()
    rows = QuestionEmbedding.objects.filter(question_id__in=question_ids).only("pair_version", "pair_vector")
    return {row.question_id: vector for row in rows if (vector := row.pair_array(version)) is not None}


def similar_questions(
    text: str,
    *,
    vector: np.ndarray | None = None,
    pair_vector: np.ndarray | None = None,
    exclude: Collection[int] = (),
    limit: int = 5,
) -> list[Hit]:
    """Answered questions on the same problem as `text`, most likely the same question first, at most
    `limit`.

    `vector` and `pair_vector` are the text's embeddings by the search model and the pair encoder when
    they are known (a stored question's); candidates indexed before their pair vector existed get one here."""
    candidates = on_topic(text, vector=vector, exclude=exclude)
    if not candidates:
        return []
    if vector is None:
        vector = query_vector(text)
    rows = Question.objects.filter(pk__in=[h.question_id for h in candidates]).only(*QUESTION_TEXT_FIELDS)
    texts = {q.pk: question_text(q) for q in rows.order_by()}
    vectors = index.vectors(texts.keys())
    kept = [h for h in candidates if h.question_id in texts and h.question_id in vectors]
    if not kept:
        return []
    tuned = None  # a mostly Chinese text is scored from its character pairs alone (PairScorer.score)
    if not mostly_chinese(text):
        if pair_vector is None:
            pair_vector = embed_for_pairs([text])[0]
        pair_vectors = stored_pair_vectors([h.question_id for h in kept])
        missing = [h.question_id for h in kept if h.question_id not in pair_vectors]
        if missing:
            pair_vectors.update(zip(missing, embed_for_pairs([texts[pk] for pk in missing]), strict=True))
        tuned = [(pair_vector, pair_vectors[h.question_id]) for h in kept]
    scores = get_scorer().score(
        [(text, texts[h.question_id]) for h in kept],
        vectors=[(vector, vectors[h.question_id]) for h in kept],
        pair_vectors=tuned,
    )
    rescored = [
        Hit(question_id=h.question_id, score=float(s), meaning=h.meaning, words=h.words)
        for h, s in zip(kept, scores, strict=True)
        if s >= SIMILAR_MIN_PAIR
    ]
    rescored.sort(key=lambda hit: (-hit.score, hit.question_id))
    return rescored[:limit]
