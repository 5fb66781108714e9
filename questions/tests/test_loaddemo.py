from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts.models import DoctorProfile, User
from questions.models import Question


def _load() -> str:
    out = StringIO()
    call_command("loaddemo", stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_loaddemo_fills_an_empty_database_once_and_prints_logins() -> None:
    output = _load()
    answered = Question.objects.public()
    assert answered.count() >= 60
    assert answered.values("department").distinct().count() >= 12
    assert DoctorProfile.objects.filter(verified_at__isnull=False).count() >= 12
    assert Question.objects.waiting().filter(department__isnull=False).exists()
    assert Question.objects.waiting().filter(department__isnull=True).exists()
    seed = answered.get(public_title="Involuntary Muscle Tension and Tremors in the Head")
    assert seed.department is not None and seed.department.slug == "neurology"
    assert seed.topics.filter(slug="muscle-tremors").exists()
    assert "demo-moderator" in output

    counts = (Question.objects.count(), User.objects.count())
    second = _load()
    assert (Question.objects.count(), User.objects.count()) == counts
    assert "already loaded" in second
    # Every run prints working, newly generated passwords.
    username, password = next(line.split() for line in second.splitlines() if line.strip().startswith("demo-moderator"))
    assert User.objects.get(username=username).check_password(password)


@pytest.mark.django_db
def test_loaddemo_refuses_a_database_with_real_content(waiting_question: Question) -> None:
    with pytest.raises(CommandError):
        _load()
    assert Question.objects.count() == 1
