"""The public JSON API (django-ninja): published questions, departments, search, asking, and the
doctors' queue for holders of an API token. Everything goes through the same forms, services and
selectors as the site's pages."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import wraps
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django_ratelimit.core import is_ratelimited
from ninja import NinjaAPI, Path, Query, Status
from ninja.openapi.docs import Swagger
from ninja.operation import Operation
from ninja.security import HttpBearer

from accounts.models import DoctorProfile, User
from config.ratelimits import ask_limited
from departments.models import Department, Topic
from questions import selectors as question_selectors
from questions import services as question_services
from questions.models import Question
from search import selectors as search_selectors
from search.forms import SearchForm
from triage import redflags
from triage.services import masking_preview

from . import errors
from .errors import ApiError, error_responses
from .forms import ApiAskForm, ApiReplyForm, DepartmentFilterForm
from .schemas import (
    NO_NUL,
    SLUG,
    AskIn,
    AskOut,
    ClaimOut,
    DepartmentOut,
    QuestionDetail,
    QuestionPage,
    QuestionSummary,
    QueuePage,
    ReplyIn,
    SearchPage,
    TopicOut,
)
from .services import api_token_authenticate

PER_PAGE = 20
MAX_PER_PAGE = 100
MAX_PAGE = 10_000
SEARCH_PER_PAGE = 10


class DoctorToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        return api_token_authenticate(key=token)


class MedAnswersAPI(NinjaAPI):
    def get_openapi_operation_id(self, operation: Operation) -> str:
        # The function names are unique and read well in generated clients ("list_questions").
        return operation.view_func.__name__


api = MedAnswersAPI(
    title="MedAnswers API",
    version="1",
    description=(
        "Published answers of verified doctors, departments, search and asking a question. "
        "Doctors with an API token (made on their API tokens page) read their queue, claim questions and "
        "publish replies. Errors always have the shape "
        '`{"error": {"code": "...", "message": "...", "fields": {...}}}`.'
    ),
    urls_namespace="api",
    # No validator badge: Swagger UI would otherwise load it from validator.swagger.io.
    docs=Swagger(settings={"validatorUrl": None}),
)
errors.install(api)


def _rate_limit(run: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """API_RATE per address for every operation, counted before the input is even read."""

    @wraps(run)
    def limited(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if is_ratelimited(request, group="api", key="ip", rate=settings.API_RATE, increment=True):
            return api.on_exception(request, ApiError(429, _("Too many requests. Please wait a minute.")))
        return run(request, *args, **kwargs)

    return limited


api.add_decorator(_rate_limit, mode="view")

PageNumber = Query(1, ge=1, le=MAX_PAGE)
PerPage = Query(PER_PAGE, ge=1, le=MAX_PER_PAGE)
QuestionId = Path(..., ge=1, le=2**63 - 1)


def _page(items: Sequence[Any] | QuerySet[Any], page: int, per_page: int) -> tuple[list[Any], dict[str, int]]:
    count = items.count() if isinstance(items, QuerySet) else len(items)
    start = (page - 1) * per_page
    return list(items[start : start + per_page]), {"count": count, "page": page, "per_page": per_page}


# ----------------------------------------------------------------------------------------------
# Public reads
# ----------------------------------------------------------------------------------------------


@api.get(
    "/questions",
    response={200: QuestionPage, **error_responses(422, 429)},
    url_name="questions",
    tags=["questions"],
    summary="Published questions, newest answer first",
)
def list_questions(
    request: HttpRequest,
    department: str | None = Query(None, pattern=SLUG, max_length=60, description="A department's slug."),
    page: int = PageNumber,
    per_page: int = PerPage,
) -> dict[str, Any]:
    form = DepartmentFilterForm({"department": department or ""})
    if not form.is_valid():
        raise ApiError.from_form(form)
    items, meta = _page(question_selectors.public_questions(department=form.cleaned_data["department"]), page, per_page)
    return {**meta, "items": items}


@api.get(
    "/questions/{question_id}",
    response={200: QuestionDetail, **error_responses(404, 422, 429)},
    url_name="question",
    tags=["questions"],
    summary="A published question with its reply",
)
def get_question(request: HttpRequest, question_id: int = QuestionId) -> Question:
    return question_selectors.public_question_get(pk=question_id)


@api.get(
    "/questions/{question_id}/similar",
    response={200: list[QuestionSummary], **error_responses(404, 422, 429)},
    url_name="question_similar",
    tags=["questions"],
    summary="Similar Q&A of a published question, as its page lists them",
)
def similar_questions(request: HttpRequest, question_id: int = QuestionId) -> list[Question]:
    return search_selectors.similar_for_page(question_selectors.public_question_get(pk=question_id))


@api.get(
    "/departments",
    response={200: list[DepartmentOut], **error_responses(429)},
    url_name="departments",
    tags=["departments"],
    summary="All departments",
)
def list_departments(request: HttpRequest) -> QuerySet[Department]:
    return Department.objects.all()


@api.get(
    "/departments/{slug}/topics",
    response={200: list[TopicOut], **error_responses(404, 422, 429)},
    url_name="department_topics",
    tags=["departments"],
    summary="Related FAQ topics of a department",
)
def department_topics(request: HttpRequest, slug: str = Path(..., pattern=SLUG, max_length=60)) -> QuerySet[Topic]:
    department = get_object_or_404(Department, slug=slug)
    return department.topics.select_related("department")


@api.get(
    "/search",
    response={200: SearchPage, **error_responses(422, 429)},
    url_name="search",
    tags=["search"],
    summary="Search answered questions (the site's ranking)",
)
def search(
    request: HttpRequest,
    q: str = Query("", pattern=NO_NUL, max_length=500, description="What to look for; empty finds nothing."),
    department: str | None = Query(None, pattern=SLUG, max_length=60, description="Only this department."),
    page: int = PageNumber,
) -> dict[str, Any]:
    form = SearchForm({"q": q, "department": department or ""})
    if not form.is_valid():
        raise ApiError.from_form(form)
    query, chosen = form.cleaned_data["q"], form.cleaned_data["department"]
    hits = search_selectors.search(query, department_id=chosen.pk if chosen else None) if query else []
    found, meta = _page(hits, page, SEARCH_PER_PAGE)
    items = [
        {"question": result.question, "score": round(result.score, 4), "snippet": result.snippet}
        for result in search_selectors.results(found, query)
    ]
    return {**meta, "items": items}


@api.get(
    "/suggestions",
    response={200: list[QuestionSummary], **error_responses(422, 429)},
    url_name="suggestions",
    tags=["search"],
    summary="“Already answered?”: answered questions like the one being typed",
)
def suggestions(
    request: HttpRequest,
    title: str = Query("", pattern=NO_NUL, max_length=150),
    body: str = Query("", pattern=NO_NUL, max_length=5000),
) -> list[Question]:
    return search_selectors.suggestions(f"{title}\n{body}")


# ----------------------------------------------------------------------------------------------
# Asking
# ----------------------------------------------------------------------------------------------


def _masking_fields(title: str, body: str) -> dict[str, list[str]]:
    """For each field with personal details, what will be masked, as the form's preview shows it."""
    fields: dict[str, list[str]] = {}
    for name, text in (("title", title), ("body", body)):
        for segment in masking_preview(text):
            if segment.kind:
                fields.setdefault(name, []).append(
                    _("“%(text)s” will be shown as “%(placeholder)s”.")
                    % {"text": segment.text, "placeholder": segment.placeholder}
                )
    return fields


def _emergency_advice(question: Question) -> list[str]:
    if not question.urgent:
        return []
    number = {"emergency_number": settings.EMERGENCY_NUMBER}
    # The same sentences as the red-flag banner of the ask form.
    return [
        _("This may be an emergency: call %(emergency_number)s now") % number,
        _("Call %(emergency_number)s (emergency services) or go to the nearest emergency department now.") % number,
        _(
            "Do not drive yourself if you feel faint, confused, or have chest pain; "
            "ask someone to take you or call an ambulance."
        ),
        _(
            "If you might harm yourself, stay with someone you trust and call the emergency number "
            "or a crisis line now (Taiwan: 1925)."
        ),
    ]


@api.post(
    "/questions",
    response={201: AskOut, **error_responses(400, 422, 429)},
    url_name="questions",
    tags=["questions"],
    summary="Ask a question (anonymously), with the same checks and rate limit as the site's form",
)
def ask(request: HttpRequest, payload: AskIn) -> Status:
    if ask_limited(request, increment=False):
        raise ApiError(429, _("You have asked several questions in a short time. Please wait an hour and try again."))
    form = ApiAskForm({**payload.model_dump(), "department": payload.department or "", "masking_seen": True})
    if not form.is_valid():
        raise ApiError.from_form(form)
    data = form.cleaned_data
    if not payload.confirm_masking and (masked := _masking_fields(data["title"], data["body"])):
        raise ApiError(
            422,
            _(
                "Personal details will be hidden on the public page. Send the question again with "
                "confirm_masking set to true to post it."
            ),
            code="personal_data",
            fields=masked,
        )
    # The API takes no session: a question asked here belongs to no account.
    question = form.create_question(asker=None)
    ask_limited(request, increment=True)
    return Status(
        201,
        {
            "id": question.pk,
            "status": question.status,
            "department": question.department.slug if question.department else None,
            "auto_routed": question.auto_routed,
            "urgent": question.urgent,
            "red_flags": [{"kind": kind, "label": str(redflags.LABELS.get(kind, kind))} for kind in question.red_flags],
            "advice": _emergency_advice(question),
            "follow_url": request.build_absolute_uri(question.get_follow_url()),
            "follow_token": question.follow_token,
        },
    )


# ----------------------------------------------------------------------------------------------
# Doctors, with an API token
# ----------------------------------------------------------------------------------------------

DOCTOR_ERRORS = error_responses(401, 403, 404, 409, 422, 429)


def _doctor(request: HttpRequest) -> DoctorProfile:
    user: User = request.auth  # type: ignore[attr-defined]
    doctor = user.verified_doctor
    if doctor is None:
        raise ApiError(403, _("Only verified doctors can use this."))
    return doctor


def _question_of_doctor(doctor: DoctorProfile, pk: int) -> Question:
    """A question in one of the doctor's departments (404 for any other, as on the doctor's pages)."""
    return question_selectors.question_with_history(
        queryset=Question.objects.filter(department__in=doctor.departments.all()), pk=pk
    )


@api.get(
    "/doctor/queue",
    response={200: QueuePage, **error_responses(401, 403, 422, 429)},
    auth=DoctorToken(),
    url_name="doctor_queue",
    tags=["doctors"],
    summary="Waiting questions of your departments: urgent first, then oldest first",
)
def doctor_queue(request: HttpRequest, page: int = PageNumber, per_page: int = PerPage) -> dict[str, Any]:
    items, meta = _page(question_selectors.doctor_queue(doctor=_doctor(request)), page, per_page)
    return {**meta, "items": items}


@api.post(
    "/doctor/questions/{question_id}/claim",
    response={200: ClaimOut, **DOCTOR_ERRORS},
    auth=DoctorToken(),
    url_name="doctor_claim",
    tags=["doctors"],
    summary="Reserve a question so other doctors do not answer it at the same time",
)
def doctor_claim(request: HttpRequest, question_id: int = QuestionId) -> Question:
    doctor = _doctor(request)
    return question_services.question_claim(question=_question_of_doctor(doctor, question_id), doctor=doctor)


@api.post(
    "/doctor/questions/{question_id}/release",
    response={200: ClaimOut, **error_responses(401, 403, 404, 422, 429)},
    auth=DoctorToken(),
    url_name="doctor_release",
    tags=["doctors"],
    summary="Give up your claim on a question",
)
def doctor_release(request: HttpRequest, question_id: int = QuestionId) -> dict[str, Any]:
    doctor = _doctor(request)
    question_services.question_release(question=_question_of_doctor(doctor, question_id), doctor=doctor)
    return {"id": question_id, "claimed_until": None}


@api.post(
    "/doctor/questions/{question_id}/reply",
    response={201: QuestionDetail, **error_responses(400), **DOCTOR_ERRORS},
    auth=DoctorToken(),
    url_name="doctor_reply",
    tags=["doctors"],
    summary="Publish your reply; the question becomes public",
)
def doctor_reply(request: HttpRequest, payload: ReplyIn, question_id: int = QuestionId) -> Status:
    doctor = _doctor(request)
    question = _question_of_doctor(doctor, question_id)
    form = ApiReplyForm(payload.model_dump(), department=question.department)
    if not form.is_valid():
        raise ApiError.from_form(form)
    question_services.reply_publish(
        question=question,
        doctor=doctor,
        body=form.cleaned_data["body"],
        public_title=form.cleaned_data["public_title"],
        topics=form.cleaned_data["topics"],
    )
    return Status(201, question_selectors.public_question_get(pk=question.pk))
