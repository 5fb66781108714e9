"""Who may not use each page: the access matrix of every URL of the site.

Every URL name is declared in RULES with the role it needs; test_every_url_pattern_has_a_declared_rule
fails when a pattern is added to config.urls without a rule here, so a new page cannot ship without its
access tests.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.models import DoctorProfile, User
from audit.models import AuditEntry
from conftest import client_for
from departments.models import Department
from moreinfo.models import DraftSentence, MoreInfo
from moreinfo.tests.factories import import_library, stored_draft
from questions.models import Question, Reply
from questions.services import question_hide
from questions.tests.factories import asked_question


class Access(enum.Enum):
    PUBLIC = "anyone"
    LOGIN = "signed-in users"
    DOCTOR = "verified doctors"
    DOCTOR_QUESTION = "verified doctors of the question's department"
    MODERATOR = "moderators"
    # The JSON API's doctor operations: a bearer token, never the session (api/tests covers the tokens).
    API_TOKEN = "verified doctors with an API token"


@dataclass(frozen=True)
class World:
    """The objects the URLs point at: a waiting and an answered question of Neurology, its reply and doctor,
    and a doctor waiting for verification."""

    waiting: Question
    published: Question
    reply: Reply
    doctor: DoctorProfile
    applicant: DoctorProfile
    dermatology: Department
    # A username locked out by django-axes, for the moderators' unlock endpoint.
    lockout: AccessAttempt
    # A More Info draft of the answered question, waiting for review, citing reference articles.
    more_info: MoreInfo


Kwargs = Callable[[World], dict[str, object]]


def _no_kwargs(world: World) -> dict[str, object]:
    return {}


def _waiting_pk(world: World) -> dict[str, object]:
    return {"pk": world.waiting.pk}


@dataclass(frozen=True)
class Rule:
    access: Access
    kwargs: Kwargs = _no_kwargs
    post_only: bool = False


RULES: dict[str, Rule] = {
    "home": Rule(Access.PUBLIC),
    "questions:ask": Rule(Access.PUBLIC),
    "questions:detail_short": Rule(Access.PUBLIC, lambda w: {"pk": w.published.pk}),
    "questions:detail": Rule(Access.PUBLIC, lambda w: {"pk": w.published.pk, "slug": w.published.slug}),
    "questions:follow": Rule(Access.PUBLIC, lambda w: {"token": w.waiting.follow_token}),
    "questions:my_questions": Rule(Access.LOGIN),
    "questions:doctor_queue": Rule(Access.DOCTOR),
    "questions:doctor_answer": Rule(Access.DOCTOR_QUESTION, _waiting_pk),
    "questions:doctor_claim": Rule(Access.DOCTOR_QUESTION, _waiting_pk, post_only=True),
    "questions:doctor_release": Rule(Access.DOCTOR_QUESTION, _waiting_pk, post_only=True),
    "questions:doctor_title": Rule(Access.DOCTOR_QUESTION, _waiting_pk, post_only=True),
    "questions:moderate": Rule(Access.MODERATOR),
    "questions:moderate_question": Rule(Access.MODERATOR, _waiting_pk),
    "questions:moderate_move": Rule(Access.MODERATOR, _waiting_pk, post_only=True),
    "questions:moderate_hide": Rule(Access.MODERATOR, _waiting_pk, post_only=True),
    "questions:moderate_unhide": Rule(Access.MODERATOR, _waiting_pk, post_only=True),
    "questions:moderate_title": Rule(Access.MODERATOR, _waiting_pk, post_only=True),
    "questions:moderate_hide_reply": Rule(Access.MODERATOR, lambda w: {"pk": w.reply.pk}, post_only=True),
    "questions:moderate_verify": Rule(Access.MODERATOR, lambda w: {"pk": w.applicant.pk}, post_only=True),
    "accounts:login": Rule(Access.PUBLIC),
    "accounts:logout": Rule(Access.PUBLIC, post_only=True),
    "accounts:signup": Rule(Access.PUBLIC),
    "accounts:doctor_signup": Rule(Access.LOGIN),
    "accounts:doctor": Rule(Access.PUBLIC, lambda w: {"pk": w.doctor.pk}),
    "departments:list": Rule(Access.PUBLIC),
    "departments:detail": Rule(Access.PUBLIC, lambda w: {"slug": "neurology"}),
    "departments:topic": Rule(Access.PUBLIC, lambda w: {"slug": "neurology", "topic_slug": "headache"}),
    "search:search": Rule(Access.PUBLIC),
    "search:suggest": Rule(Access.PUBLIC),
    "triage:check": Rule(Access.PUBLIC),
    "moreinfo:article": Rule(Access.PUBLIC, lambda w: {"pk": w.more_info.related[0]["id"]}),
    "moreinfo:review_list": Rule(Access.DOCTOR),
    "moreinfo:review": Rule(Access.DOCTOR_QUESTION, lambda w: {"pk": w.published.pk}),
    "moreinfo:approve": Rule(Access.DOCTOR_QUESTION, lambda w: {"pk": w.published.pk}, post_only=True),
    "moreinfo:reject": Rule(Access.DOCTOR_QUESTION, lambda w: {"pk": w.published.pk}, post_only=True),
    "moreinfo:redraft": Rule(Access.DOCTOR_QUESTION, lambda w: {"pk": w.published.pk}, post_only=True),
    "operations:dashboard": Rule(Access.MODERATOR),
    "operations:lockouts": Rule(Access.MODERATOR),
    "operations:unlock": Rule(Access.MODERATOR, lambda w: {"pk": w.lockout.pk}, post_only=True),
    "audit:log": Rule(Access.MODERATOR),
    "robots_txt": Rule(Access.PUBLIC),
    "sitemap": Rule(Access.PUBLIC),
    "sitemap_section": Rule(Access.PUBLIC, lambda w: {"section": "questions"}),
    "answers_feed": Rule(Access.PUBLIC),
    "department_feed": Rule(Access.PUBLIC, lambda w: {"slug": "neurology"}),
    # The JSON API (django-ninja, namespace "api"); one name covers GET (list) and POST (ask) of /api/questions.
    "api_root": Rule(Access.PUBLIC),
    "api:api-root": Rule(Access.PUBLIC),
    "api:openapi-json": Rule(Access.PUBLIC),
    "api:openapi-view": Rule(Access.PUBLIC),
    "api:questions": Rule(Access.PUBLIC),
    "api:question": Rule(Access.PUBLIC, lambda w: {"question_id": w.published.pk}),
    "api:question_similar": Rule(Access.PUBLIC, lambda w: {"question_id": w.published.pk}),
    "api:departments": Rule(Access.PUBLIC),
    "api:department_topics": Rule(Access.PUBLIC, lambda w: {"slug": "neurology"}),
    "api:search": Rule(Access.PUBLIC),
    "api:suggestions": Rule(Access.PUBLIC),
    "api:doctor_queue": Rule(Access.API_TOKEN),
    "api:doctor_claim": Rule(Access.API_TOKEN, lambda w: {"question_id": w.waiting.pk}, post_only=True),
    "api:doctor_release": Rule(Access.API_TOKEN, lambda w: {"question_id": w.waiting.pk}, post_only=True),
    "api:doctor_reply": Rule(Access.API_TOKEN, lambda w: {"question_id": w.waiting.pk}, post_only=True),
    "api_tokens:tokens": Rule(Access.DOCTOR),
    "api_tokens:revoke": Rule(Access.DOCTOR, post_only=True),
}

ROLE_ONLY = (Access.DOCTOR, Access.DOCTOR_QUESTION, Access.MODERATOR)


def _names(accesses: Iterable[Access], *, post_only: bool | None = None) -> list[str]:
    return sorted(
        name
        for name, rule in RULES.items()
        if rule.access in accesses and (post_only is None or rule.post_only == post_only)
    )


# Signed-in people who lack the role: (URL name, persona fixture).
NOT_THE_ROLE = [
    *[
        (name, persona)
        for name in _names([Access.DOCTOR, Access.DOCTOR_QUESTION])
        for persona in ("asker", "moderator")
    ],
    *[(name, persona) for name in _names([Access.MODERATOR]) for persona in ("asker", "doctor")],
    *[(name, "unverified_doctor") for name in _names(ROLE_ONLY)],
]

# Who has the role, to show that a POST-only endpoint refuses GET even to them.
HOLDER: dict[Access, str | None] = {
    Access.PUBLIC: None,
    Access.LOGIN: "asker",
    Access.DOCTOR: "doctor",
    Access.DOCTOR_QUESTION: "doctor",
    Access.MODERATOR: "moderator",
    Access.API_TOKEN: "doctor",
}


@pytest.fixture
def world(
    published_question: Question,
    reply: Reply,
    doctor: DoctorProfile,
    unverified_doctor: DoctorProfile,
    neurology: Department,
    dermatology: Department,
) -> World:
    return World(
        waiting=asked_question(department=neurology),
        published=published_question,
        reply=reply,
        doctor=doctor,
        applicant=unverified_doctor,
        dermatology=dermatology,
        lockout=AccessAttempt.objects.create(
            username="forgetful", ip_address="192.0.2.9", user_agent="", failures_since_start=5
        ),
        more_info=stored_draft(published_question, import_library(embed=False)),
    )


def _url(name: str, world: World) -> str:
    return reverse(name, kwargs=RULES[name].kwargs(world))


def _payload(world: World) -> dict[str, object]:
    """Valid data for every form behind the POST-only endpoints, so a refusal is about the role, not the input."""
    return {
        "reason": "Advertising",
        "public_title": "A changed public title",
        "department": world.dermatology.pk,
        "body": "A reply that is long enough to be valid, written by the wrong person.",
    }


def _snapshot() -> list[object]:
    """The rows a refused request must leave as they were."""
    return [
        list(Question.objects.order_by("pk").values()),
        list(Question.topics.through.objects.order_by("pk").values()),
        list(Reply.objects.order_by("pk").values()),
        list(DoctorProfile.objects.order_by("pk").values()),
        User.objects.count(),
        AccessAttempt.objects.count(),
        AuditEntry.objects.count(),
        list(MoreInfo.objects.order_by("pk").values()),
        list(DraftSentence.objects.order_by("pk").values()),
    ]


def _request(client: Client, name: str, world: World) -> tuple[str, int, str]:
    url = _url(name, world)
    response = client.post(url, _payload(world)) if RULES[name].post_only else client.get(url)
    return url, response.status_code, response.get("Location", "")


def _persona_user(request: pytest.FixtureRequest, persona: str) -> User:
    value = request.getfixturevalue(persona)
    return value.user if isinstance(value, DoctorProfile) else value


def _url_names(patterns: Iterable[URLPattern | URLResolver], namespace: str = "", prefix: str = "") -> set[str]:
    names: set[str] = set()
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if route.startswith(("admin/", "i18n/")):
            continue
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names |= _url_names(pattern.url_patterns, inner, route)
        else:
            # An unnamed pattern cannot have a rule, so it shows up as a difference too.
            names.add(namespace + pattern.name if pattern.name else f"<unnamed {route}>")
    return names


def test_every_url_pattern_has_a_declared_rule() -> None:
    declared = set(RULES)
    actual = _url_names(get_resolver("config.urls").url_patterns)
    assert actual - declared == set(), "URL patterns without an access rule in RULES"
    assert declared - actual == set(), "RULES entries for URL names that no longer exist"


@pytest.mark.parametrize("name", _names([Access.PUBLIC], post_only=False))
def test_public_pages_open_to_anyone(world: World, name: str) -> None:
    # The short question address redirects to the canonical one; the page at the end must open.
    assert Client().get(_url(name, world), follow=True).status_code == 200


@pytest.mark.parametrize("name", _names([Access.LOGIN, *ROLE_ONLY]))
def test_anonymous_is_sent_to_log_in(world: World, name: str) -> None:
    before = _snapshot()
    url, status, location = _request(Client(), name, world)
    assert status == 302
    target = urlsplit(location)
    assert target.path == reverse("accounts:login")
    assert parse_qs(target.query)["next"] == [url]
    assert _snapshot() == before


@pytest.mark.parametrize(("name", "persona"), NOT_THE_ROLE)
def test_signed_in_without_the_role_is_forbidden(
    request: pytest.FixtureRequest, world: World, name: str, persona: str
) -> None:
    client = client_for(_persona_user(request, persona))
    before = _snapshot()
    assert _request(client, name, world)[1] == 403
    assert _snapshot() == before


@pytest.mark.parametrize("name", _names([Access.DOCTOR_QUESTION]))
def test_doctor_of_another_department_finds_nothing(world: World, other_doctor: DoctorProfile, name: str) -> None:
    before = _snapshot()
    assert _request(client_for(other_doctor.user), name, world)[1] == 404
    assert _snapshot() == before


def test_doctor_of_another_department_sees_an_empty_queue(world: World, other_doctor: DoctorProfile) -> None:
    response = client_for(other_doctor.user).get(reverse("questions:doctor_queue"))
    assert response.status_code == 200
    assert list(response.context["questions"]) == []


@pytest.mark.parametrize("name", _names(Access, post_only=True))
def test_post_only_endpoints_refuse_get(request: pytest.FixtureRequest, world: World, name: str) -> None:
    persona = HOLDER[RULES[name].access]
    client = client_for(_persona_user(request, persona) if persona else None)
    before = _snapshot()
    assert client.get(_url(name, world)).status_code == 405
    assert _snapshot() == before


@pytest.mark.parametrize("persona", [None, "asker", "doctor", "moderator"])
def test_hidden_question_is_gone_for_everyone_but_its_follow_page_says_why(
    request: pytest.FixtureRequest, published_question: Question, persona: str | None
) -> None:
    question_hide(question=published_question, reason="The question names a third person")
    client = client_for(_persona_user(request, persona) if persona else None)
    assert client.get(published_question.get_absolute_url()).status_code == 404
    assert client.get(reverse("questions:detail_short", args=[published_question.pk])).status_code == 404

    follow = client.get(published_question.get_follow_url())
    assert follow.status_code == 200
    assert "A moderator has hidden this question from the public." in follow.content.decode()
    assert "The question names a third person" in follow.content.decode()


def test_waiting_question_has_no_public_page(waiting_question: Question) -> None:
    client = client_for(waiting_question.asker)
    assert client.get(waiting_question.get_absolute_url()).status_code == 404
    assert client.get(reverse("questions:detail_short", args=[waiting_question.pk])).status_code == 404


def test_follow_page_needs_the_exact_token(waiting_question: Question, other_asker: User) -> None:
    client = client_for(other_asker)
    assert client.get(reverse("questions:follow", args=["not-the-token"])).status_code == 404
    assert client.get(reverse("questions:follow", args=[waiting_question.follow_token[:-1]])).status_code == 404


def test_unverified_doctor_has_no_profile_page(unverified_doctor: DoctorProfile) -> None:
    assert Client().get(unverified_doctor.get_absolute_url()).status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/departments/no-such-department/",
        "/departments/neurology/topics/no-such-topic/",
        # A topic of another department is not found under this one.
        "/departments/neurology/topics/acne/",
    ],
)
def test_unknown_department_or_topic_is_404(db: None, path: str) -> None:
    assert Client().get(path).status_code == 404


# The full matrix: every URL, every persona the issue names, with GET and, where the view takes a
# form, POST. The holder of the role comes last, so the refusals before it see the world untouched.
PERSONAS = ("anonymous", "asker", "other_asker", "unverified_doctor", "other_doctor", "doctor", "moderator")

# Pages that show a form and take its POST as well as GET (POST-only endpoints say so in their rule).
FORM_POSTS = frozenset(
    {
        "questions:ask",
        "questions:doctor_answer",
        "accounts:login",
        "accounts:signup",
        "accounts:doctor_signup",
        "moreinfo:review",
        "api_tokens:tokens",
    }
)


class Outcome(enum.Enum):
    ALLOWED = "allowed"
    LOGIN = "sent to log in"
    FORBIDDEN = "403"
    NOT_FOUND = "404"
    METHOD = "405"
    NO_TOKEN = "401"


def _expected(access: Access, persona: str) -> Outcome:
    if access is Access.API_TOKEN:
        return Outcome.NO_TOKEN
    if access is Access.PUBLIC:
        return Outcome.ALLOWED
    if persona == "anonymous":
        return Outcome.LOGIN
    if access is Access.LOGIN:
        return Outcome.ALLOWED
    if access is Access.DOCTOR:
        return Outcome.ALLOWED if persona in ("doctor", "other_doctor") else Outcome.FORBIDDEN
    if access is Access.DOCTOR_QUESTION:
        if persona == "doctor":
            return Outcome.ALLOWED
        return Outcome.NOT_FOUND if persona == "other_doctor" else Outcome.FORBIDDEN
    assert access is Access.MODERATOR
    return Outcome.ALLOWED if persona == "moderator" else Outcome.FORBIDDEN


def _outcome(status: int, location: str) -> Outcome:
    if status == 302 and urlsplit(location).path == reverse("accounts:login"):
        return Outcome.LOGIN
    outcomes = {401: Outcome.NO_TOKEN, 403: Outcome.FORBIDDEN, 404: Outcome.NOT_FOUND, 405: Outcome.METHOD}
    if status in outcomes:
        return outcomes[status]
    # 200 a page or a form with its errors, 301/302 the canonical address or the page after a form.
    assert status in (200, 301, 302), f"unexpected status {status}"
    return Outcome.ALLOWED


MATRIX = [
    *[(name, "GET") for name, rule in sorted(RULES.items()) if rule.access in Access],
    *[(name, "POST") for name, rule in sorted(RULES.items()) if rule.post_only or name in FORM_POSTS],
]


def test_form_posts_are_declared_urls() -> None:
    assert set(RULES) >= FORM_POSTS


@pytest.mark.parametrize(("name", "method"), MATRIX)
def test_every_persona_on_every_url(request: pytest.FixtureRequest, world: World, name: str, method: str) -> None:
    rule = RULES[name]
    url = _url(name, world)
    for persona in PERSONAS:
        client = client_for(None if persona == "anonymous" else _persona_user(request, persona))
        before = _snapshot()
        response = client.post(url, _payload(world)) if method == "POST" else client.get(url)
        outcome = _outcome(response.status_code, response.get("Location", ""))
        expected = Outcome.METHOD if method == "GET" and rule.post_only else _expected(rule.access, persona)
        assert outcome == expected, f"{method} {url} as {persona}: {outcome.value}, expected {expected.value}"
        if outcome is not Outcome.ALLOWED:
            assert _snapshot() == before, f"{method} {url} as {persona} was refused but changed data"


def test_my_questions_lists_only_the_askers_own(waiting_question: Question, other_asker: User) -> None:
    own = client_for(waiting_question.asker).get(reverse("questions:my_questions"))
    assert waiting_question.title in own.content.decode()
    other = client_for(other_asker).get(reverse("questions:my_questions"))
    assert other.status_code == 200
    assert waiting_question.title not in other.content.decode()
