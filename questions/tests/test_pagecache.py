"""Whole-page cache of public pages: served to anonymous visitors only, dropped as soon as the
question changes, never holding anything personal."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.urls import reverse

from accounts.models import DoctorProfile, User
from conftest import client_for
from questions.models import Question, Reply
from questions.pagecache import LISTS_VERSION, VERSIONS_META, PageCacheMiddleware, _current_versions


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


def test_a_cached_page_holds_nothing_per_visitor_and_sets_no_cookie(published_question: Question) -> None:
    url = published_question.get_absolute_url()
    first = Client().get(url)
    second = Client().get(url)
    assert first.content == second.content
    assert "csrfmiddlewaretoken" not in second.content.decode()
    assert not first.cookies and not second.cookies
    # Served before the other middleware runs, yet with the headers they added to the stored copy.
    assert second["Content-Security-Policy"] == first["Content-Security-Policy"]
    assert second["X-Frame-Options"] == "DENY"
    assert "Cookie" in second["Vary"] and "Accept-Language" in second["Vary"]


def test_the_language_menu_works_from_a_cached_page(published_question: Question) -> None:
    url = published_question.get_absolute_url()
    Client().get(url)
    visitor = Client(enforce_csrf_checks=True)
    assert visitor.get(url).status_code == 200
    response = visitor.post(reverse("set_language"), {"language": "zh-hant", "next": url})
    assert response.status_code == 302 and response["Location"] == url
    page = visitor.get(url).content.decode()
    assert "神經內科" in page  # the department's Chinese name: a separate copy per language


def test_the_language_menu_only_returns_to_this_site(published_question: Question) -> None:
    response = Client().post(reverse("set_language"), {"language": "zh-hant", "next": "https://evil.example/"})
    assert response.status_code == 302
    assert "evil.example" not in response["Location"]


def test_a_page_setting_a_cookie_is_not_stored(published_question: Question, rf) -> None:
    request = rf.get(published_question.get_absolute_url())

    def view_setting_a_cookie(request: HttpRequest) -> HttpResponse:
        request.META[VERSIONS_META] = _current_versions([LISTS_VERSION])
        response = HttpResponse("hello")
        response.set_cookie("csrftoken", "x")
        return response

    PageCacheMiddleware(view_setting_a_cookie)(request)
    calls = []

    def counting_view(request: HttpRequest) -> HttpResponse:
        calls.append(request)
        return HttpResponse("fresh")

    assert PageCacheMiddleware(counting_view)(rf.get(published_question.get_absolute_url())).content == b"fresh"
    assert len(calls) == 1


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
