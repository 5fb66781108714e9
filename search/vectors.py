"""The in-memory vector index: every published question's embedding in one numpy matrix per process.

Vectors live in the database (QuestionEmbedding); each process keeps a copy and reloads what changed.
Every SEARCH_INDEX_REFRESH_SECONDS it reads the one-row IndexState, whose version the indexing service
bumps; only when that moved (or every FULL_CHECK_SECONDS, to catch rows removed behind the services'
back, such as a question deleted in the admin) does it count and compare the table.

Reading the whole matrix for each query costs its size in memory traffic (154 MB, about 14 ms here, at
100,000 questions). From COARSE_ROWS rows on, a search first scans the vectors projected on their top
COARSE_DIMENSIONS principal directions (a third of the bytes) for a shortlist, and ranks only that
by the full vectors: on real MiniLM vectors the shortlist held all of the exact top 50.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Collection
from dataclasses import dataclass, field

import numpy as np
from django.conf import settings
from django.db.models import Count, Max, QuerySet

from .embeddings import DIMENSIONS, MODEL_NAME, MODEL_VERSION
from .models import IndexState, QuestionEmbedding

FULL_CHECK_SECONDS = 60
COARSE_ROWS = 20_000
COARSE_DIMENSIONS = 128
SHORTLIST = 500  # at least; ten times the limit when that is more
_BASIS_SAMPLE = 20_000


@dataclass(frozen=True)
class Snapshot:
    """Swapped in whole, so a reader never sees ids of one load with the matrix of another."""

    ids: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    departments: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    matrix: np.ndarray = field(default_factory=lambda: np.zeros((0, DIMENSIONS), dtype=np.float32))
    rows: dict[int, int] = field(default_factory=dict)
    # From COARSE_ROWS rows on: the basis (DIMENSIONS, COARSE_DIMENSIONS) and the matrix projected on it.
    projection: tuple[np.ndarray, np.ndarray] | None = None
    stamp: tuple[int, object] | None = None
    version: int = -1

    def search(
        self, vector: np.ndarray, *, limit: int, department_id: int | None, exclude: Collection[int]
    ) -> list[tuple[int, float]]:
        if not len(self.ids):
            return []
        vector = vector.astype(np.float32)
        if self.projection is None:
            scores = self.matrix @ vector
        else:
            basis, coarse = self.projection
            scores = coarse @ (vector @ basis)
        if department_id is not None:
            scores = np.where(self.departments == department_id, scores, -np.inf)
        if exclude:
            scores = np.where(np.isin(self.ids, np.fromiter(exclude, dtype=np.int64)), -np.inf, scores)
        ids = self.ids
        if self.projection is not None:  # rank the shortlist by the full vectors
            rows = best_positions(scores, max(SHORTLIST, 10 * limit))
            rows = rows[np.isfinite(scores[rows])]
            ids, scores = ids[rows], self.matrix[rows] @ vector
        top = best_positions(scores, limit)
        return [(int(ids[i]), float(scores[i])) for i in top if np.isfinite(scores[i])]


def _current() -> QuerySet[QuestionEmbedding]:
    return QuestionEmbedding.objects.filter(model_name=MODEL_NAME, model_version=MODEL_VERSION)


def _projected(snapshot: Snapshot, changed_rows: np.ndarray | None = None) -> Snapshot:
    """The snapshot with its projection: the basis is fitted on the first load past COARSE_ROWS and kept
    across later changes, which project only `changed_rows` (the other rows come from the old projection)."""
    matrix = snapshot.matrix
    if len(matrix) < COARSE_ROWS:
        return dataclasses.replace(snapshot, projection=None)
    if snapshot.projection is None or changed_rows is None:
        # The top eigenvectors of the (uncentred) second moment best keep dot products in fewer dimensions.
        sample = matrix[:: max(1, len(matrix) // _BASIS_SAMPLE)]
        basis = np.ascontiguousarray(np.linalg.eigh(sample.T @ sample)[1][:, ::-1][:, :COARSE_DIMENSIONS])
        return dataclasses.replace(snapshot, projection=(basis, matrix @ basis))
    basis, old = snapshot.projection
    coarse = np.concatenate([old, np.zeros((len(matrix) - len(old), COARSE_DIMENSIONS), dtype=np.float32)])
    coarse[changed_rows] = matrix[changed_rows] @ basis
    return dataclasses.replace(snapshot, projection=(basis, coarse))


def best_positions(scores: np.ndarray, count: int) -> np.ndarray:
    """Positions of the `count` highest scores, highest first."""
    count = min(count, len(scores))
    if count < 1:
        return np.zeros(0, dtype=np.int64)
    top = np.argpartition(-scores, count - 1)[:count]
    return top[np.argsort(-scores[top])]


class VectorIndex:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._snapshot = Snapshot()
        self._checked_at = -float("inf")
        self._full_check_at = -float("inf")

    def refresh(self, force: bool = False) -> Snapshot:
        now = time.monotonic()
        if not force and now - self._checked_at < settings.SEARCH_INDEX_REFRESH_SECONDS:
            return self._snapshot
        with self._lock:
            self._checked_at = now
            version = IndexState.current()
            if not force and version == self._snapshot.version and now - self._full_check_at < FULL_CHECK_SECONDS:
                return self._snapshot
            self._full_check_at = now
            summary = _current().aggregate(count=Count("pk"), latest=Max("updated_at"))
            stamp = (summary["count"], summary["latest"])
            if force or stamp != self._snapshot.stamp:
                snapshot = self._load_changes(stamp) or self._load_all(stamp)
            else:
                snapshot = self._snapshot
            self._snapshot = dataclasses.replace(snapshot, version=version)
            return self._snapshot

    def _load_all(self, stamp: tuple[int, object]) -> Snapshot:
        rows = list(_current().values_list("question_id", "question__department_id", "vector"))
        ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
        matrix = np.frombuffer(b"".join(bytes(r[2]) for r in rows), dtype=np.float32)
        snapshot = Snapshot(
            ids=ids,
            departments=np.fromiter((r[1] or 0 for r in rows), dtype=np.int64, count=len(rows)),
            matrix=matrix.reshape(-1, DIMENSIONS).copy(),
            rows={int(pk): row for row, pk in enumerate(ids)},
            stamp=stamp,
        )
        return _projected(snapshot)

    def _load_changes(self, stamp: tuple[int, object]) -> Snapshot | None:
        """Apply only the rows written since the last load, when that accounts for the new count.

        Anything else (a deletion, a first load) returns None and the caller reloads everything.
        """
        old = self._snapshot
        if old.stamp is None or old.stamp[1] is None:
            return None
        changed = list(
            _current()
            .filter(updated_at__gte=old.stamp[1])
            .values_list("question_id", "question__department_id", "vector")
        )
        new_ids = [pk for pk, _, _ in changed if pk not in old.rows]
        if len(old.ids) + len(new_ids) != stamp[0]:
            return None
        rows = dict(old.rows)
        for pk in new_ids:
            rows[pk] = len(rows)
        ids = np.concatenate([old.ids, np.array(new_ids, dtype=np.int64)])
        departments = np.concatenate([old.departments, np.zeros(len(new_ids), dtype=np.int64)])
        matrix = np.concatenate([old.matrix, np.zeros((len(new_ids), DIMENSIONS), dtype=np.float32)])
        for pk, department_id, vector in changed:
            matrix[rows[pk]] = np.frombuffer(bytes(vector), dtype=np.float32)
            departments[rows[pk]] = department_id or 0
        snapshot = dataclasses.replace(old, ids=ids, departments=departments, matrix=matrix, rows=rows, stamp=stamp)
        return _projected(snapshot, np.array([rows[pk] for pk, _, _ in changed], dtype=np.int64))

    def search(
        self,
        vector: np.ndarray,
        *,
        limit: int = 50,
        department_id: int | None = None,
        exclude: Collection[int] = (),
    ) -> list[tuple[int, float]]:
        """Ids of the nearest published questions by cosine similarity, best first."""
        return self.refresh().search(vector, limit=limit, department_id=department_id, exclude=exclude)

    def similarity(self, vector: np.ndarray, question_ids: Collection[int]) -> dict[int, float]:
        """Cosine similarity of `vector` to each listed question that is in the index."""
        snap = self.refresh()
        found = [(pk, snap.rows[pk]) for pk in question_ids if pk in snap.rows]
        if not found:
            return {}
        scores = snap.matrix[[row for _, row in found]] @ vector.astype(np.float32)
        return {pk: float(score) for (pk, _), score in zip(found, scores, strict=True)}

    def vectors(self, question_ids: Collection[int]) -> dict[int, np.ndarray]:
        snap = self.refresh()
        return {pk: snap.matrix[snap.rows[pk]] for pk in question_ids if pk in snap.rows}


index = VectorIndex()
