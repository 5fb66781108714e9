"""The in-memory vector index: every published question's embedding in one numpy matrix per process.

Vectors live in the database (QuestionEmbedding); each process keeps a copy and brings it up to
date when the table changes, checking at most every SEARCH_INDEX_REFRESH_SECONDS.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Collection

import numpy as np
from django.conf import settings
from django.db.models import Count, Max

from .embeddings import DIMENSIONS, MODEL_NAME, MODEL_VERSION
from .models import QuestionEmbedding


class VectorIndex:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._ids = np.zeros(0, dtype=np.int64)
        self._departments = np.zeros(0, dtype=np.int64)
        self._matrix = np.zeros((0, DIMENSIONS), dtype=np.float32)
        self._stamp: tuple[int, object] | None = None
        self._checked_at = 0.0

    def _current(self) -> QuestionEmbedding.objects.__class__:  # type: ignore[name-defined]
        return QuestionEmbedding.objects.filter(model_name=MODEL_NAME, model_version=MODEL_VERSION)

    def refresh(self, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._checked_at < settings.SEARCH_INDEX_REFRESH_SECONDS:
            return
        with self._lock:
            self._checked_at = now
            summary = self._current().aggregate(count=Count("pk"), latest=Max("updated_at"))
            stamp = (summary["count"], summary["latest"])
            if stamp == self._stamp and not force:
                return
            rows = self._current().values_list("question_id", "question__department_id", "vector")
            ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
            departments = np.fromiter((r[1] or 0 for r in rows), dtype=np.int64, count=len(rows))
            matrix = np.frombuffer(b"".join(bytes(r[2]) for r in rows), dtype=np.float32).reshape(-1, DIMENSIONS)
            self._ids, self._departments, self._matrix, self._stamp = ids, departments, matrix, stamp

    def search(
        self,
        vector: np.ndarray,
        *,
        limit: int = 50,
        department_id: int | None = None,
        exclude: Collection[int] = (),
    ) -> list[tuple[int, float]]:
        """Ids of the nearest published questions by cosine similarity, best first."""
        self.refresh()
        ids, departments, matrix = self._ids, self._departments, self._matrix
        if not len(ids):
            return []
        scores = matrix @ vector.astype(np.float32)
        if department_id is not None:
            scores = np.where(departments == department_id, scores, -np.inf)
        if exclude:
            scores = np.where(np.isin(ids, np.fromiter(exclude, dtype=np.int64)), -np.inf, scores)
        take = min(limit, len(ids))
        top = np.argpartition(-scores, take - 1)[:take]
        top = top[np.argsort(-scores[top])]
        return [(int(ids[i]), float(scores[i])) for i in top if np.isfinite(scores[i])]


index = VectorIndex()
