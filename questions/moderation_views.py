"""Moderators' pages: the triage queue, doctor verification, moving, hiding and retitling questions."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import DoctorProfile, User
from accounts.permissions import moderator_required
from accounts.services import doctor_verify

from . import selectors, services
from .forms import HideForm, MoveForm, PublicTitleForm
from .models import Question, Reply


def _user(request: HttpRequest) -> User:
    user: User = request.user  # type: ignore[assignment]
    return user


@moderator_required
def dashboard(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "questions/moderate.html",
        {
            "triage": selectors.triage_queue(),
            "unverified": DoctorProfile.objects.filter(verified_at__isnull=True).prefetch_related("departments"),
            "hidden": Question.objects.filter(hidden_at__isnull=False).select_related("department")[:50],
            "move_form": MoveForm(),
        },
    )


@moderator_required
def question(request: HttpRequest, pk: int) -> HttpResponse:
    item = selectors.question_with_history(queryset=Question.objects.all(), pk=pk)
    return render(
        request,
        "questions/moderate_question.html",
        {
            "question": item,
            "move_form": MoveForm(initial={"department": item.department_id}),
            "hide_form": HideForm(),
            "title_form": PublicTitleForm(initial={"public_title": item.public_title}),
        },
    )


@require_POST
@moderator_required
def verify_doctor(request: HttpRequest, pk: int) -> HttpResponse:
    profile = get_object_or_404(DoctorProfile, pk=pk)
    moderator: User = request.user  # type: ignore[assignment]
    doctor_verify(profile=profile, moderator=moderator)
    messages.success(request, _("%(doctor)s is verified and can now answer questions.") % {"doctor": profile})
    return redirect("questions:moderate")


@require_POST
@moderator_required
def move(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(Question, pk=pk)
    form = MoveForm(request.POST)
    if form.is_valid():
        services.question_move(question=item, department=form.cleaned_data["department"], actor=_user(request))
        messages.success(request, _("Moved to %(department)s.") % {"department": form.cleaned_data["department"]})
    else:
        messages.error(request, _("Choose a department."))
    if request.POST.get("next") == "dashboard":
        return redirect("questions:moderate")
    return redirect("questions:moderate_question", pk=pk)


@require_POST
@moderator_required
def hide(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(Question, pk=pk)
    form = HideForm(request.POST)
    if form.is_valid():
        services.question_hide(question=item, reason=form.cleaned_data["reason"], actor=_user(request))
        messages.success(request, _("The question is hidden from the public."))
    else:
        messages.error(request, _("Give a reason for hiding."))
    return redirect("questions:moderate_question", pk=pk)


@require_POST
@moderator_required
def unhide(request: HttpRequest, pk: int) -> HttpResponse:
    services.question_unhide(question=get_object_or_404(Question, pk=pk), actor=_user(request))
    messages.success(request, _("The question is visible again."))
    return redirect("questions:moderate_question", pk=pk)


@require_POST
@moderator_required
def hide_reply(request: HttpRequest, pk: int) -> HttpResponse:
    reply = get_object_or_404(Reply.objects.select_related("question"), pk=pk, hidden_at__isnull=True)
    form = HideForm(request.POST)
    if form.is_valid():
        services.reply_hide(reply=reply, reason=form.cleaned_data["reason"], actor=_user(request))
        messages.success(request, _("The reply is hidden; the question is back in its department's queue."))
    else:
        messages.error(request, _("Give a reason for hiding."))
    return redirect("questions:moderate_question", pk=reply.question_id)


@require_POST
@moderator_required
def set_public_title(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(Question, pk=pk)
    form = PublicTitleForm(request.POST)
    if form.is_valid():
        services.question_set_public_title(
            question=item, public_title=form.cleaned_data["public_title"], actor=_user(request)
        )
        messages.success(request, _("The public title is saved."))
    return redirect("questions:moderate_question", pk=pk)
