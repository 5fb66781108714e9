import numpy as np
import pytest

from search import vectors
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
