import dataclasses

import numpy as np
import pytest

from search import vectors
from search.embeddings import DIMENSIONS
from search.models import IndexState, QuestionEmbedding
from search.services import questions_index
from search.tests.test_search import KNEE, REFLUX, TREMOR, publish

pytestmark = pytest.mark.django_db


@pytest.fixture
def fresh_index(settings) -> vectors.VectorIndex:
    settings.SEARCH_INDEX_REFRESH_SECONDS = 0
    return vectors.VectorIndex()


def test_index_follows_the_version_with_one_query_per_check(
    fresh_index, neurology, doctor, django_capture_on_commit_callbacks, django_assert_num_queries
) -> None:
    tremor = publish(*TREMOR, neurology, doctor, django_capture_on_commit_callbacks)
    assert set(fresh_index.refresh().ids) == {tremor.pk}
    with django_assert_num_queries(1):  # nothing changed: only the version row is read
        fresh_index.refresh()

    knee = publish(*KNEE, neurology, doctor, django_capture_on_commit_callbacks)
    assert set(fresh_index.refresh().ids) == {tremor.pk, knee.pk}
    vector = QuestionEmbedding.objects.get(question=knee).as_array()
    assert fresh_index.search(vector, limit=1)[0][0] == knee.pk


def test_rows_removed_behind_the_services_back_are_dropped_by_the_periodic_full_check(
    fresh_index, neurology, doctor, django_capture_on_commit_callbacks, monkeypatch
) -> None:
    tremor = publish(*TREMOR, neurology, doctor, django_capture_on_commit_callbacks)
    reflux = publish(*REFLUX, neurology, doctor, django_capture_on_commit_callbacks)
    fresh_index.refresh()
    QuestionEmbedding.objects.filter(question=reflux).delete()  # as a cascade from the admin would
    assert reflux.pk in fresh_index.refresh().rows
    monkeypatch.setattr(vectors, "FULL_CHECK_SECONDS", 0)
    assert set(fresh_index.refresh().ids) == {tremor.pk}


def test_version_row_is_recreated_after_a_flush(neurology, doctor, django_capture_on_commit_callbacks) -> None:
    IndexState.objects.all().delete()
    assert IndexState.current() == 0
    tremor = publish(*TREMOR, neurology, doctor, django_capture_on_commit_callbacks)
    before = IndexState.current()
    assert before >= 1
    questions_index(question_ids=[tremor.pk])
    assert IndexState.current() == before + 1
    assert np.isfinite(QuestionEmbedding.objects.get(question=tremor).as_array()).all()


def clustered_snapshot(rows: int, rng: np.random.Generator) -> vectors.Snapshot:
    """Unit vectors around 40 topics, like questions' embeddings, in three departments."""
    centres = rng.normal(size=(40, DIMENSIONS))
    matrix = centres[rng.integers(0, 40, rows)] + 0.6 * rng.normal(size=(rows, DIMENSIONS))
    matrix = (matrix / np.linalg.norm(matrix, axis=1, keepdims=True)).astype(np.float32)
    ids = np.arange(1, rows + 1, dtype=np.int64)
    return vectors.Snapshot(
        ids=ids, departments=rng.integers(1, 4, rows), matrix=matrix, rows={int(pk): i for i, pk in enumerate(ids)}
    )


def exact(snapshot: vectors.Snapshot, vector: np.ndarray, limit: int, department_id: int | None = None) -> list[int]:
    scores = snapshot.matrix @ vector
    if department_id is not None:
        scores = np.where(snapshot.departments == department_id, scores, -np.inf)
    return [int(snapshot.ids[i]) for i in np.argsort(-scores)[:limit]]


def test_a_large_index_ranks_a_shortlist_from_projected_vectors_by_the_full_ones(monkeypatch) -> None:
    monkeypatch.setattr(vectors, "COARSE_ROWS", 2000)
    monkeypatch.setattr(vectors, "SHORTLIST", 100)
    rng = np.random.default_rng(0)
    assert vectors._projected(clustered_snapshot(1999, rng)).projection is None  # small: every row is read

    snapshot = vectors._projected(clustered_snapshot(3000, rng))
    assert snapshot.projection is not None
    basis, coarse = snapshot.projection
    assert basis.shape == (DIMENSIONS, vectors.COARSE_DIMENSIONS) and coarse.shape == (3000, vectors.COARSE_DIMENSIONS)
    for query in snapshot.matrix[:20] + 0.05 * rng.normal(size=(20, DIMENSIONS)).astype(np.float32):
        found = snapshot.search(query, limit=10, department_id=None, exclude=())
        assert [pk for pk, _ in found] == exact(snapshot, query, 10)
        assert [score for _, score in found] == pytest.approx(sorted(snapshot.matrix @ query, reverse=True)[:10])
        in_two = snapshot.search(query, limit=10, department_id=2, exclude={found[0][0]})
        assert [pk for pk, _ in in_two] == [
            pk for pk in exact(snapshot, query, 11, department_id=2) if pk != found[0][0]
        ][:10]
    assert snapshot.search(snapshot.matrix[0], limit=5, department_id=99, exclude=()) == []


def test_rows_loaded_as_changes_are_projected_on_the_kept_basis(monkeypatch) -> None:
    monkeypatch.setattr(vectors, "COARSE_ROWS", 2000)
    rng = np.random.default_rng(1)
    before = vectors._projected(clustered_snapshot(2500, rng))
    assert before.projection is not None
    added = clustered_snapshot(100, rng).matrix
    grown = dataclasses.replace(
        before,
        ids=np.arange(1, 2601, dtype=np.int64),
        departments=np.ones(2600, dtype=np.int64),
        matrix=np.concatenate([before.matrix, added]),
    )
    after = vectors._projected(grown, np.arange(2500, 2600, dtype=np.int64))
    assert after.projection is not None
    assert after.projection[0] is before.projection[0]  # the basis is kept
    assert np.array_equal(after.projection[1][:2500], before.projection[1])
    assert np.allclose(after.projection[1][2500:], added @ before.projection[0], atol=1e-5)
    assert after.search(added[-1], limit=1, department_id=None, exclude=())[0][0] == 2600
