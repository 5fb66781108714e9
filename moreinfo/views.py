"""The reference article page, and the doctors' review of More Info drafts."""

from __future__ import annotations

from itertools import groupby

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import DoctorProfile
from accounts.permissions import doctor_required

from . import selectors, services
from .forms import DraftEditForm
from .models import MoreInfo, Section, licence_url


def article(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.article_get(pk=pk)
    return render(request, "moreinfo/article.html", {"article": found, "licence_url": licence_url(found.licence)})


def _doctor(request: HttpRequest) -> DoctorProfile:
    doctor = request.user.verified_doctor  # type: ignore[union-attr]
    assert doctor is not None  # guaranteed by @doctor_required
    return doctor


@doctor_required
def review_list(request: HttpRequest) -> HttpResponse:
    doctor = _doctor(request)
    return render(request, "moreinfo/review_list.html", {"drafts": selectors.review_queue(doctor=doctor)})


def _review_page(
    request: HttpRequest, more_info: MoreInfo, form: DraftEditForm, *, error: str = "", status: int = 200
) -> HttpResponse:
    titles = dict(Section.choices)
    numbers: dict[int, int] = {}
    sources = []
    rows = []
    for sentence, text, remove in form.rows():
        for source in sentence.sources.all():
            if source.pk not in numbers:
                numbers[source.pk] = len(numbers) + 1
                sources.append((numbers[source.pk], source))
        rows.append((sentence, text, remove, [numbers[a.pk] for a in sentence.sources.all()]))
    sections = [(titles[key], list(group)) for key, group in groupby(rows, key=lambda row: row[0].section)]
    return render(
        request,
        "moreinfo/review.html",
        {
            "more_info": more_info,
            "question": more_info.question,
            "form": form,
            "sections": sections,
            "sources": sources,
            "error": error,
        },
        status=status,
    )


@doctor_required
def review(request: HttpRequest, pk: int) -> HttpResponse:
    """The draft of a question of the doctor's departments; POST saves the edited sentences."""
    doctor = _doctor(request)
    more_info = selectors.draft_for_review(doctor=doctor, question_pk=pk)
    sentences = list(more_info.sentences.all())
    if request.method != "POST":
        return _review_page(request, more_info, DraftEditForm(sentences=sentences))
    form = DraftEditForm(request.POST, sentences=sentences)
    if not form.is_valid():
        return _review_page(request, more_info, form, status=400)
    try:
        services.more_info_edit(more_info=more_info, doctor=doctor, texts=form.texts(), removed=form.removed())
    except services.MoreInfoError as error:
        return _review_page(request, more_info, form, error=str(error), status=409)
    messages.success(request, _("Your changes to the draft are saved."))
    return redirect("moreinfo:review", pk=pk)


@require_POST
@doctor_required
def approve(request: HttpRequest, pk: int) -> HttpResponse:
    """Save the edits sent with the form, then publish the draft."""
    doctor = _doctor(request)
    more_info = selectors.draft_for_review(doctor=doctor, question_pk=pk)
    form = DraftEditForm(request.POST, sentences=list(more_info.sentences.all()))
    if not form.is_valid():
        return _review_page(request, more_info, form, status=400)
    try:
        services.more_info_approve(more_info=more_info, doctor=doctor, texts=form.texts(), removed=form.removed())
    except services.MoreInfoError as error:
        return _review_page(request, more_info, form, error=str(error), status=409)
    messages.success(request, _("More Info is approved and shown on the question page."))
    return redirect(more_info.question.get_absolute_url() + "#more-info")


@require_POST
@doctor_required
def reject(request: HttpRequest, pk: int) -> HttpResponse:
    doctor = _doctor(request)
    more_info = selectors.draft_for_review(doctor=doctor, question_pk=pk)
    try:
        services.more_info_reject(more_info=more_info, doctor=doctor)
    except services.MoreInfoError as error:
        messages.error(request, str(error))
        return redirect("moreinfo:review", pk=pk)
    messages.success(request, _("The draft is rejected. The question page is unchanged."))
    return redirect("moreinfo:review_list")


@require_POST
@doctor_required
def redraft(request: HttpRequest, pk: int) -> HttpResponse:
    doctor = _doctor(request)
    question = selectors.question_for_reviewer(doctor=doctor, question_pk=pk)
    try:
        services.more_info_request_draft(question=question, doctor=doctor)
    except services.MoreInfoError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("A new draft is being made. It will appear in your review list."))
    return redirect("moreinfo:review_list")
