import logging

from django_tasks import task

from questions.models import Question

from . import services
from .matching import index

logger = logging.getLogger(__name__)


@task()
def draft_more_info(question_id: int) -> None:
    """After a reply is published (or a source changed, or a doctor asked): Related FAQ and a new draft."""
    question = Question.objects.public().filter(pk=question_id).first()
    if question is None:
        return
    services.more_info_refresh(question=question)


@task()
def embed_articles(article_ids: list[int]) -> None:
    """Embed newly imported or changed reference articles so questions can match them."""
    services.articles_embed(article_ids=article_ids)
    index.refresh(force=True)
