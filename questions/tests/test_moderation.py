"""Moderators' pages: verifying doctors, routing, hiding and retitling questions, hiding replies."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from accounts.models import DoctorProfile, User
from conftest import client_for
from departments.models import Department
from questions.models import Question, Reply
from questions.services import question_hide
from questions.tests.factories import asked_question


def test_verifying_a_doctor_opens_the_queue_to_them(unverified_doctor: DoctorProfile, moderator: User) -> None:
    doctor_client = client_for(unverified_doctor.user)
    assert doctor_client.get(reverse("questions:doctor_queue")).status_code == 403

    response = client_for(moderator).post(reverse("questions:moderate_verify", args=[unverified_doctor.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("questions:moderate")
    unverified_doctor.refresh_from_db()
    assert unverified_doctor.is_verified
    assert unverified_doctor.verified_by == moderator

    assert doctor_client.get(reverse("questions:doctor_queue")).status_code == 200
    assert Client().get(unverified_doctor.get_absolute_url()).status_code == 200
    dashboard = client_for(moderator).get(reverse("questions:moderate"))
    assert list(dashboard.context["unverified"]) == []


def test_routing_a_triage_question_puts_it_in_the_department_queue(
    moderator: User, doctor: DoctorProfile, neurology: Department
) -> None:
    question = asked_question(department=None, title="Shaking hands, which doctor?")
    response = client_for(moderator).post(
        reverse("questions:moderate_move", args=[question.pk]), {"department": neurology.pk, "next": "dashboard"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("questions:moderate")
    question.refresh_from_db()
    assert question.department == neurology

    assert list(client_for(moderator).get(reverse("questions:moderate")).context["triage"]) == []
    queue = client_for(doctor.user).get(reverse("questions:doctor_queue"))
    assert list(queue.context["questions"]) == [question]
    assert client_for(doctor.user).get(reverse("questions:doctor_answer", args=[question.pk])).status_code == 200


def test_moving_without_a_department_changes_nothing(moderator: User) -> None:
    question = asked_question(department=None)
    response = client_for(moderator).post(
        reverse("questions:moderate_move", args=[question.pk]), {"department": ""}, follow=True
    )
    assert "Choose a department." in response.content.decode()
    question.refresh_from_db()
    assert question.department is None


def test_hiding_a_question_takes_it_off_the_site_and_tells_the_asker_why(
    published_question: Question, moderator: User
) -> None:
    response = client_for(moderator).post(
        reverse("questions:moderate_hide", args=[published_question.pk]), {"reason": "Contains a phone number"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("questions:moderate_question", args=[published_question.pk])

    assert Client().get(published_question.get_absolute_url()).status_code == 404
    follow = Client().get(published_question.get_follow_url()).content.decode()
    assert "A moderator has hidden this question from the public." in follow
    assert "Contains a phone number" in follow
    dashboard = client_for(moderator).get(reverse("questions:moderate"))
    assert list(dashboard.context["hidden"]) == [published_question]


def test_hiding_without_a_reason_is_refused(published_question: Question, moderator: User) -> None:
    for reason in ("", "   "):
        response = client_for(moderator).post(
            reverse("questions:moderate_hide", args=[published_question.pk]), {"reason": reason}, follow=True
        )
        assert "Give a reason for hiding." in response.content.decode()
        published_question.refresh_from_db()
        assert published_question.hidden_at is None
    assert Client().get(published_question.get_absolute_url()).status_code == 200


def test_unhiding_puts_the_question_back(published_question: Question, moderator: User) -> None:
    question_hide(question=published_question, reason="Checking a complaint")
    response = client_for(moderator).post(reverse("questions:moderate_unhide", args=[published_question.pk]))
    assert response.status_code == 302
    published_question.refresh_from_db()
    assert published_question.hidden_at is None
    assert published_question.hidden_reason == ""
    assert Client().get(published_question.get_absolute_url()).status_code == 200
    assert "hidden this question" not in Client().get(published_question.get_follow_url()).content.decode()


def test_hiding_a_reply_sends_the_question_back_to_the_queue(
    published_question: Question, reply: Reply, moderator: User, second_doctor: DoctorProfile
) -> None:
    response = client_for(moderator).post(
        reverse("questions:moderate_hide_reply", args=[reply.pk]), {"reason": "Recommends a wrong dose"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("questions:moderate_question", args=[published_question.pk])
    published_question.refresh_from_db()
    assert published_question.status == Question.Status.WAITING

    assert Client().get(published_question.get_absolute_url()).status_code == 404
    queue = client_for(second_doctor.user).get(reverse("questions:doctor_queue"))
    assert list(queue.context["questions"]) == [published_question]
    follow = Client().get(published_question.get_follow_url()).content.decode()
    assert "A moderator hid this reply." in follow
    assert "Recommends a wrong dose" in follow
    assert reply.body not in follow


def test_hiding_a_reply_without_a_reason_is_refused(
    published_question: Question, reply: Reply, moderator: User
) -> None:
    response = client_for(moderator).post(
        reverse("questions:moderate_hide_reply", args=[reply.pk]), {"reason": ""}, follow=True
    )
    assert "Give a reason for hiding." in response.content.decode()
    reply.refresh_from_db()
    assert reply.hidden_at is None
    assert Client().get(published_question.get_absolute_url()).status_code == 200


def test_moderator_sets_the_public_title_and_the_asker_keeps_their_own(
    published_question: Question, moderator: User
) -> None:
    response = client_for(moderator).post(
        reverse("questions:moderate_title", args=[published_question.pk]), {"public_title": "Head and Neck Tremor"}
    )
    assert response.status_code == 302
    published_question.refresh_from_db()
    assert published_question.public_title == "Head and Neck Tremor"

    public = Client().get(published_question.get_absolute_url(), follow=True).content.decode()
    assert "<h1>Head and Neck Tremor - Neurology</h1>" in public
    follow = Client().get(published_question.get_follow_url()).content.decode()
    assert "<h1>Twitching around my ears for years</h1>" in follow


def test_moderation_page_shows_the_question_with_its_replies(published_question: Question, moderator: User) -> None:
    response = client_for(moderator).get(reverse("questions:moderate_question", args=[published_question.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Twitching around my ears for years" in page
    assert published_question.replies.get().body in page
