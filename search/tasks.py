import logging
from datetime import timedelta
from typing import Any

from django.utils import timezone
from django_tasks import task
from django_tasks.base import Task

from questions.models import Question

from . import services
from .models import SimilarQuestion
from .vectors import index

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5


def _retry_later(task_: Task[..., None], attempt: int, error: Exception, **kwargs: Any) -> None:
    """Queue the task again with a growing delay; after MAX_ATTEMPTS, log it and give up.

    `manage.py reindex` picks up whatever is still missing after that.
    """
    if attempt >= MAX_ATTEMPTS:
        logger.error("%s failed %d times, giving up: %s", task_.name, attempt, error)
        return
    logger.warning("%s failed (attempt %d), retrying: %s", task_.name, attempt, error)
    if task_.get_backend().supports_defer:
        task_ = task_.using(run_after=timezone.now() + timedelta(seconds=30 * 2**attempt))
    task_.enqueue(attempt=attempt + 1, **kwargs)


@task()
def refresh_question(question_id: int, attempt: int = 1) -> None:
    """After a question is published, edited, moved or hidden: reindex it and refresh Similar Q&A around it."""
    affected = set(SimilarQuestion.objects.filter(similar_id=question_id).values_list("question_id", flat=True))
    try:
        indexed = services.questions_index(question_ids=[question_id])
    except Exception as error:  # any failure of the model or the database: try again later
        _retry_later(refresh_question, attempt, error, question_id=question_id)
        return
    index.refresh(force=True)
    if indexed:
        links = services.similar_refresh(question=Question.objects.get(pk=question_id))
        affected |= {link.similar_id for link in links}
    for question in Question.objects.filter(pk__in=affected - {question_id}):
        services.similar_refresh(question=question)


@task()
def index_questions(question_ids: list[int], attempt: int = 1) -> None:
    """Embed and index a batch of questions (imports, reindexing), then compute their Similar Q&A."""
    try:
        indexed = services.questions_index(question_ids=question_ids)
    except Exception as error:
        _retry_later(index_questions, attempt, error, question_ids=question_ids)
        return
    index.refresh(force=True)
    for question in Question.objects.filter(pk__in=indexed):
        services.similar_refresh(question=question)
