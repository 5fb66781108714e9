"""Every write to questions and replies goes through these functions."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import DoctorProfile, User
from audit.models import Action
from audit.services import record
from departments.models import Department, Topic
from moreinfo.tasks import draft_more_info
from search.models import SimilarQuestion
from search.tasks import refresh_question
from triage.services import triage_text
from triage.tasks import retrain_router_if_stale

from .models import Question, Reply
from .pagecache import pages_changed
from .tasks import send_answer_notice


def _reindex_on_commit(question: Question) -> None:
    """Search, Similar Q&A and the vector index follow every change to what the public sees."""
    question_id = question.pk
    # Cached copies of its page (and of the pages linking to it as Similar Q&A) and of the listings go
    # at once, and again on commit so that no request re-caches the old page in between; the refreshed
    # Similar Q&A later replaces the links themselves.
    linked = SimilarQuestion.objects.filter(similar_id=question_id).values_list("question_id", flat=True)
    changed = [question_id, *linked]
    pages_changed(question_ids=changed)
    transaction.on_commit(lambda: pages_changed(question_ids=changed))
    transaction.on_commit(lambda: refresh_question.enqueue(question_id=question_id))


class QuestionActionError(Exception):
    """A rule of the life cycle refused the action; the message is shown to the user."""


def _asking_language() -> str:
    """The active interface language (from the asker's browser or choice), as one of LANGUAGES."""
    try:
        return translation.get_supported_language_variant(translation.get_language() or "")
    except LookupError:
        return settings.LANGUAGE_CODE


def question_create(
    *,
    title: str,
    body: str,
    age_band: str,
    sex: str,
    pseudonym: str,
    email: str = "",
    department: Department | None,
    asker: User | None = None,
) -> Question:
    """Post a question. Triage marks it urgent if it describes an emergency, masks personal data in
    its public text, and routes a "not sure" question when the department model is confident."""
    title, body = title.strip(), body.strip()
    checked = triage_text(title, body)
    auto_routed = False
    if department is None and (slug := checked.confident_department()):
        department = Department.objects.filter(slug=slug).first()
        auto_routed = department is not None
    question = Question(
        title=title,
        body=body,
        age_band=age_band,
        sex=sex,
        pseudonym=pseudonym.strip(),
        email=email.strip(),
        department=department,
        asker=asker if asker is not None and asker.is_authenticated else None,
        urgent=checked.urgent,
        red_flags=[flag.kind for flag in checked.red_flags],
        department_suggestions=[{"slug": d.slug, "confidence": d.confidence} for d in checked.departments],
        auto_routed=auto_routed,
        scrubbed_title=checked.scrubbed_title,
        scrubbed_body=checked.scrubbed_body,
        language=_asking_language(),
    )
    question.full_clean()
    question.save()
    return question


def _require_doctor_of(doctor: DoctorProfile, question: Question) -> None:
    if not doctor.is_verified:
        raise QuestionActionError(_("Only verified doctors can answer questions."))
    if question.department_id is None or not doctor.departments.filter(pk=question.department_id).exists():
        raise QuestionActionError(_("This question is not in one of your departments."))


def question_claim(*, question: Question, doctor: DoctorProfile) -> Question:
    """Reserve the question for this doctor for CLAIM_MINUTES, so two doctors do not write the same reply.

    A conditional UPDATE makes the claim race-free: only one of two simultaneous claims matches.
    """
    _require_doctor_of(doctor, question)
    now = timezone.now()
    until = now + timedelta(minutes=settings.CLAIM_MINUTES)
    updated = (
        Question.objects.waiting()
        .filter(pk=question.pk)
        .filter(Q(claimed_by__isnull=True) | Q(claimed_until__lte=now) | Q(claimed_by=doctor))
        .update(claimed_by=doctor, claimed_until=until)
    )
    question.refresh_from_db(fields=["claimed_by", "claimed_until", "status"])
    if not updated:
        if question.status != Question.Status.WAITING:
            raise QuestionActionError(_("This question has already been answered."))
        raise QuestionActionError(_("Another doctor is answering this question."))
    record(actor=doctor.user, action=Action.QUESTION_CLAIM, target=question)
    return question


def question_release(*, question: Question, doctor: DoctorProfile) -> None:
    if Question.objects.filter(pk=question.pk, claimed_by=doctor).update(claimed_by=None, claimed_until=None):
        record(actor=doctor.user, action=Action.QUESTION_RELEASE, target=question)


@transaction.atomic
def reply_publish(
    *,
    question: Question,
    doctor: DoctorProfile,
    body: str,
    public_title: str = "",
    topics: Iterable[Topic] = (),
) -> Reply:
    """Publish the doctor's reply and make the question public.

    Refused when another doctor holds an active claim or the question is already answered.
    """
    locked = Question.objects.select_for_update().get(pk=question.pk)
    _require_doctor_of(doctor, locked)
    now = timezone.now()
    if locked.status != Question.Status.WAITING or locked.hidden_at is not None:
        raise QuestionActionError(_("This question has already been answered or is no longer open."))
    if locked.claim_is_active(now) and locked.claimed_by_id != doctor.pk:
        raise QuestionActionError(_("Another doctor has claimed this question."))
    body = body.strip()
    if not body:
        raise QuestionActionError(_("The reply is empty."))

    reply = Reply.objects.create(question=locked, doctor=doctor, body=body, created_at=now)
    locked.status = Question.Status.PUBLISHED
    locked.published_at = now
    locked.claimed_by = None
    locked.claimed_until = None
    fields = ["status", "published_at", "claimed_by", "claimed_until"]
    if public_title.strip():
        locked.public_title = public_title.strip()
        fields.append("public_title")
    locked.save(update_fields=fields)
    topic_list = [t for t in topics if t.department_id == locked.department_id]
    if topic_list:
        locked.topics.set(topic_list)
    record(actor=doctor.user, action=Action.REPLY_PUBLISH, target=locked)

    _reindex_on_commit(locked)
    transaction.on_commit(retrain_router_if_stale.enqueue)
    # Related FAQ and a More Info draft for a doctor to review, from the reference library.
    transaction.on_commit(lambda: draft_more_info.enqueue(question_id=locked.pk))
    if locked.email:
        transaction.on_commit(lambda: send_answer_notice.enqueue(question_id=locked.pk))
    return reply


def question_set_public_title(*, question: Question, public_title: str, actor: User | None = None) -> Question:
    question.public_title = public_title.strip()
    question.full_clean(validate_unique=False, validate_constraints=False)
    question.save(update_fields=["public_title"])
    record(actor=actor, action=Action.QUESTION_TITLE, target=question, detail=question.public_title)
    _reindex_on_commit(question)
    return question


@transaction.atomic
def question_move(*, question: Question, department: Department, actor: User | None = None) -> Question:
    """Move a question to another department (the triage queue's pick, or a correction)."""
    moved_from = question.department
    question.department = department
    question.claimed_by = None
    question.claimed_until = None
    question.save(update_fields=["department", "claimed_by", "claimed_until"])
    # Topics belong to a department; ones from the old department no longer apply.
    question.topics.remove(*question.topics.exclude(department=department))
    record(
        actor=actor,
        action=Action.QUESTION_MOVE,
        target=question,
        detail=f"{moved_from or _('Not sure')} → {department}",
    )
    _reindex_on_commit(question)
    return question


def question_hide(*, question: Question, reason: str, actor: User | None = None) -> Question:
    reason = reason.strip()
    if not reason:
        raise QuestionActionError(_("Give a reason for hiding."))
    question.hidden_at = timezone.now()
    question.hidden_reason = reason
    question.save(update_fields=["hidden_at", "hidden_reason"])
    record(actor=actor, action=Action.QUESTION_HIDE, target=question, detail=reason)
    _reindex_on_commit(question)
    return question


def question_unhide(*, question: Question, actor: User | None = None) -> Question:
    question.hidden_at = None
    question.hidden_reason = ""
    question.save(update_fields=["hidden_at", "hidden_reason"])
    record(actor=actor, action=Action.QUESTION_UNHIDE, target=question)
    _reindex_on_commit(question)
    return question


@transaction.atomic
def reply_hide(*, reply: Reply, reason: str, actor: User | None = None) -> Reply:
    """Hide a reply. The question goes back to its department's queue for a new answer."""
    reason = reason.strip()
    if not reason:
        raise QuestionActionError(_("Give a reason for hiding."))
    reply.hidden_at = timezone.now()
    reply.hidden_reason = reason
    reply.save(update_fields=["hidden_at", "hidden_reason"])
    question = reply.question
    question.status = Question.Status.WAITING
    question.published_at = None
    question.save(update_fields=["status", "published_at"])
    record(actor=actor, action=Action.REPLY_HIDE, target=question, detail=reason)
    _reindex_on_commit(question)
    return reply
