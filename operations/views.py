"""The operators' pages: the figures moderators and admins watch, and login lockouts."""

from datetime import date

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import formats
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import User
from accounts.permissions import operator_required
from accounts.services import login_unlock

from . import charts, selectors

WEEKS = 12
DAYS = 30


def _hours(value: float | None) -> str:
    return "–" if value is None else _("%(hours)s h") % {"hours": formats.number_format(value, 1)}


def _axis_day(day: date) -> str:
    """A short month/day label under a chart's axis; tables and titles carry the full date."""
    return f"{day.month}/{day.day}"


@operator_required
def dashboard(request: HttpRequest) -> HttpResponse:
    waiting = selectors.waiting_per_department()
    weeks = selectors.reply_times_per_week(weeks=WEEKS)
    days = selectors.questions_per_day(days=DAYS)
    urgent_count, urgent = selectors.urgent_waiting()

    def department_name(item: selectors.DepartmentWaiting) -> str:
        return item.department.name if item.department else _("Not sure (triage)")

    waiting_chart = charts.bar_chart(
        [department_name(item) for item in waiting],
        [item.waiting for item in waiting],
        [
            _("%(department)s: %(waiting)d waiting, %(urgent)d urgent")
            % {"department": department_name(item), "waiting": item.waiting, "urgent": item.urgent}
            for item in waiting
        ],
    )
    week_labels = [formats.date_format(week.week_start, "SHORT_DATE_FORMAT") for week in weeks]
    reply_chart = charts.line_chart(
        [_axis_day(week.week_start) for week in weeks],
        [
            (
                _("Median"),
                "median",
                [week.median_hours for week in weeks],
                [
                    _("Week of %(week)s: median %(hours)s") % {"week": label, "hours": _hours(week.median_hours)}
                    for label, week in zip(week_labels, weeks, strict=True)
                ],
            ),
            (
                _("90th percentile"),
                "p90",
                [week.p90_hours for week in weeks],
                [
                    _("Week of %(week)s: 90th percentile %(hours)s") % {"week": label, "hours": _hours(week.p90_hours)}
                    for label, week in zip(week_labels, weeks, strict=True)
                ],
            ),
        ],
        unit=" h",
    )
    day_labels = [formats.date_format(day.day, "SHORT_DATE_FORMAT") for day in days]
    day_chart = charts.column_chart(
        [_axis_day(day.day) for day in days],
        [day.asked for day in days],
        [
            _("%(day)s: %(count)d asked") % {"day": label, "count": day.asked}
            for label, day in zip(day_labels, days, strict=True)
        ],
        label_every=5,
    )
    return render(
        request,
        "operations/dashboard.html",
        {
            "waiting": waiting,
            "waiting_total": sum(item.waiting for item in waiting),
            "waiting_chart": waiting_chart,
            "weeks": [
                (label, week, _hours(week.median_hours), _hours(week.p90_hours))
                for label, week in zip(week_labels, weeks, strict=True)
            ],
            "reply_chart": reply_chart,
            "days": list(zip(day_labels, days, strict=True)),
            "asked_total": sum(day.asked for day in days),
            "day_chart": day_chart,
            "urgent_count": urgent_count,
            "urgent": urgent,
            "lockout_count": selectors.current_lockouts().count(),
        },
    )


@operator_required
def lockouts(request: HttpRequest) -> HttpResponse:
    return render(request, "operations/lockouts.html", {"lockouts": selectors.current_lockouts()})


@require_POST
@operator_required
def unlock(request: HttpRequest, pk: int) -> HttpResponse:
    attempt = get_object_or_404(selectors.current_lockouts(), pk=pk)
    actor: User = request.user  # type: ignore[assignment]
    login_unlock(attempt=attempt, actor=actor)
    messages.success(request, _("%(username)s can log in again.") % {"username": attempt.username})
    return redirect("operations:lockouts")
