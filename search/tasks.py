from django_tasks import task

from questions.models import Question

from . import services
from .models import SimilarQuestion
from .vectors import index


@task()
def refresh_question(question_id: int) -> None:
    """After a question is published, edited, moved or hidden: reindex it and refresh Similar Q&A around it."""
    affected = set(SimilarQuestion.objects.filter(similar_id=question_id).values_list("question_id", flat=True))
    indexed = services.questions_index(question_ids=[question_id])
    index.refresh(force=True)
    if indexed:
        links = services.similar_refresh(question=Question.objects.get(pk=question_id))
        affected |= {link.similar_id for link in links}
    for question in Question.objects.filter(pk__in=affected - {question_id}):
        services.similar_refresh(question=question)


@task()
def index_questions(question_ids: list[int]) -> None:
    """Embed and index a batch of questions (imports, reindexing), then compute their Similar Q&A."""
    indexed = services.questions_index(question_ids=question_ids)
    index.refresh(force=True)
    for question in Question.objects.filter(pk__in=indexed):
        services.similar_refresh(question=question)
