from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from questions.pagecache import cache_public_page
from questions.selectors import public_questions

from .models import Department, Topic

PER_PAGE = 20


def department_list(request: HttpRequest) -> HttpResponse:
    return render(request, "departments/list.html", {"departments": Department.objects.all()})


@cache_public_page()
def department_detail(request: HttpRequest, slug: str) -> HttpResponse:
    department = get_object_or_404(Department, slug=slug)
    page = Paginator(public_questions(department=department), PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "departments/detail.html",
        {"department": department, "page": page, "topics": department.topics.all()},
    )


@cache_public_page()
def topic_detail(request: HttpRequest, slug: str, topic_slug: str) -> HttpResponse:
    topic = get_object_or_404(Topic.objects.select_related("department"), department__slug=slug, slug=topic_slug)
    page = Paginator(public_questions(topic=topic), PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "departments/topic.html",
        {"topic": topic, "department": topic.department, "page": page, "siblings": topic.department.topics.all()},
    )
