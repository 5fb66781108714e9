from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from questions.selectors import public_questions

from . import services
from .forms import DoctorSignupForm, SignupForm
from .models import DoctorProfile, User


def signup(request: HttpRequest) -> HttpResponse:
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        # Two backends are configured (django-axes first), so login() must be told which one vouches.
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, _("Welcome. Questions you ask while signed in appear under My questions."))
        return redirect("home")
    return render(request, "accounts/signup.html", {"form": form})


@login_required
def doctor_signup(request: HttpRequest) -> HttpResponse:
    """A signed-in user applies for a doctor profile; a moderator verifies it."""
    user: User = request.user  # type: ignore[assignment]
    existing = DoctorProfile.objects.filter(user=user).first()
    if existing is not None:
        return render(request, "accounts/doctor_pending.html", {"profile": existing})
    form = DoctorSignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            services.doctor_register(user=user, **form.cleaned_data)
        messages.success(request, _("Thank you. A moderator will check your licence and verify your profile."))
        return redirect("accounts:doctor_signup")
    return render(request, "accounts/doctor_signup.html", {"form": form})


def doctor_detail(request: HttpRequest, pk: int) -> HttpResponse:
    doctor = get_object_or_404(
        DoctorProfile.objects.filter(verified_at__isnull=False).prefetch_related("departments"), pk=pk
    )
    page = Paginator(public_questions(doctor=doctor), 20).get_page(request.GET.get("page"))
    return render(request, "accounts/doctor_detail.html", {"doctor": doctor, "page": page})
