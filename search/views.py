from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from config.ratelimits import rate_limited

from . import selectors
from .forms import SearchForm

PER_PAGE = 10


@rate_limited(group="search", rate_setting="SEARCH_RATE")
def search(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET or None)
    query, department, page = "", None, None
    if form.is_valid():
        query = form.cleaned_data["q"].strip()
        department = form.cleaned_data["department"]
        if query:
            hits = selectors.search(query, department_id=department.pk if department else None)
            page = Paginator(hits, PER_PAGE).get_page(request.GET.get("page"))
            # Only the questions on this page are loaded from the database.
            page.object_list = selectors.results(list(page.object_list), query)  # type: ignore[assignment]
    return render(
        request,
        "search/results.html",
        {"form": form, "query": query, "department": department, "page": page, "searched": page is not None},
    )


@never_cache
@rate_limited(group="suggest", rate_setting="SUGGEST_RATE", fragment=True)
def suggest(request: HttpRequest) -> HttpResponse:
    """ "Already answered?" while asking: an HTML fragment the ask form's script puts beside the form."""
    text = f"{request.GET.get('title', '')}\n{request.GET.get('body', '')}"[:4000]
    return render(request, "search/suggestions.html", {"questions": selectors.suggestions(text)})
