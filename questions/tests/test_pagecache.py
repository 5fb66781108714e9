"""Whole-page cache of public pages: served to anonymous visitors only, dropped as soon as the
question changes, never holding anything personal."""

from __future__ import annotations

import re

from django.test import Client
from django.urls import reverse

from accounts.models import DoctorProfile, User
from conftest import client_for
from questions.models import Question, Reply


def _reply_changed_behind_the_cache(question: Question) -> None:
    # A direct UPDATE tells no one, so only a cached page can still show the old reply.
    Reply.objects.filter(question=question).update(body="An edited reply that only a fresh render shows.")


def test_anonymous_visitors_get_the_cached_page_with_no_queries(
    published_question: Question, django_assert_num_queries
) -> None:
    url = published_question.get_absolute_url()
    assert Client().get(url).status_code == 200
    _reply_changed_behind_the_cache(published_question)
    with django_assert_num_queries(0):
        response = Client().get(url)
    assert response.status_code == 200
    assert "Please see a neurologist" in response.content.decode()


def test_a_signed_in_doctor_never_gets_the_anonymous_page(published_question: Question, doctor: DoctorProfile) -> None:
    url = published_question.get_absolute_url()
    Client().get(url)
    _reply_changed_behind_the_cache(published_question)
    page = client_for(doctor.user).get(url).content.decode()
    assert "An edited reply that only a fresh render shows." in page
    assert "Log out" in page


def test_an_anonymous_visitor_never_gets_a_signed_in_page(published_question: Question, doctor: DoctorProfile) -> None:
    url = published_question.get_absolute_url()
    assert "Log out" in client_for(doctor.user).get(url).content.decode()
    page = Client().get(url).content.decode()
    assert "Log out" not in page
    assert "Doctor queue" not in page


def test_a_hidden_question_stops_being_served_at_once(published_question: Question, moderator: User) -> None:
    url = published_question.get_absolute_url()
    assert Client().get(url).status_code == 200
    response = client_for(moderator).post(
        reverse("questions:moderate_hide", args=[published_question.pk]), {"reason": "Contains a phone number"}
    )
    assert response.status_code == 302
    assert Client().get(url).status_code == 404
    assert published_question.department is not None
    department = Client().get(published_question.department.get_absolute_url()).content.decode()
    assert published_question.display_title not in department


def test_a_new_public_title_shows_at_once(published_question: Question, moderator: User) -> None:
    url = published_question.get_absolute_url()
    Client().get(url)
    client_for(moderator).post(
        reverse("questions:moderate_title", args=[published_question.pk]), {"public_title": "Head Tremor at Rest"}
    )
    response = Client().get(url, follow=True)
    assert "Head Tremor at Rest" in response.content.decode()


def test_a_cached_page_carries_each_visitors_own_csrf_token(published_question: Question) -> None:
    url = published_question.get_absolute_url()
    Client().get(url)
    visitor = Client(enforce_csrf_checks=True)
    page = visitor.get(url).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert token is not None and token.group(1) != "@csrf@"
    # The language menu posts with that token and the cookie this visitor was given.
    response = visitor.post(
        reverse("set_language"), {"language": "zh-hant", "next": url, "csrfmiddlewaretoken": token.group(1)}
    )
    assert response.status_code == 302


def test_a_visitor_with_a_session_is_not_served_from_the_cache(published_question: Question, asker: User) -> None:
    url = published_question.get_absolute_url()
    Client().get(url)
    _reply_changed_behind_the_cache(published_question)
    visitor = Client()
    visitor.cookies["sessionid"] = "no-such-session"
    assert "An edited reply that only a fresh render shows." in visitor.get(url).content.decode()


def test_a_page_with_a_search_query_is_not_cached(published_question: Question) -> None:
    url = published_question.get_absolute_url()
    Client().get(url, {"q": "tremor"})
    _reply_changed_behind_the_cache(published_question)
    assert "An edited reply" in Client().get(url, {"q": "tremor"}).content.decode()
