"""The operators' page in a real browser (Debian's Chromium driven by Playwright): a moderator logs in,
opens it, and the three charts are drawn. The screenshot is saved as test-artifacts/operations.png."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import DoctorProfile, User
from conftest import ARTIFACTS, BROWSER_TESTS, PASSWORD, make_doctor
from departments.models import Department
from questions.models import Question
from questions.tests.factories import answered_question, asked_question

pytestmark = BROWSER_TESTS


@pytest.fixture
def page(browser_context):
    return browser_context(viewport={"width": 1280, "height": 900}).new_page()


def _some_weeks_of_work(doctors: list[DoctorProfile]) -> None:
    """Eleven weeks of answered questions and a month of asking, so every chart has something to draw."""
    rng = random.Random(6)
    now = timezone.now()
    for week in range(11):
        for _ in range(rng.randint(2, 5)):
            doctor = rng.choice(doctors)
            published = now - timedelta(weeks=week, hours=rng.randint(1, 100))
            question = answered_question(department=doctor.departments.get(), doctor=doctor, published_at=published)
            asked = published - timedelta(hours=rng.uniform(2, 30 + 4 * week))
            Question.objects.filter(pk=question.pk).update(created_at=asked)
    departments = [doctor.departments.get() for doctor in doctors]
    for day in range(30):
        for _ in range(rng.randint(0, 3)):
            asked_question(department=rng.choice(departments), created_at=now - timedelta(days=day, minutes=30))
    asked_question(department=None, title="Which doctor sees a child with a rash and fever?")
    urgent = asked_question(department=departments[0], title="Crushing pain in the chest since an hour")
    Question.objects.filter(pk=urgent.pk).update(urgent=True)


@pytest.mark.django_db(transaction=True)
def test_moderator_sees_the_operations_charts(page, live_server, moderator: User, neurology: Department) -> None:
    # `neurology` puts back the departments an earlier browser test's flush removed.
    doctors = [
        make_doctor(username, Department.objects.get(slug=slug))
        for username, slug in [("lin_meihua", "neurology"), ("wang_derm", "dermatology"), ("chen_cardio", "cardiology")]
    ]
    _some_weeks_of_work(doctors)

    base = live_server.url
    page.goto(f"{base}/accounts/login/?next=/operations/")
    page.fill("#id_username", moderator.username)
    page.fill("#id_password", PASSWORD)
    page.click("button:has-text('Log in')")
    page.wait_for_url("**/operations/")

    assert (page.text_content("h1") or "").strip() == "Operations"
    for chart in ("#chart-waiting", "#chart-reply-times", "#chart-per-day"):
        box = page.locator(chart).bounding_box()
        assert box is not None and box["width"] > 500 and box["height"] > 100
    assert page.locator("#chart-per-day rect.bar").count() == 30
    assert page.locator("#chart-reply-times .series.median circle").count() == 11
    assert page.locator("#chart-waiting rect.bar").count() >= 3
    assert "Crushing pain in the chest since an hour" in (page.text_content("#urgent") or "")

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "operations.png"), full_page=True)
