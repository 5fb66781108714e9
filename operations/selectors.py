"""The figures operators watch. Each is one bounded query; percentiles are computed in Python so the
same code runs on SQLite and PostgreSQL."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Count, Min, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from departments.models import Department
from questions.models import Question

# A guard against a runaway window: 12 weeks of a national service is far below this.
MAX_ROWS = 200_000


def percentile(values: Sequence[float], fraction: float) -> float:
    """The value below which `fraction` of the values lie, interpolating between neighbours
    (the "linear" method of numpy and of PostgreSQL's percentile_cont)."""
    if not values:
        raise ValueError("percentile of no values")
    ordered = sorted(values)
    position = (len(ordered) - 1) * fraction
    lower = math.floor(position)
    upper = min(lower + 1, len(ordered) - 1)
    return ordered[lower] + (ordered[upper] - ordered[lower]) * (position - lower)


def _asked_here() -> QuerySet[Question]:
    """Questions asked on this service: imported archives carry the import time, not the asking time."""
    return Question.objects.filter(source="")


def _local_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


@dataclass(frozen=True)
class DepartmentWaiting:
    department: Department | None  # None: "not sure", in the moderators' triage queue
    waiting: int
    urgent: int
    oldest: datetime


def waiting_per_department() -> list[DepartmentWaiting]:
    rows = (
        Question.objects.waiting()
        .values("department_id")
        .annotate(waiting=Count("id"), urgent=Count("id", filter=Q(urgent=True)), oldest=Min("created_at"))
        .order_by()
    )
    departments = Department.objects.in_bulk([row["department_id"] for row in rows if row["department_id"]])
    result = [
        DepartmentWaiting(
            department=departments.get(row["department_id"]) if row["department_id"] else None,
            waiting=row["waiting"],
            urgent=row["urgent"],
            oldest=row["oldest"],
        )
        for row in rows
    ]
    return sorted(result, key=lambda item: (-item.waiting, item.oldest))


@dataclass(frozen=True)
class WeekReplyTimes:
    week_start: date
    answered: int
    median_hours: float | None
    p90_hours: float | None


def reply_times_per_week(*, weeks: int = 12, now: datetime | None = None) -> list[WeekReplyTimes]:
    """Time from asking to the published reply, for questions answered in each of the last `weeks`
    weeks (Monday to Sunday in the site's time zone; the current week is the last, still running)."""
    today = timezone.localdate(now or timezone.now())
    first_week = today - timedelta(days=today.weekday(), weeks=weeks - 1)
    rows = (
        _asked_here()
        .filter(status=Question.Status.PUBLISHED, published_at__gte=_local_midnight(first_week))
        .values_list("created_at", "published_at")[:MAX_ROWS]
    )
    hours_by_week: dict[date, list[float]] = defaultdict(list)
    for created_at, published_at in rows:
        assert published_at is not None  # filtered on above
        day = timezone.localdate(published_at)
        waited = max((published_at - created_at).total_seconds(), 0) / 3600
        hours_by_week[day - timedelta(days=day.weekday())].append(waited)
    result = []
    for number in range(weeks):
        week = first_week + timedelta(weeks=number)
        hours = hours_by_week.get(week, [])
        result.append(
            WeekReplyTimes(
                week_start=week,
                answered=len(hours),
                median_hours=percentile(hours, 0.5) if hours else None,
                p90_hours=percentile(hours, 0.9) if hours else None,
            )
        )
    return result


@dataclass(frozen=True)
class DayCount:
    day: date
    asked: int


def questions_per_day(*, days: int = 30, now: datetime | None = None) -> list[DayCount]:
    """Questions asked on each of the last `days` days, today included, zero days too."""
    today = timezone.localdate(now or timezone.now())
    first = today - timedelta(days=days - 1)
    counts = dict(
        _asked_here()
        .filter(created_at__gte=_local_midnight(first))
        .annotate(day=TruncDate("created_at", tzinfo=timezone.get_current_timezone()))
        .values("day")
        .annotate(asked=Count("id"))
        .order_by()
        .values_list("day", "asked")
    )
    return [DayCount(day=day, asked=counts.get(day, 0)) for day in (first + timedelta(days=n) for n in range(days))]


def urgent_waiting(*, limit: int = 20) -> tuple[int, list[Question]]:
    """How many urgent questions wait for a doctor, and the oldest of them."""
    urgent = Question.objects.waiting().filter(urgent=True)
    return urgent.count(), list(urgent.select_related("department").order_by("created_at")[:limit])


def current_lockouts(*, now: datetime | None = None) -> QuerySet[AccessAttempt]:
    """Usernames locked at an address by django-axes whose cool-off has not ended yet."""
    now = now or timezone.now()
    return AccessAttempt.objects.filter(
        failures_since_start__gte=settings.AXES_FAILURE_LIMIT,
        attempt_time__gt=now - settings.AXES_COOLOFF_TIME,
    ).order_by("-attempt_time")
