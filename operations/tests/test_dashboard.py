"""The operators' page: its figures (waiting per department, reply times per week, questions per day,
urgent questions) and who may open it."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import numpy
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import DoctorProfile, User
from conftest import client_for, make_user
from departments.models import Department
from operations import charts, selectors
from questions.models import Question
from questions.services import question_hide
from questions.tests.factories import answered_question, asked_question

URL = reverse("operations:dashboard")
TAIPEI = ZoneInfo("Asia/Taipei")


@pytest.mark.parametrize("size", [1, 2, 7, 100])
@pytest.mark.parametrize("fraction", [0.0, 0.5, 0.9, 1.0])
def test_percentile_matches_numpy(size: int, fraction: float) -> None:
    values = [random.Random(size).uniform(0, 500) for _ in range(size)]
    assert selectors.percentile(values, fraction) == pytest.approx(numpy.percentile(values, fraction * 100))


def test_percentile_of_nothing_is_an_error() -> None:
    with pytest.raises(ValueError):
        selectors.percentile([], 0.5)


def _answered_after(doctor: DoctorProfile, published_at: datetime, hours: float, **extra: str) -> Question:
    question = answered_question(department=doctor.departments.get(), doctor=doctor, published_at=published_at)
    Question.objects.filter(pk=question.pk).update(created_at=published_at - timedelta(hours=hours), **extra)
    return question


def test_reply_times_per_week(doctor: DoctorProfile) -> None:
    now = datetime(2026, 11, 26, 12, 0, tzinfo=TAIPEI)  # a Thursday
    this_monday = datetime(2026, 11, 23, 9, 0, tzinfo=TAIPEI)
    for hours in (1, 2, 3, 4, 10):
        _answered_after(doctor, this_monday, hours)
    _answered_after(doctor, this_monday - timedelta(weeks=2), 30)
    # Not counted: imported from an archive, or answered before the 12 weeks.
    _answered_after(doctor, this_monday, 500, source="archive", external_id="1")
    _answered_after(doctor, this_monday - timedelta(weeks=12), 700)

    weeks = selectors.reply_times_per_week(weeks=12, now=now)

    assert len(weeks) == 12
    assert weeks[-1].week_start == this_monday.date()
    assert weeks[0].week_start == (this_monday - timedelta(weeks=11)).date()
    assert (weeks[-1].answered, weeks[-1].median_hours) == (5, pytest.approx(3))
    assert weeks[-1].p90_hours == pytest.approx(numpy.percentile([1, 2, 3, 4, 10], 90))
    assert (weeks[-3].answered, weeks[-3].median_hours, weeks[-3].p90_hours) == (1, 30, 30)
    assert all(w.answered == 0 and w.median_hours is None for i, w in enumerate(weeks) if i not in (9, 11))


def test_a_reply_late_on_sunday_in_taipei_counts_in_that_week(doctor: DoctorProfile) -> None:
    # 23:30 on Sunday in Taipei is 15:30 on Sunday in UTC; either way the week is the one starting Monday 16th.
    sunday_night = datetime(2026, 11, 22, 23, 30, tzinfo=TAIPEI)
    _answered_after(doctor, sunday_night, 5)
    weeks = selectors.reply_times_per_week(weeks=2, now=datetime(2026, 11, 24, tzinfo=TAIPEI))
    assert [(w.week_start.day, w.answered) for w in weeks] == [(16, 1), (23, 0)]


def test_questions_per_day_in_the_site_time_zone(neurology: Department) -> None:
    now = timezone.now()
    today = timezone.localdate(now)
    midnight = datetime.combine(today, datetime.min.time(), tzinfo=TAIPEI)
    for created_at in (
        midnight + timedelta(minutes=5),
        midnight + timedelta(minutes=6),
        midnight - timedelta(minutes=5),
    ):
        asked_question(department=neurology, created_at=created_at)
    asked_question(department=neurology, created_at=midnight - timedelta(days=40))
    imported = asked_question(department=neurology, created_at=midnight + timedelta(minutes=7))
    Question.objects.filter(pk=imported.pk).update(source="archive", external_id="9")

    days = selectors.questions_per_day(days=30, now=now)

    assert len(days) == 30
    assert days[-1].day == today
    assert [d.day for d in days] == [today - timedelta(days=29 - n) for n in range(30)]
    assert days[-1].asked == 2
    assert days[-2].asked == 1
    assert sum(d.asked for d in days) == 3


def test_waiting_per_department_and_urgent(
    neurology: Department, dermatology: Department, published_question: Question
) -> None:
    old = asked_question(department=neurology, created_at=timezone.now() - timedelta(days=3))
    asked_question(department=neurology)
    asked_question(department=dermatology)
    asked_question(department=None)
    hidden = asked_question(department=dermatology)
    question_hide(question=hidden, reason="Spam")
    Question.objects.filter(pk=old.pk).update(urgent=True)

    waiting = selectors.waiting_per_department()

    # The fixture's question is answered, the hidden one is not waiting; neurology has the most.
    first = waiting[0]
    assert (first.department, first.waiting, first.urgent) == (neurology, 2, 1)
    assert {(w.department, w.waiting) for w in waiting} == {(neurology, 2), (dermatology, 1), (None, 1)}
    assert waiting[0].oldest == Question.objects.get(pk=old.pk).created_at
    count, urgent = selectors.urgent_waiting()
    assert (count, urgent) == (1, [old])


def test_dashboard_draws_three_charts_with_their_numbers(moderator: User, doctor: DoctorProfile) -> None:
    urgent = asked_question(department=doctor.departments.get(), title="Numb lips and a drooping eyelid")
    Question.objects.filter(pk=urgent.pk).update(urgent=True)
    _answered_after(doctor, timezone.now(), 6)
    response = client_for(moderator).get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    for chart_id in ("chart-waiting", "chart-reply-times", "chart-per-day"):
        assert f'id="{chart_id}"' in html
    assert html.count("<svg") == 3
    assert "Neurology: 1 waiting, 1 urgent" in html
    assert "Numb lips and a drooping eyelid" in html
    assert "median 6.0 h" in html
    assert response.context["asked_total"] == 2
    assert response.context["waiting_total"] == 1


def test_dashboard_with_nothing_to_show(moderator: User) -> None:
    response = client_for(moderator).get(URL)
    assert response.status_code == 200
    assert "No question is waiting." in response.content.decode()
    assert "No urgent question is waiting." in response.content.decode()


def test_the_dashboard_query_count_does_not_grow_with_data(
    moderator: User,
    doctor: DoctorProfile,
    neurology: Department,
    dermatology: Department,
    django_assert_max_num_queries,
) -> None:
    for department in (neurology, dermatology):
        for _ in range(3):
            asked_question(department=department)
    for hours in (1, 5, 9):
        _answered_after(doctor, timezone.now(), hours)
    client = client_for(moderator)
    with django_assert_max_num_queries(12):
        assert client.get(URL).status_code == 200


def test_staff_may_open_the_dashboard_and_others_may_not(asker: User, doctor: DoctorProfile) -> None:
    assert client_for(make_user("site_admin", is_staff=True)).get(URL).status_code == 200
    assert client_for(asker).get(URL).status_code == 403
    assert client_for(doctor.user).get(URL).status_code == 403
    anonymous = Client().get(URL)
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize(
    ("value", "top", "step"),
    [
        (0, 1, 1),
        (0.4, 1, 1),
        (1, 1, 1),
        (5, 5, 1),
        (6, 6, 2),
        (18, 20, 5),
        (58, 60, 20),
        (240, 250, 50),
        (999, 1000, 200),
    ],
)
def test_nice_scale(value: float, top: float, step: float) -> None:
    assert charts.nice_scale(value) == (top, step)


def test_column_chart_geometry() -> None:
    chart = charts.column_chart(["a", "b", "c"], [0, 5, 10], ["a: 0", "b: 5", "c: 10"], label_every=2)
    heights = [bar.height for bar in chart.bars]
    assert heights[0] == 0
    assert heights[1] == pytest.approx(heights[2] / 2)
    # The tallest bar reaches the top of the scale (10 is already a round number).
    assert chart.bars[2].y == pytest.approx(chart.top)
    assert [tick.label for tick in chart.y_ticks] == ["0", "2", "4", "6", "8", "10"]
    assert [tick.label for tick in chart.x_ticks] == ["a", "c"]
    assert all(chart.left <= bar.x and bar.x + bar.width <= chart.right for bar in chart.bars)


def test_line_chart_skips_weeks_without_data() -> None:
    chart = charts.line_chart(["w1", "w2", "w3"], [("Median", "median", [2.0, None, 4.0], ["1", "2", "3"])])
    (series,) = chart.series
    assert [point.title for point in series.points] == ["1", "3"]
    assert series.path.startswith("M") and series.path.count("L") == 1
