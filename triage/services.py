"""Triage of a question before it is posted: department suggestion, emergency red flags, personal data.

Each part fails on its own: a model error never stops a question from being posted. The question is
then routed to the moderators' triage queue and the failure is logged.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field

import numpy as np
from django.conf import settings
from django.core.cache import cache
from django.db import transaction

from departments.models import Department, Topic
from questions.models import Question

from . import redflags, routing, scrub
from .models import RouterSnapshot

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class DepartmentGuess:
    slug: str
    confidence: float


@dataclass(frozen=True)
class Triage:
    departments: list[DepartmentGuess] = field(default_factory=list)
    red_flags: list[redflags.RedFlag] = field(default_factory=list)
    scrubbed_title: str = ""
    scrubbed_body: str = ""

    @property
    def urgent(self) -> bool:
        return bool(self.red_flags)

    def confident_department(self) -> str | None:
        """The department to route a "not sure" question to, if the router is sure enough."""
        if self.departments and self.departments[0].confidence >= settings.ROUTER_AUTO_CONFIDENCE:
            return self.departments[0].slug
        return None


class _RouterCache:
    """The latest stored router, loaded once per process and reloaded when a newer one is stored.

    Before any router has been trained and stored, a router trained on the seed phrases and topics
    alone is built once per process.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._id: int | None = None
        self._model: routing.RouterModel | None = None
        self._seed_model: routing.RouterModel | None = None

    def get(self) -> routing.RouterModel:
        latest = RouterSnapshot.objects.order_by("-created_at", "-pk").values_list("pk", flat=True).first()
        with self._lock:
            if latest is None:
                return self._seed_only()
            if latest != self._id or self._model is None:
                try:
                    self._model = routing.RouterModel.from_dict(RouterSnapshot.objects.get(pk=latest).model)
                except ValueError:
                    logger.exception("stored router %s cannot be used; run manage.py train_router", latest)
                    return self._seed_only()
                self._id = latest
            return self._model

    def _seed_only(self) -> routing.RouterModel:
        if self._seed_model is None:
            self._seed_model = routing.train([], _department_slugs(), seeds=_seed_examples())
        return self._seed_model


router = _RouterCache()


def suggest_departments(text: str, k: int = 3) -> list[DepartmentGuess]:
    """The k most likely departments, best first (before any text: the most common ones)."""
    model = router.get()
    guesses = model.predict(text, k=k) if text.strip() else model.prior(k)
    return [DepartmentGuess(slug, round(confidence, 4)) for slug, confidence in guesses]


def triage_text(title: str, body: str) -> Triage:
    """Everything triage knows about a question; parts whose model fails are left empty and logged."""
    text = f"{title}\n{body}".strip()
    departments: list[DepartmentGuess] = []
    flags: list[redflags.RedFlag] = []
    try:
        departments = suggest_departments(text)
    except Exception:
        logger.exception("department suggestion failed; the question goes to the triage queue")
    try:
        flags = redflags.detect(text)
    except Exception:
        logger.exception("red-flag check failed")
    try:
        scrubbed_title, scrubbed_body = scrub.scrub(title), scrub.scrub(body)
    except Exception:
        # Never publish unchecked text: mask everything until a moderator looks at it.
        logger.exception("personal-data scrubbing failed; the public text is withheld")
        scrubbed_title, scrubbed_body = "[withheld]", "[withheld until a moderator has checked it]"
    return Triage(departments, flags, scrubbed_title, scrubbed_body)


def _seed_examples() -> list[tuple[str, str]]:
    return routing.seed_examples(list(Topic.objects.values_list("department__slug", "name_en", "name_zh_hant")))


def _department_slugs() -> list[str]:
    return list(Department.objects.values_list("slug", flat=True))


@transaction.atomic
def router_train(*, seeds_only: bool = False) -> RouterSnapshot:
    """Train the department router from the seed phrases, the topics and every answered question.

    An answered question is learned from its public text, whose meaning vector search has already stored:
    reading it from the vector index instead of running the model again turns a retraining at 100,000
    questions from about an hour of a worker's CPU into minutes. Only questions not indexed yet are embedded.
    With seeds_only, from the seed phrases and topics alone: a few seconds however many questions there
    are, so a deployment stores one before its web processes start instead of each building its own.
    """
    from search.text import QUESTION_TEXT_FIELDS, question_text
    from search.vectors import index

    examples = _seed_examples()
    answered = Question.objects.none() if seeds_only else Question.objects.public().filter(department__isnull=False)
    rows = list(answered.select_related("department").only(*QUESTION_TEXT_FIELDS, "department__slug").order_by())
    stored = index.vectors([q.pk for q in rows])
    history: list[tuple[str, str]] = []
    known: dict[str, np.ndarray] = {}
    for question in rows:
        if question.department is None:  # excluded by the query; for the type checker
            continue
        history.append((question_text(question), question.department.slug))
        if question.pk in stored:
            known[history[-1][0]] = stored[question.pk]
    model = routing.train(history, _department_slugs(), seeds=examples, known=known)
    return RouterSnapshot.objects.create(
        examples=len(examples) + len(history), answered_questions=len(history), model=model.to_dict()
    )


def router_is_stale() -> bool:
    """True when enough questions were answered since the stored router was trained."""
    latest = RouterSnapshot.objects.order_by("-created_at", "-pk").first()
    trained_on = latest.answered_questions if latest else 0
    return Question.objects.public().count() - trained_on >= settings.ROUTER_RETRAIN_EVERY


ROUTER_TRAINING_LOCK = "triage-router-training"


def router_retrain_if_stale() -> RouterSnapshot | None:
    """Retrain the router when it is stale, unless another worker is retraining it already.

    Every published reply queues this, so after a busy minute several workers would each train the same
    router at once (at 100,000 questions, minutes of a core and 2.5 GB each); the one that holds the lock
    trains, the others return. The lock expires with the task timeout, should its worker be killed.
    """
    if not router_is_stale() or not cache.add(ROUTER_TRAINING_LOCK, True, timeout=3600):
        return None
    try:
        return router_train()
    finally:
        cache.delete(ROUTER_TRAINING_LOCK)


@dataclass(frozen=True)
class Segment:
    """A piece of text for the masking preview: `kind` is set where personal data will be masked."""

    text: str
    kind: str = ""
    placeholder: str = ""


def masking_preview(text: str) -> list[Segment]:
    """The asker's text cut into plain pieces and the pieces that will be masked on publication."""
    segments: list[Segment] = []
    position = 0
    for span in scrub.find(text):
        if span.start > position:
            segments.append(Segment(text[position : span.start]))
        segments.append(Segment(span.text, span.kind, scrub.PLACEHOLDERS[span.kind]))
        position = span.end
    if position < len(text):
        segments.append(Segment(text[position:]))
    return segments
