"""Public pages of the questions app: the home page and the answered question's page."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from accounts.models import DoctorProfile
from departments.models import Department
from questions.models import Question
from questions.tests.factories import answered_question, asked_question
from search.models import SimilarQuestion

# Pinned so that a loop querying per row fails a test; see the comments at each use for what they are.
QUESTION_PAGE_QUERIES = 7
HOME_PAGE_QUERIES = 3


def test_home_page_lists_the_latest_answers_and_the_departments(
    doctor: DoctorProfile, other_doctor: DoctorProfile, neurology: Department, dermatology: Department
) -> None:
    now = timezone.now()
    older = answered_question(
        department=neurology, doctor=doctor, title="Ringing in my left ear", published_at=now - timedelta(days=2)
    )
    newer = answered_question(
        department=dermatology, doctor=other_doctor, title="Itchy red patches", published_at=now - timedelta(days=1)
    )
    asked_question(department=neurology, title="Still waiting for a doctor")

    response = Client().get(reverse("home"))
    assert response.status_code == 200
    assert list(response.context["latest"]) == [newer, older]
    page = response.content.decode()
    assert page.index("Itchy red patches") < page.index("Ringing in my left ear")
    assert "Still waiting for a doctor" not in page
    assert "Dr Wang Derm" in page
    for department in Department.objects.all():
        assert f'<a href="{department.get_absolute_url()}">{escape(department.name)}</a>' in page


def test_home_page_shows_at_most_ten_answers(doctor: DoctorProfile, neurology: Department) -> None:
    for number in range(11):
        answered_question(department=neurology, doctor=doctor, title=f"Question number {number:02}")
    assert len(Client().get(reverse("home")).context["latest"]) == 10


@pytest.mark.parametrize("count", [2, 10])
def test_home_page_query_count_does_not_grow_with_rows(
    django_assert_num_queries, doctor: DoctorProfile, neurology: Department, count: int
) -> None:
    for number in range(count):
        answered_question(department=neurology, doctor=doctor, title=f"Question number {number:02}")
    client = Client()
    # Latest questions with their departments, their visible replies with doctors, the departments.
    with django_assert_num_queries(HOME_PAGE_QUERIES):
        response = client.get(reverse("home"))
    assert len(response.context["latest"]) == count


@pytest.mark.parametrize("wrong", ["", "twitching-around-my-ears-for-years", "some-other-slug"])
def test_question_page_redirects_permanently_to_the_canonical_address(published_question: Question, wrong: str) -> None:
    path = (
        reverse("questions:detail", args=[published_question.pk, wrong])
        if wrong
        else reverse("questions:detail_short", args=[published_question.pk])
    )
    response = Client().get(path)
    assert response.status_code == 301
    canonical = reverse(
        "questions:detail", args=[published_question.pk, "involuntary-muscle-tension-and-tremors-in-the-head"]
    )
    assert response["Location"] == canonical


def test_question_page_shows_question_reply_and_signatures(published_question: Question, reply) -> None:
    response = Client().get(published_question.get_absolute_url())
    assert response.status_code == 200
    page = response.content.decode()
    assert "<h1>Involuntary Muscle Tension and Tremors in the Head - Neurology</h1>" in page
    asked = timezone.localtime(published_question.created_at).strftime("%Y/%m/%d")
    assert f"Xiao Rong, 40~49 year old female. Ask Date: {asked}" in page
    assert "For eight years my head, neck and the area around my ears tense up and twitch." in page
    assert reply.body in page
    replied = timezone.localtime(reply.created_at).strftime("%Y/%m/%d")
    assert f"Dr Lin Meihua</a>, Neurology. Reply Date: {replied}" in page
    # The asker's e-mail address is private.
    assert "xiaorong@example.org" not in page


def test_question_page_has_share_links_and_no_script_from_another_host(published_question: Question, settings) -> None:
    # Shared links carry the public address (SITE_URL), not the host the request came through.
    settings.SITE_URL = "https://medanswers.example"
    response = Client().get(published_question.get_absolute_url())
    page = response.content.decode()
    assert "Share to" in page
    canonical = "https%3A%2F%2Fmedanswers.example" + published_question.get_absolute_url().replace("/", "%2F")
    assert f"https://www.facebook.com/sharer/sharer.php?u={canonical}" in page
    assert f"https://social-plugins.line.me/lineit/share?url={canonical}" in page
    assert f"https://x.com/intent/post?url={canonical}" in page
    assert f"mailto:?subject=Involuntary%20Muscle%20Tension%20and%20Tremors%20in%20the%20Head&amp;body={canonical}" in (
        page
    )
    assert f'data-copy="https://medanswers.example{published_question.get_absolute_url()}"' in page
    assert "Copy link" in page

    sources = re.findall(r"<script[^>]*\ssrc=[\"']([^\"']+)", page)
    assert sources, "the copy-link script is expected"
    for source in sources:
        assert not re.match(r"^(https?:)?//", source), f"script from another host: {source}"


def test_question_page_leaves_out_empty_sections(published_question: Question) -> None:
    page = Client().get(published_question.get_absolute_url()).content.decode()
    assert "More Info" not in page
    assert 'id="more-info"' not in page
    assert "Similar Q&A" not in page
    assert 'id="similar"' not in page
    # No topic was chosen, so there is no Related FAQ either.
    assert "Related FAQ" not in page


@pytest.mark.parametrize("similar_count", [1, 3])
def test_question_page_query_count_does_not_grow_with_rows(
    django_assert_num_queries, doctor: DoctorProfile, neurology: Department, similar_count: int
) -> None:
    question = answered_question(
        department=neurology, doctor=doctor, topics=neurology.topics.filter(slug__in=["headache", "migraine", "stroke"])
    )
    assert question.topics.count() == 3
    for rank in range(similar_count):
        similar = answered_question(department=neurology, doctor=doctor, title=f"A similar question {rank}")
        SimilarQuestion.objects.create(question=question, similar=similar, score=0.9 - rank / 10, rank=rank)
    client = Client()
    # The question with its department, its visible reply with the doctor, its topics with their department,
    # the Similar Q&A links, those questions with their departments, their visible replies with doctors, and the
    # More Info row (Related FAQ articles and approved text; moreinfo/tests/test_views.py fills it).
    with django_assert_num_queries(QUESTION_PAGE_QUERIES):
        response = client.get(question.get_absolute_url())
    assert len(response.context["similar"]) == similar_count
    assert 'id="similar"' in response.content.decode()


def test_a_chinese_title_gives_a_readable_address(doctor: DoctorProfile, neurology: Department) -> None:
    question = answered_question(department=neurology, doctor=doctor, title="頭痛 三天了 怎麼辦？")
    assert question.slug == "頭痛-三天了-怎麼辦"
    url = question.get_absolute_url()
    assert Client().get(url).status_code == 200
    # The address it had before titles kept their Chinese still leads to the page.
    old = Client().get(reverse("questions:detail", args=[question.pk, "question"]))
    assert old.status_code == 301 and old["Location"] == url
