"""Which reference articles answer a patient's question: the one place that decides it.

Candidates come from meaning (cosine of MiniLM embeddings of the question and of each article's
question) with a bonus for the article's words found in the patient's text, because a consumer's
question is long and messy while an FAQ question is short and clean: what matters is how much of the
FAQ the patient's text covers, not the other way round. The best candidates then get their final
score from `final_scores` (the FAQ pair scorer of search.pairs), and weak ones are dropped.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from django.conf import settings
from django.db.models import Count, Max, QuerySet

from search.embeddings import DIMENSIONS, MODEL_NAME, MODEL_VERSION, embed
from search.pairs import PairModelError, content_terms, get_faq_scorer
from search.vectors import best_positions

from .models import ArticleEmbedding, ReferenceArticle

logger = logging.getLogger(__name__)

POOL = 50  # candidates taken from the vector index
RERANK = 15  # candidates given a final score (the FAQ scorer embeds each, so not many)
WORD_WEIGHT = 0.15  # what covering every word of the article's question adds to the cosine
# The final score an article needs to count as answering the question. The FAQ pair scorer gives a
# probability (0.5 is its natural threshold); plain cosine, used only when its model is missing, is
# lower for a long consumer question against a short FAQ question, even when the FAQ answers it.
MIN_FAQ_PROBABILITY = 0.5
MIN_COSINE = 0.45
# An article about another condition than the best match's must come near it: far below it, it shares a
# word or two with the question ("my children have measles" -> "Cancer in Children") and would bring a
# wrong condition into More Info. Articles on the best match's own condition are kept at any score.
OTHER_FOCUS_MARGIN = 0.3


def article_text(article: ReferenceArticle) -> str:
    """What an article is matched by: its question, which names its focus ("What causes Gout?")."""
    if article.title.lower() in article.question.lower():
        return article.question
    return f"{article.title}: {article.question}"


@dataclass(frozen=True)
class _Snapshot:
    ids: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    matrix: np.ndarray = field(default_factory=lambda: np.zeros((0, DIMENSIONS), dtype=np.float32))
    stamp: tuple[int, object] | None = None


def _current() -> QuerySet[ArticleEmbedding]:
    return ArticleEmbedding.objects.filter(
        model_name=MODEL_NAME, model_version=MODEL_VERSION, article__withdrawn_at__isnull=True
    )


class ArticleIndex:
    """Every current article's vector in one matrix per process, reloaded when the table changes.

    Only background tasks match articles, so a full reload on change is cheap enough (16,000 articles
    load in well under a second) and simpler than the question index's incremental refresh.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._snapshot = _Snapshot()
        self._checked_at = -float("inf")

    def refresh(self, force: bool = False) -> _Snapshot:
        now = time.monotonic()
        if not force and now - self._checked_at < settings.SEARCH_INDEX_REFRESH_SECONDS:
            return self._snapshot
        with self._lock:
            self._checked_at = now
            summary = _current().aggregate(count=Count("pk"), latest=Max("updated_at"))
            stamp = (summary["count"], summary["latest"])
            if force or stamp != self._snapshot.stamp:
                rows = list(_current().values_list("article_id", "vector"))
                ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
                matrix = np.frombuffer(b"".join(bytes(r[1]) for r in rows), dtype=np.float32)
                self._snapshot = _Snapshot(ids=ids, matrix=matrix.reshape(-1, DIMENSIONS).copy(), stamp=stamp)
            return self._snapshot

    def vectors(self, ids: Sequence[int]) -> dict[int, np.ndarray]:
        """The stored vectors of these articles (those the index holds)."""
        snap = self.refresh()
        rows = np.flatnonzero(np.isin(snap.ids, np.asarray(ids, dtype=np.int64)))
        return {int(snap.ids[i]): snap.matrix[i] for i in rows}

    def search(self, vector: np.ndarray, *, limit: int = POOL) -> list[tuple[int, float]]:
        snap = self.refresh()
        if not len(snap.ids):
            return []
        scores = snap.matrix @ vector.astype(np.float32)
        return [(int(snap.ids[i]), float(scores[i])) for i in best_positions(scores, limit)]


index = ArticleIndex()


@dataclass(frozen=True)
class Match:
    article: ReferenceArticle
    score: float
    cosine: float
    words: float


def word_coverage(text_terms: set[str], article: ReferenceArticle) -> float:
    """Share of the article's content words that the patient's text contains."""
    terms = content_terms(article_text(article))
    return len(terms & text_terms) / len(terms) if terms else 0.0


def scorer_name() -> str:
    try:
        get_faq_scorer()
    except PairModelError:
        return "plain cosine"
    return "the FAQ pair scorer (search.pairs, kind faq)"


def final_scores(
    text: str, candidates: Sequence[Match], known: Mapping[str, np.ndarray] | None = None
) -> tuple[list[float], float]:
    """The scores candidates are ranked by, and the least score that keeps one.

    The FAQ pair scorer of Related FAQ (`search.pairs.score_pairs(kind="faq")`), trained to tell whether
    an FAQ question answers a consumer's question; plain cosine if its model file is missing. `known` gives
    vectors already at hand (the text's, the articles' stored ones), so that only the rest is embedded.
    """
    if not candidates:
        return [], MIN_FAQ_PROBABILITY
    try:
        pairs = [(text, article_text(c.article)) for c in candidates]
        return get_faq_scorer().score(pairs, known), MIN_FAQ_PROBABILITY
    except PairModelError as error:
        logger.warning("Related FAQ falls back to plain cosine: %s", error)
        return [c.cosine for c in candidates], MIN_COSINE


def match_articles(text: str, *, vector: np.ndarray | None = None, limit: int = 5) -> list[Match]:
    """Current reference articles that answer `text`, best first, at most `limit`."""
    text = text.strip()[:4000]
    if not text or not len(index.refresh().ids):
        return []
    if vector is None:
        vector = embed([text])[0]
    hits = dict(index.search(vector, limit=POOL))
    articles = {a.pk: a for a in ReferenceArticle.objects.current().filter(pk__in=hits)}
    terms = content_terms(text)
    pool = []
    for pk, cosine in hits.items():
        if pk in articles:
            words = word_coverage(terms, articles[pk])
            pool.append(Match(article=articles[pk], score=cosine + WORD_WEIGHT * words, cosine=cosine, words=words))
    pool.sort(key=lambda m: (-m.score, m.article.pk))
    # Libraries repeat themselves (MedQuAD has some questions twice, from two NIH sites): keep the first.
    seen: set[str] = set()
    unique = []
    for match in pool:
        key = " ".join(article_text(match.article).lower().split())
        if key not in seen:
            seen.add(key)
            unique.append(match)
    pool = unique[:RERANK]
    stored = index.vectors([m.article.pk for m in pool])
    known = {article_text(m.article): stored[m.article.pk] for m in pool if m.article.pk in stored}
    scores, least = final_scores(text, pool, {**known, text: vector})
    scored = [
        Match(article=m.article, score=s, cosine=m.cosine, words=m.words)
        for m, s in zip(pool, scores, strict=True)
        if s >= least
    ]
    scored.sort(key=lambda m: (-m.score, m.article.pk))
    if scored:
        best = scored[0]
        focus = (best.article.source, best.article.title)
        scored = [
            m
            for m in scored
            if (m.article.source, m.article.title) == focus or m.score >= best.score - OTHER_FOCUS_MARGIN
        ]
    return scored[:limit]
