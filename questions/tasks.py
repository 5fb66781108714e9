from django.conf import settings
from django.core.mail import send_mail
from django.utils import translation
from django.utils.translation import gettext as _
from django_tasks import task

from .models import Question


@task()
def send_answer_notice(question_id: int) -> None:
    """E-mail the asker that a doctor has answered."""
    question = Question.objects.filter(pk=question_id).public().first()
    if question is None or not question.email:
        return
    with translation.override(question.language):
        send_mail(
            subject=_("A doctor has answered your question"),
            message=_(
                'Hello %(pseudonym)s,\n\nA doctor has answered your question "%(title)s".\n'
                "Read the answer: %(url)s\n\nMedAnswers"
            )
            % {
                "pseudonym": question.pseudonym,
                "title": question.title,
                "url": settings.SITE_URL + question.get_follow_url(),
            },
            from_email=None,
            recipient_list=[question.email],
        )
