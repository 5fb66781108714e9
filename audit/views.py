from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.permissions import operator_required

from . import selectors
from .forms import AuditFilterForm

PER_PAGE = 50


@operator_required
def log(request: HttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET or None)
    actor, action = None, ""
    if form.is_valid():
        actor, action = form.cleaned_data["actor"], form.cleaned_data["action"]
    page = Paginator(selectors.audit_entries(actor=actor, action=action), PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "audit/log.html", {"form": form, "page": page})
