"""Asking a question: with or without an account, bad input, triage, escaping and the rate limit."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from accounts.models import DoctorProfile, User
from conftest import client_for
from departments.models import Department
from questions.models import Question
from questions.services import reply_publish

ASK_URL = reverse("questions:ask")


@pytest.fixture(autouse=True)
def _fresh_rate_limit() -> Iterator[None]:
    # Every request comes from 127.0.0.1, so the per-address counter would carry over between tests.
    cache.clear()
    yield
    cache.clear()


def _form(department: Department | None, **overrides: str) -> dict[str, object]:
    data: dict[str, object] = {
        "title": "Headache every morning for a month",
        "body": "Every morning for a month I wake up with a dull headache behind my eyes. It goes by noon.",
        "age_band": "20-29",
        "sex": "female",
        "pseudonym": "Quiet Lotus 17",
        "email": "",
        "department": department.pk if department else "",
    }
    data.update(overrides)
    return data


def test_asking_without_an_account_leads_to_the_private_follow_page(neurology: Department) -> None:
    response = Client().post(ASK_URL, _form(neurology))
    question = Question.objects.get()
    assert response.status_code == 302
    assert response["Location"] == question.get_follow_url()
    assert question.asker is None
    assert question.department == neurology
    assert question.status == Question.Status.WAITING

    page = Client().get(response["Location"]).content.decode()
    assert "Headache every morning for a month" in page
    assert "Waiting for a doctor of Neurology." in page
    assert "This is your private link." in page


def test_a_signed_in_asker_finds_the_question_in_my_questions_and_no_one_else_does(
    asker: User, other_asker: User, neurology: Department
) -> None:
    assert client_for(asker).post(ASK_URL, _form(neurology)).status_code == 302
    question = Question.objects.get()
    assert question.asker == asker

    mine = client_for(asker).get(reverse("questions:my_questions"))
    assert list(mine.context["questions"]) == [question]
    assert question.get_follow_url() in mine.content.decode()

    theirs = client_for(other_asker).get(reverse("questions:my_questions"))
    assert list(theirs.context["questions"]) == []
    assert question.get_follow_url() not in theirs.content.decode()
    assert "Headache every morning for a month" not in theirs.content.decode()


@pytest.mark.parametrize(
    ("overrides", "kept", "message"),
    [
        ({"title": ""}, "Every morning for a month", "This field is required."),
        ({"body": ""}, "Headache every morning for a month", "This field is required."),
        ({"age_band": ""}, "Every morning for a month", "This field is required."),
        ({"sex": ""}, "Every morning for a month", "This field is required."),
        ({"pseudonym": ""}, "Every morning for a month", "This field is required."),
        ({"title": "Headache"}, "Headache", "Ensure this value has at least 10 characters (it has 8)."),
        ({"title": "H" * 151}, "H" * 151, "Ensure this value has at most 150 characters (it has 151)."),
        ({"body": "It hurts a lot."}, "It hurts a lot.", "Ensure this value has at least 30 characters (it has 15)."),
        ({"body": "a" * 5001}, "a" * 5001, "Ensure this value has at most 5000 characters (it has 5001)."),
        ({"email": "not-an-address"}, "not-an-address", "Enter a valid email address."),
    ],
)
def test_bad_input_shows_the_form_again_with_a_message_and_what_was_typed(
    neurology: Department, overrides: dict[str, str], kept: str, message: str
) -> None:
    response = Client().post(ASK_URL, _form(neurology, **overrides))
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page
    assert kept in page
    assert not Question.objects.exists()


def test_not_sure_of_the_department_goes_to_the_moderators_triage_queue(
    neurology: Department, moderator: User, doctor: DoctorProfile
) -> None:
    response = Client().post(ASK_URL, _form(None))
    question = Question.objects.get()
    assert question.department is None

    follow = Client().get(response["Location"]).content.decode()
    assert "Waiting for a moderator to choose the right department." in follow

    dashboard = client_for(moderator).get(reverse("questions:moderate"))
    assert list(dashboard.context["triage"]) == [question]
    assert "Headache every morning for a month" in dashboard.content.decode()
    # No department's doctor sees it until a moderator routes it.
    assert list(client_for(doctor.user).get(reverse("questions:doctor_queue")).context["questions"]) == []


def test_the_form_comes_with_a_pseudonym(db: None) -> None:
    response = Client().get(ASK_URL)
    pseudonym = response.context["form"]["pseudonym"].value()
    assert pseudonym
    assert f'value="{pseudonym}"' in response.content.decode()


def test_html_in_a_question_is_shown_as_text_with_its_paragraphs(neurology: Department, doctor: DoctorProfile) -> None:
    body = "My child typed <script>alert(1)</script> into my phone.\n\nNow my <b>head</b> hurts.\nIs it the screen?"
    response = Client().post(ASK_URL, _form(neurology, title="Is <i>screen</i> time bad?", body=body))
    question = Question.objects.get()
    reply_publish(question=question, doctor=doctor, body="Take breaks <em>often</em>.\n\nRest your eyes.")

    for url in (response["Location"], question.get_absolute_url()):
        page = Client().get(url).content.decode()
        assert "<script>alert(1)" not in page
        assert "<b>head</b>" not in page
        assert "<i>screen</i>" not in page
        assert "<p>My child typed &lt;script&gt;alert(1)&lt;/script&gt; into my phone.</p>" in page
        assert "<p>Now my &lt;b&gt;head&lt;/b&gt; hurts.<br>Is it the screen?</p>" in page
        assert "Is &lt;i&gt;screen&lt;/i&gt; time bad?" in page
        assert "<p>Take breaks &lt;em&gt;often&lt;/em&gt;.</p>" in page
        assert "<p>Rest your eyes.</p>" in page


def test_too_many_questions_from_one_address_are_refused_and_kept(settings, neurology: Department) -> None:
    settings.ASK_RATE = "2/h"
    client = Client()
    for number in range(2):
        assert client.post(ASK_URL, _form(neurology, title=f"Headache question number {number}")).status_code == 302

    response = client.post(ASK_URL, _form(neurology, title="My third headache question"))
    assert response.status_code == 429
    page = response.content.decode()
    assert "You have asked several questions in a short time." in page
    assert "My third headache question" in page
    assert "Every morning for a month I wake up with a dull headache" in page
    assert Question.objects.count() == 2
    # Another address is not affected.
    other = Client(REMOTE_ADDR="192.0.2.7").post(ASK_URL, _form(neurology))
    assert other.status_code == 302


def test_a_refused_form_does_not_use_up_the_rate_limit(settings, neurology: Department) -> None:
    settings.ASK_RATE = "1/h"
    client = Client()
    assert client.post(ASK_URL, _form(neurology, title="")).status_code == 200
    assert client.post(ASK_URL, _form(neurology)).status_code == 302
