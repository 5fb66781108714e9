"""Department and topic pages: answered questions, newest first, with their Related FAQ topics."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from accounts.models import DoctorProfile
from departments.models import Department, Topic
from questions.models import Question
from questions.tests.factories import answered_question, asked_question

# Pinned so that a loop querying per row fails a test; see the comments at each use for what they are.
DEPARTMENT_PAGE_QUERIES = 5
TOPIC_PAGE_QUERIES = 5


def _answered(
    count: int, *, department: Department, doctor: DoctorProfile, topic: Topic | None = None
) -> list[Question]:
    """`count` answered questions, one hour apart, newest first."""
    now = timezone.now()
    return [
        answered_question(
            department=department,
            doctor=doctor,
            title=f"Answered question number {number:02}",
            topics=[topic] if topic else [],
            published_at=now - timedelta(hours=number),
        )
        for number in range(count)
    ]


def test_department_list_links_every_department(db: None) -> None:
    page = Client().get(reverse("departments:list")).content.decode()
    for department in Department.objects.all():
        assert f'<a href="{department.get_absolute_url()}">{escape(department.name)}</a>' in page


def test_department_page_lists_answered_questions_newest_first_in_pages(
    doctor: DoctorProfile, other_doctor: DoctorProfile, neurology: Department, dermatology: Department
) -> None:
    questions = _answered(25, department=neurology, doctor=doctor)
    asked_question(department=neurology, title="A question still waiting")
    answered_question(department=dermatology, doctor=other_doctor, title="A question of Dermatology")

    first = Client().get(neurology.get_absolute_url())
    assert first.status_code == 200
    assert list(first.context["page"]) == questions[:20]
    page = first.content.decode()
    assert page.index("Answered question number 00") < page.index("Answered question number 19")
    assert "Answered question number 20" not in page
    assert "A question still waiting" not in page
    assert "A question of Dermatology" not in page
    assert "Page 1 of 2" in page

    second = Client().get(neurology.get_absolute_url(), {"page": 2})
    assert list(second.context["page"]) == questions[20:]
    assert "Page 2 of 2" in second.content.decode()
    assert "Answered question number 19" not in second.content.decode()


def test_department_page_shows_its_topics(neurology: Department, dermatology: Department) -> None:
    page = Client().get(neurology.get_absolute_url()).content.decode()
    assert "Related FAQ" in page
    for topic in neurology.topics.all():
        assert f'<a href="{topic.get_absolute_url()}">{escape(topic.name)}</a>' in page
    for topic in dermatology.topics.all():
        assert topic.get_absolute_url() not in page


def test_topic_page_lists_the_questions_linked_to_it(doctor: DoctorProfile, neurology: Department) -> None:
    headache = neurology.topics.get(slug="headache")
    linked = answered_question(department=neurology, doctor=doctor, title="Headache behind the eyes", topics=[headache])
    answered_question(
        department=neurology,
        doctor=doctor,
        title="Shaking hands",
        topics=neurology.topics.filter(slug="muscle-tremors"),
    )
    answered_question(department=neurology, doctor=doctor, title="Dizzy spells without a topic")

    response = Client().get(headache.get_absolute_url())
    assert response.status_code == 200
    assert list(response.context["page"]) == [linked]
    page = response.content.decode()
    assert "<h1>Headache (Neurology)</h1>" in page
    assert "Headache behind the eyes" in page
    assert "Shaking hands" not in page
    assert "Dizzy spells without a topic" not in page
    # The other topics of the department are linked, this one is not linked to itself.
    assert f'<a href="{neurology.topics.get(slug="migraine").get_absolute_url()}">Migraine</a>' in page
    assert f'<a href="{headache.get_absolute_url()}">' not in page


@pytest.mark.parametrize("count", [5, 15])
def test_department_page_query_count_does_not_grow_with_rows(
    django_assert_num_queries, doctor: DoctorProfile, neurology: Department, count: int
) -> None:
    _answered(count, department=neurology, doctor=doctor)
    client = Client()
    # The department, the count for the paginator, the page of questions with their department,
    # their visible replies with doctors, the department's topics.
    with django_assert_num_queries(DEPARTMENT_PAGE_QUERIES):
        response = client.get(neurology.get_absolute_url())
    assert len(response.context["page"]) == count


@pytest.mark.parametrize("count", [5, 15])
def test_topic_page_query_count_does_not_grow_with_rows(
    django_assert_num_queries, doctor: DoctorProfile, neurology: Department, count: int
) -> None:
    headache = neurology.topics.get(slug="headache")
    _answered(count, department=neurology, doctor=doctor, topic=headache)
    client = Client()
    # The topic with its department, the count, the page of questions, their replies, the sibling topics.
    with django_assert_num_queries(TOPIC_PAGE_QUERIES):
        response = client.get(headache.get_absolute_url())
    assert len(response.context["page"]) == count
