"""What search engines and link previews read: JSON-LD, Open Graph and canonical tags, sitemap.xml,
robots.txt and the Atom feeds."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import DoctorProfile
from departments.models import Department, Topic
from moreinfo.selectors import PublicMoreInfo
from questions import structured_data
from questions.models import Question, Reply
from questions.services import question_hide
from questions.tests.factories import answered_question, asked_question

SITE = "https://medanswers.example"
SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
ATOM_NS = "{http://www.w3.org/2005/Atom}"
# A sitemap page: the count of the section's rows, then the page of rows (with the reply aggregate).
SITEMAP_SECTION_QUERIES = 2
# The sitemap index: per section, its latest change (one aggregate) and its page count.
SITEMAP_INDEX_QUERIES = 6
# A feed: the questions with their departments, then their visible replies with doctors.
ANSWERS_FEED_QUERIES = 2
# The department's feed looks up the department first.
DEPARTMENT_FEED_QUERIES = 3


@pytest.fixture(autouse=True)
def _site_url(settings) -> None:
    settings.SITE_URL = SITE


def _json_ld(page: str) -> dict[str, Any]:
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.DOTALL)
    items = [json.loads(block) for block in blocks]
    return {item["@type"]: item for item in items}


def _meta(page: str, prop: str) -> str:
    found = re.search(rf'<meta property="{re.escape(prop)}" content="([^"]*)">', page)
    assert found, f"no {prop}"
    return found.group(1)


def test_question_page_json_ld_has_the_question_and_the_doctors_answer(
    published_question: Question, reply: Reply
) -> None:
    page = Client().get(published_question.get_absolute_url()).content.decode()
    items = _json_ld(page)
    url = SITE + published_question.get_absolute_url()

    qa = items["QAPage"]
    assert qa["@context"] == "https://schema.org"
    assert qa["url"] == url
    question = qa["mainEntity"]
    assert question["@type"] == "Question"
    assert question["name"] == "Involuntary Muscle Tension and Tremors in the Head"
    assert question["text"] == published_question.public_body
    assert question["author"] == {"@type": "Person", "name": "Xiao Rong"}
    assert question["answerCount"] == 1
    assert question["dateCreated"] == timezone.localtime(published_question.created_at).isoformat(timespec="seconds")
    answer = question["acceptedAnswer"]
    assert answer["text"] == reply.body
    assert answer["author"]["name"] == "Dr Lin Meihua"
    assert answer["author"]["url"] == SITE + reply.doctor.get_absolute_url()
    assert answer["url"] == f"{url}#answer"
    assert 'id="answer"' in page

    medical = items["MedicalWebPage"]
    assert medical["specialty"] == "https://schema.org/Neurologic"
    # No More Info was approved, so the page claims no review.
    assert "lastReviewed" not in medical
    assert "reviewedBy" not in medical


def test_json_ld_keeps_private_text_out(published_question: Question) -> None:
    page = Client().get(published_question.get_absolute_url()).content.decode()
    data = json.dumps(list(_json_ld(page).values()))
    assert "xiaorong@example.org" not in data
    # The asker's own title stays private once a public title is set.
    assert "Twitching around my ears for years" not in data


def test_json_ld_cannot_close_its_script_element(doctor: DoctorProfile, neurology: Department) -> None:
    title = "Rash </script><script>alert(1)</script> & <!-- itch"
    question = answered_question(
        department=neurology, doctor=doctor, title="Ordinary title", public_title=title, reply="See a doctor </script>."
    )
    page = Client().get(question.get_absolute_url()).content.decode()
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.DOTALL)
    assert len(blocks) == 2
    assert "<" not in "".join(blocks)
    qa = _json_ld(page)["QAPage"]
    assert qa["mainEntity"]["name"] == title
    assert qa["mainEntity"]["acceptedAnswer"]["text"] == "See a doctor </script>."


def test_reviewed_more_info_gives_the_reviewer_and_the_date(published_question: Question, reply: Reply) -> None:
    reviewed_at = timezone.now() - timedelta(days=3)
    more_info = PublicMoreInfo(sections=[], sources=[], reviewed_by=reply.doctor, reviewed_at=reviewed_at)
    items = structured_data.question_page(question=published_question, reply=reply, more_info=more_info)
    medical = next(item for item in items if item["@type"] == "MedicalWebPage")
    assert medical["lastReviewed"] == timezone.localtime(reviewed_at).date().isoformat()
    assert medical["reviewedBy"] == {
        "@type": "Person",
        "name": "Dr Lin Meihua",
        "url": SITE + reply.doctor.get_absolute_url(),
    }


def test_department_without_a_schema_org_specialty_is_named(doctor: DoctorProfile) -> None:
    rare = Department.objects.get(slug="hansens-disease")
    doctor.departments.add(rare)
    question = answered_question(department=rare, doctor=doctor)
    medical = _json_ld(Client().get(question.get_absolute_url()).content.decode())["MedicalWebPage"]
    assert medical["specialty"] == "Hansen's Disease"


def test_question_page_has_open_graph_and_canonical_tags(published_question: Question) -> None:
    # The request comes through another host name; the tags name the public address.
    page = Client(HTTP_HOST="localhost").get(published_question.get_absolute_url()).content.decode()
    url = SITE + published_question.get_absolute_url()
    assert f'<link rel="canonical" href="{url}">' in page
    assert _meta(page, "og:url") == url
    assert _meta(page, "og:type") == "article"
    assert _meta(page, "og:title") == "Involuntary Muscle Tension and Tremors in the Head"
    assert _meta(page, "og:description").startswith("For eight years my head")
    assert _meta(page, "og:site_name") == "MedAnswers"
    feed = reverse("department_feed", args=["neurology"])
    assert f'type="application/atom+xml" title="New answers in Neurology" href="{feed}"' in page


@pytest.mark.parametrize(
    ("path", "canonical"),
    [
        ("/", "/"),
        ("/departments/", "/departments/"),
        ("/departments/neurology/?page=2&utm_source=x", "/departments/neurology/?page=2"),
        ("/departments/neurology/?page=1", "/departments/neurology/"),
        ("/departments/neurology/topics/headache/", "/departments/neurology/topics/headache/"),
    ],
)
def test_public_pages_have_canonical_and_open_graph_tags(db: None, path: str, canonical: str) -> None:
    response = Client().get(path)
    page = response.content.decode()
    assert f'<link rel="canonical" href="{SITE}{canonical}">' in page
    assert _meta(page, "og:url") == SITE + canonical
    assert _meta(page, "og:type") == "website"
    assert _meta(page, "og:site_name") == "MedAnswers"
    assert f'href="{reverse("answers_feed")}"' in page


def test_private_follow_page_has_no_canonical_or_open_graph(waiting_question: Question) -> None:
    page = Client().get(waiting_question.get_follow_url()).content.decode()
    assert 'rel="canonical"' not in page
    assert "og:url" not in page


def test_robots_txt_keeps_crawlers_off_private_pages_and_names_the_sitemap(db: None) -> None:
    response = Client().get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    lines = response.content.decode().splitlines()
    assert lines[0] == "User-agent: *"
    for private in ["/admin/", "/doctor/", "/moderate/", "/q/", "/my/", "/accounts/", "/api/"]:
        assert f"Disallow: {private}" in lines
    assert "Allow: /" in lines
    assert f"Sitemap: {SITE}/sitemap.xml" in lines


def test_robots_txt_allows_the_public_pages(published_question: Question) -> None:
    disallowed = [
        line.split(": ", 1)[1]
        for line in Client().get("/robots.txt").content.decode().splitlines()
        if line.startswith("Disallow")
    ]
    for public in [
        published_question.get_absolute_url(),
        "/departments/neurology/",
        "/doctors/1/",
        "/ask/",
        "/feeds/answers/",
    ]:
        assert not any(public.startswith(prefix) for prefix in disallowed), public


def _locations(response_content: bytes) -> list[str]:
    root = ET.fromstring(response_content)
    return [element.text or "" for element in root.iter(f"{SITEMAP_NS}loc")]


def test_sitemap_index_lists_the_sections_on_site_url(published_question: Question) -> None:
    response = Client(HTTP_HOST="localhost").get("/sitemap.xml")
    assert response.status_code == 200
    assert _locations(response.content) == [
        f"{SITE}/sitemap-questions.xml",
        f"{SITE}/sitemap-departments.xml",
        f"{SITE}/sitemap-topics.xml",
    ]


def test_question_sitemap_lists_public_questions_with_lastmod_and_nothing_else(
    published_question: Question, doctor: DoctorProfile, neurology: Department
) -> None:
    hidden = answered_question(department=neurology, doctor=doctor, title="A question hidden later")
    question_hide(question=hidden, reason="Advertising")
    waiting = asked_question(department=neurology, title="Still waiting")

    response = Client().get("/sitemap-questions.xml")
    assert response.status_code == 200
    root = ET.fromstring(response.content)
    urls = {url.findtext(f"{SITEMAP_NS}loc"): url.findtext(f"{SITEMAP_NS}lastmod") for url in root}
    assert set(urls) == {SITE + published_question.get_absolute_url()}
    assert published_question.published_at is not None
    published_on = timezone.localtime(published_question.published_at).date().isoformat()
    assert urls[SITE + published_question.get_absolute_url()] == published_on
    assert hidden.get_absolute_url() not in response.content.decode()
    assert "Twitching" not in response.content.decode()
    assert waiting.get_absolute_url() not in response.content.decode()


def test_department_and_topic_sitemaps(
    published_question: Question, doctor: DoctorProfile, neurology: Department
) -> None:
    headache = Topic.objects.get(department=neurology, slug="headache")
    answered_question(department=neurology, doctor=doctor, title="Headache every morning", topics=[headache])

    departments = _locations(Client().get("/sitemap-departments.xml").content)
    assert len(departments) == Department.objects.count()
    assert f"{SITE}/departments/neurology/" in departments

    # Only topics with an answered question are worth a crawler's visit.
    assert _locations(Client().get("/sitemap-topics.xml").content) == [SITE + headache.get_absolute_url()]


def test_large_question_sitemap_is_paginated(doctor: DoctorProfile, neurology: Department, monkeypatch) -> None:
    from questions.sitemaps import QuestionSitemap

    monkeypatch.setattr(QuestionSitemap, "limit", 2)
    questions = [answered_question(department=neurology, doctor=doctor, title=f"Question {n}") for n in range(5)]
    index = _locations(Client().get("/sitemap.xml").content)
    assert [loc for loc in index if "questions" in loc] == [
        f"{SITE}/sitemap-questions.xml",
        f"{SITE}/sitemap-questions.xml?p=2",
        f"{SITE}/sitemap-questions.xml?p=3",
    ]
    pages = [_locations(Client().get("/sitemap-questions.xml", {"p": p}).content) for p in (1, 2, 3)]
    assert [len(page) for page in pages] == [2, 2, 1]
    assert sorted(loc for page in pages for loc in page) == sorted(SITE + q.get_absolute_url() for q in questions)


@pytest.mark.parametrize("count", [1, 8])
def test_sitemap_query_counts_do_not_grow_with_rows(
    django_assert_num_queries, doctor: DoctorProfile, neurology: Department, count: int
) -> None:
    for number in range(count):
        answered_question(department=neurology, doctor=doctor, title=f"Question {number}")
    client = Client()
    with django_assert_num_queries(SITEMAP_SECTION_QUERIES):
        assert len(_locations(client.get("/sitemap-questions.xml").content)) == count
    with django_assert_num_queries(SITEMAP_INDEX_QUERIES):
        client.get("/sitemap.xml")


def _entries(content: bytes) -> list[ET.Element]:
    return ET.fromstring(content).findall(f"{ATOM_NS}entry")


def test_answers_feed_has_the_new_answers_and_no_private_text(
    published_question: Question, reply: Reply, other_doctor: DoctorProfile, dermatology: Department
) -> None:
    newer = answered_question(
        department=dermatology,
        doctor=other_doctor,
        title="Itchy red patches",
        published_at=timezone.now() + timedelta(minutes=1),
    )
    hidden = answered_question(department=dermatology, doctor=other_doctor, title="Hidden itch question")
    question_hide(question=hidden, reason="Advertising")

    response = Client().get(reverse("answers_feed"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    content = response.content.decode()
    entries = _entries(response.content)
    assert [entry.findtext(f"{ATOM_NS}title") for entry in entries] == [
        "Itchy red patches - Dermatology",
        "Involuntary Muscle Tension and Tremors in the Head - Neurology",
    ]
    first_link = entries[0].find(f"{ATOM_NS}link")
    assert first_link is not None and first_link.get("href") == SITE + newer.get_absolute_url()
    assert entries[1].findtext(f"{ATOM_NS}author/{ATOM_NS}name") == "Dr Lin Meihua"
    summary = entries[1].findtext(f"{ATOM_NS}summary") or ""
    assert reply.body in summary
    assert "For eight years my head" in summary
    assert "Hidden itch question" not in content
    assert "xiaorong@example.org" not in content
    assert "Twitching around my ears" not in content


def test_department_feed_has_only_that_department(
    published_question: Question, other_doctor: DoctorProfile, dermatology: Department
) -> None:
    answered_question(department=dermatology, doctor=other_doctor, title="Itchy red patches")
    response = Client().get(reverse("department_feed", args=["neurology"]))
    assert response.status_code == 200
    root = ET.fromstring(response.content)
    assert root.findtext(f"{ATOM_NS}title") == "New answers in Neurology - MedAnswers"
    assert [entry.findtext(f"{ATOM_NS}title") for entry in _entries(response.content)] == [
        "Involuntary Muscle Tension and Tremors in the Head - Neurology"
    ]
    assert Client().get("/departments/no-such-department/feed/").status_code == 404


def test_department_page_announces_its_feed(db: None) -> None:
    page = Client().get("/departments/neurology/").content.decode()
    assert f'href="{reverse("department_feed", args=["neurology"])}"' in page


def test_feed_titles_follow_the_language(published_question: Question) -> None:
    response = Client(HTTP_ACCEPT_LANGUAGE="zh-TW").get(reverse("department_feed", args=["neurology"]))
    root = ET.fromstring(response.content)
    assert root.findtext(f"{ATOM_NS}title") == "神經內科最新回覆 - MedAnswers"
    assert root.get("{http://www.w3.org/XML/1998/namespace}lang") == "zh-hant"


@pytest.mark.parametrize("count", [1, 6])
def test_feed_query_counts_do_not_grow_with_rows(
    django_assert_num_queries, doctor: DoctorProfile, neurology: Department, count: int
) -> None:
    for number in range(count):
        answered_question(department=neurology, doctor=doctor, title=f"Question {number}")
    client = Client()
    with django_assert_num_queries(ANSWERS_FEED_QUERIES):
        assert len(_entries(client.get(reverse("answers_feed")).content)) == count
    with django_assert_num_queries(DEPARTMENT_FEED_QUERIES):
        assert len(_entries(client.get(reverse("department_feed", args=["neurology"])).content)) == count
