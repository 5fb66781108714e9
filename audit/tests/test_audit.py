"""The audit log: every doctor and moderator action leaves one entry (who, what, which object, when,
from which address), and only operators read it."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from accounts.models import DoctorProfile, User
from audit.models import Action, AuditEntry
from audit.services import record
from conftest import client_for, make_user
from departments.models import Department
from questions.models import Question, Reply
from questions.services import question_hide
from questions.tests.factories import answered_question, asked_question

LOG_URL = reverse("audit:log")


def _actions() -> list[tuple[str, str, str]]:
    return [(e.actor_name, e.action, e.target_label) for e in AuditEntry.objects.order_by("pk")]


def test_a_doctors_claim_title_release_and_reply_are_recorded(
    waiting_question: Question, doctor: DoctorProfile
) -> None:
    client = Client(REMOTE_ADDR="198.51.100.7")
    client.force_login(doctor.user)
    pk = waiting_question.pk
    client.post(reverse("questions:doctor_claim", args=[pk]))
    client.post(reverse("questions:doctor_title", args=[pk]), {"public_title": "Muscle tension and tremor"})
    client.post(reverse("questions:doctor_release", args=[pk]))
    client.post(
        reverse("questions:doctor_answer", args=[pk]),
        {"body": "This sounds like a tremor; please see a neurologist for an examination.", "public_title": ""},
    )

    assert [(name, action) for name, action, _ in _actions()] == [
        ("lin_meihua", Action.QUESTION_CLAIM),
        ("lin_meihua", Action.QUESTION_TITLE),
        ("lin_meihua", Action.QUESTION_RELEASE),
        ("lin_meihua", Action.REPLY_PUBLISH),
    ]
    entries = list(AuditEntry.objects.order_by("pk"))
    assert {e.actor for e in entries} == {doctor.user}
    assert {e.ip_address for e in entries} == {"198.51.100.7"}
    assert {e.target_id for e in entries} == {str(pk)}
    # The label is the public title at the time: the asker's (masked) title until the doctor set one.
    assert [e.target_label for e in entries] == [waiting_question.scrubbed_title] + ["Muscle tension and tremor"] * 3
    assert AuditEntry.objects.get(action=Action.QUESTION_TITLE).detail == "Muscle tension and tremor"


def test_moderators_actions_are_recorded_with_their_detail(
    moderator: User, unverified_doctor: DoctorProfile, reply: Reply, dermatology: Department
) -> None:
    client = client_for(moderator)
    question = asked_question(department=None, title="Which doctor for shaking hands?")
    AuditEntry.objects.all().delete()  # the fixtures' own reply
    client.post(reverse("questions:moderate_move", args=[question.pk]), {"department": dermatology.pk})
    client.post(reverse("questions:moderate_hide", args=[question.pk]), {"reason": "Names a third person"})
    client.post(reverse("questions:moderate_unhide", args=[question.pk]))
    client.post(reverse("questions:moderate_title", args=[question.pk]), {"public_title": "Shaking hands"})
    client.post(reverse("questions:moderate_hide_reply", args=[reply.pk]), {"reason": "Advertising"})
    client.post(reverse("questions:moderate_verify", args=[unverified_doctor.pk]))

    entries = list(AuditEntry.objects.order_by("pk"))
    assert [e.action for e in entries] == [
        Action.QUESTION_MOVE,
        Action.QUESTION_HIDE,
        Action.QUESTION_UNHIDE,
        Action.QUESTION_TITLE,
        Action.REPLY_HIDE,
        Action.DOCTOR_VERIFY,
    ]
    assert {e.actor for e in entries} == {moderator}
    assert {e.ip_address for e in entries} == {"127.0.0.1"}
    assert entries[0].detail == "Not sure → Dermatology"
    assert entries[1].detail == "Names a third person"
    assert entries[4].detail == "Advertising"
    assert entries[4].target_id == str(reply.question_id)
    assert entries[5].target_label == str(unverified_doctor)


def test_a_refused_action_records_nothing(waiting_question: Question, doctor: DoctorProfile, second_doctor) -> None:
    client_for(doctor.user).post(reverse("questions:doctor_claim", args=[waiting_question.pk]))
    before = AuditEntry.objects.count()
    # The question is taken; the second doctor's claim and release change nothing and leave no entry.
    client_for(second_doctor.user).post(reverse("questions:doctor_claim", args=[waiting_question.pk]))
    client_for(second_doctor.user).post(reverse("questions:doctor_release", args=[waiting_question.pk]))
    assert AuditEntry.objects.count() == before


def test_a_service_called_outside_a_request_is_recorded_as_the_system(published_question: Question) -> None:
    question_hide(question=published_question, reason="Spam")
    entry = AuditEntry.objects.get(action=Action.QUESTION_HIDE)
    assert entry.actor is None
    assert entry.actor_name == ""
    assert entry.ip_address is None


def test_entries_outlive_the_user(moderator: User) -> None:
    record(actor=moderator, action=Action.QUESTION_UNHIDE)
    moderator.delete()
    entry = AuditEntry.objects.get()
    assert entry.actor is None
    assert entry.actor_name == "moderator"


def test_moderators_read_the_log_filtered_by_person_and_action(
    moderator: User, doctor: DoctorProfile, waiting_question: Question
) -> None:
    other_moderator = make_user("second_moderator", is_moderator=True)
    record(actor=doctor.user, action=Action.QUESTION_CLAIM, target=waiting_question)
    record(actor=moderator, action=Action.QUESTION_HIDE, target=waiting_question, detail="Spam")
    record(actor=other_moderator, action=Action.QUESTION_UNHIDE, target=waiting_question)
    client = client_for(moderator)

    page = client.get(LOG_URL)
    assert page.status_code == 200
    assert [e.actor_name for e in page.context["page"]] == ["second_moderator", "moderator", "lin_meihua"]
    html = page.content.decode()
    assert "Hid a question" in html
    assert "Spam" in html

    by_person = client.get(LOG_URL, {"actor": moderator.pk})
    assert [e.action for e in by_person.context["page"]] == [Action.QUESTION_HIDE]
    by_action = client.get(LOG_URL, {"action": Action.QUESTION_CLAIM})
    assert [e.actor_name for e in by_action.context["page"]] == ["lin_meihua"]
    both = client.get(LOG_URL, {"actor": str(moderator.pk), "action": str(Action.QUESTION_CLAIM)})
    assert list(both.context["page"]) == []


def test_an_unknown_filter_shows_an_unfiltered_log_not_an_error(moderator: User) -> None:
    record(actor=moderator, action=Action.QUESTION_UNHIDE)
    response = client_for(moderator).get(LOG_URL, {"actor": "nobody", "action": "drop table", "page": "x"})
    assert response.status_code == 200
    assert len(response.context["page"]) == 1


def test_the_log_is_paginated(moderator: User) -> None:
    AuditEntry.objects.bulk_create(
        [AuditEntry(actor=moderator, actor_name="moderator", action=Action.QUESTION_UNHIDE) for _ in range(51)]
    )
    client = client_for(moderator)
    first = client.get(LOG_URL)
    assert len(first.context["page"]) == 50
    assert "Page 1 of 2" in first.content.decode()
    assert len(client.get(LOG_URL, {"page": 2}).context["page"]) == 1


def test_staff_may_read_the_log_and_others_may_not(asker: User, doctor: DoctorProfile) -> None:
    staff = make_user("site_admin", is_staff=True)
    assert client_for(staff).get(LOG_URL).status_code == 200
    assert client_for(asker).get(LOG_URL).status_code == 403
    assert client_for(doctor.user).get(LOG_URL).status_code == 403
    anonymous = Client().get(LOG_URL)
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(reverse("accounts:login"))


def test_more_info_review_is_recorded(settings, doctor: DoctorProfile, neurology: Department) -> None:
    from moreinfo import services as moreinfo_services
    from moreinfo.tests.factories import import_library

    settings.SEARCH_INDEX_REFRESH_SECONDS = 0
    import_library()
    questions = [
        answered_question(
            department=neurology,
            doctor=doctor,
            title=f"Is my shaking essential tremor? ({number})",
            reply="This sounds like essential tremor. Cut down on coffee and see a neurologist for an examination.",
        )
        for number in (1, 2)
    ]
    drafts = [moreinfo_services.more_info_refresh(question=question) for question in questions]
    assert drafts[0] is not None and drafts[1] is not None
    AuditEntry.objects.all().delete()

    moreinfo_services.more_info_approve(more_info=drafts[0], doctor=doctor)
    moreinfo_services.more_info_reject(more_info=drafts[1], doctor=doctor)

    assert [(e.actor, e.action, e.target_id) for e in AuditEntry.objects.order_by("pk")] == [
        (doctor.user, Action.MOREINFO_APPROVE, str(questions[0].pk)),
        (doctor.user, Action.MOREINFO_REJECT, str(questions[1].pk)),
    ]
