"""The verified doctor's pages: the queue of their departments, claiming and replying."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import DoctorProfile
from accounts.permissions import doctor_required

from . import selectors, services
from .forms import PublicTitleForm, ReplyForm
from .models import Question


def _doctor(request: HttpRequest) -> DoctorProfile:
    doctor = request.user.verified_doctor  # type: ignore[union-attr]
    assert doctor is not None  # guaranteed by @doctor_required
    return doctor


def _question_of_doctor(doctor: DoctorProfile, pk: int) -> Question:
    """A question in one of the doctor's departments (404 for any other, so nothing leaks)."""
    return selectors.question_with_history(
        queryset=Question.objects.filter(department__in=doctor.departments.all()), pk=pk
    )


@doctor_required
def queue(request: HttpRequest) -> HttpResponse:
    doctor = _doctor(request)
    return render(
        request,
        "questions/doctor_queue.html",
        {"doctor": doctor, "questions": selectors.doctor_queue(doctor=doctor), "now": timezone.now()},
    )


@doctor_required
def answer(request: HttpRequest, pk: int) -> HttpResponse:
    """Show a question of the doctor's departments with the claim and reply forms; POST publishes."""
    doctor = _doctor(request)
    question = _question_of_doctor(doctor, pk)
    form = ReplyForm(request.POST or None, department=question.department)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                reply = services.reply_publish(
                    question=question,
                    doctor=doctor,
                    body=form.cleaned_data["body"],
                    public_title=form.cleaned_data["public_title"],
                    topics=form.cleaned_data["topics"],
                )
            except services.QuestionActionError as error:
                form.add_error(None, str(error))
                status = 409
            else:
                messages.success(request, _("Your reply is published."))
                # reply.question carries the public title just set, so this is already the canonical address.
                return redirect(reply.question.get_absolute_url())
        else:
            status = 400
        question = _question_of_doctor(doctor, pk)
    return render(
        request,
        "questions/doctor_answer.html",
        {
            "question": question,
            "doctor": doctor,
            "form": form,
            "title_form": PublicTitleForm(initial={"public_title": question.public_title}),
            "claimed_by_me": question.claim_is_active() and question.claimed_by_id == doctor.pk,
            "claimed_by_other": question.claim_is_active() and question.claimed_by_id != doctor.pk,
        },
        status=status,
    )


@require_POST
@doctor_required
def claim(request: HttpRequest, pk: int) -> HttpResponse:
    doctor = _doctor(request)
    question = _question_of_doctor(doctor, pk)
    try:
        services.question_claim(question=question, doctor=doctor)
    except services.QuestionActionError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("You are answering this question; other doctors see it as taken."))
    return redirect("questions:doctor_answer", pk=pk)


@require_POST
@doctor_required
def release(request: HttpRequest, pk: int) -> HttpResponse:
    doctor = _doctor(request)
    services.question_release(question=_question_of_doctor(doctor, pk), doctor=doctor)
    messages.info(request, _("You released this question for other doctors."))
    return redirect("questions:doctor_queue")


@require_POST
@doctor_required
def set_public_title(request: HttpRequest, pk: int) -> HttpResponse:
    doctor = _doctor(request)
    question = _question_of_doctor(doctor, pk)
    form = PublicTitleForm(request.POST)
    if form.is_valid():
        services.question_set_public_title(
            question=question, public_title=form.cleaned_data["public_title"], actor=doctor.user
        )
        messages.success(request, _("The public title is saved."))
    return redirect("questions:doctor_answer", pk=pk)
