"""Public pages and the asker's pages."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from config.ratelimits import ask_limited
from departments.models import Department
from moreinfo.selectors import for_page as more_info_for_page
from search.selectors import similar_for_page
from triage import scrub
from triage.views import check_context

from . import selectors
from .forms import AskForm
from .models import Question
from .pagecache import cache_public_page
from .pseudonyms import generate_pseudonym
from .structured_data import absolute_url


@cache_public_page()
def home(request: HttpRequest) -> HttpResponse:
    latest = selectors.public_questions()[:10]
    departments = Department.objects.all()
    return render(request, "questions/home.html", {"latest": latest, "departments": departments})


def ask(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = AskForm(request.POST)
        if ask_limited(request, increment=False):
            form.add_error(
                None,
                _(
                    "You have asked several questions in a short time. Please wait an hour and try again; "
                    "what you typed is kept below."
                ),
            )
            return render(request, "questions/ask.html", {"form": form}, status=429)
        if form.is_valid():
            data = form.cleaned_data
            if not data["masking_seen"] and (scrub.find(data["title"]) or scrub.find(data["body"])):
                # Show what will be masked before anything is posted; sending again confirms.
                confirmed = request.POST.copy()
                confirmed["masking_seen"] = "True"
                preview = check_context(data["title"], data["body"])
                return render(request, "questions/ask.html", {"form": AskForm(confirmed), "preview": preview})
            question = form.create_question(asker=request.user if request.user.is_authenticated else None)
            ask_limited(request, increment=True)
            messages.success(
                request,
                _("Your question was sent. Keep this page's address: it is your private link to follow it."),
            )
            return redirect(question.get_follow_url())
    else:
        form = AskForm(initial={"pseudonym": generate_pseudonym()})
    return render(request, "questions/ask.html", {"form": form})


def follow(request: HttpRequest, token: str) -> HttpResponse:
    """The asker's private page: status, the original text, and why it was hidden if it was."""
    question = selectors.question_with_history(queryset=Question.objects.all(), follow_token=token)
    return render(request, "questions/follow.html", {"question": question})


@login_required
def my_questions(request: HttpRequest) -> HttpResponse:
    questions = Question.objects.filter(asker_id=request.user.pk).select_related("department").order_by("-created_at")
    return render(request, "questions/my_questions.html", {"questions": questions})


@cache_public_page(question_kwarg="pk")
def detail(request: HttpRequest, pk: int, slug: str = "") -> HttpResponse:
    question = selectors.public_question_get(pk=pk)
    if slug != question.slug:
        return redirect(question.get_absolute_url(), permanent=True)
    reply = question.visible_replies[0] if question.visible_replies else None  # type: ignore[attr-defined]
    reference = more_info_for_page(question=question, reply=reply)
    return render(
        request,
        "questions/detail.html",
        {
            "question": question,
            "reply": reply,
            "topics": list(question.topics.all()),
            # Shared and canonical: the public address from SITE_URL, whatever host the request came through.
            "share_url": absolute_url(question.get_absolute_url()),
            "similar": similar_for_page(question),
            "more_info": reference.text,
            "related_articles": reference.related,
        },
    )
