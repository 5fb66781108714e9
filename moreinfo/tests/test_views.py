"""The reference article page, More Info and Related FAQ on the question page, and the doctors' review pages."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import DoctorProfile
from conftest import client_for
from departments.models import Department
from moreinfo import services
from moreinfo.models import DraftSentence, MoreInfo, ReferenceArticle
from moreinfo.tests.factories import import_library, stored_draft
from questions.models import Question
from questions.tests.factories import answered_question
from search.models import SimilarQuestion

pytestmark = pytest.mark.django_db


@pytest.fixture
def library(db: None) -> list[ReferenceArticle]:
    return import_library(embed=False)


@pytest.fixture
def draft(published_question: Question, library: list[ReferenceArticle]) -> MoreInfo:
    return stored_draft(published_question, library)


def test_article_page_shows_the_text_with_its_source_address_and_licence(library: list[ReferenceArticle]) -> None:
    article = library[2]
    page = Client().get(article.get_absolute_url()).content.decode()
    assert "<h1>What causes Essential Tremor ?</h1>" in page
    assert "The cause of essential tremor is not fully known" in page
    assert '<a href="https://example.org/tremor" rel="noopener nofollow">' in page
    assert '<a href="https://creativecommons.org/licenses/by/4.0/" rel="license noopener">CC BY 4.0</a>' in page
    assert "credit: Ben Abacha and Demner-Fushman, 2019" in page


def test_withdrawn_or_unknown_article_is_not_found(library: list[ReferenceArticle]) -> None:
    services.articles_withdraw(article_ids=[library[0].pk])
    assert Client().get(library[0].get_absolute_url()).status_code == 404
    assert Client().get(reverse("moreinfo:article", args=[10**9])).status_code == 404


def test_question_page_links_related_articles_but_shows_no_draft(draft: MoreInfo, published_question: Question) -> None:
    page = Client().get(published_question.get_absolute_url()).content.decode()
    assert "Related FAQ" in page
    for article in ReferenceArticle.objects.filter(pk__in=[r["id"] for r in draft.related]):
        assert f'<a href="{article.get_absolute_url()}">{article.question}</a>' in page
    assert 'id="more-info"' not in page
    assert all(s.text not in page for s in draft.sentences.all())


def test_question_page_shows_approved_more_info_with_reviewer_and_credited_sources(
    draft: MoreInfo, published_question: Question, doctor: DoctorProfile
) -> None:
    draft = services.more_info_approve(more_info=draft, doctor=doctor)
    page = Client().get(published_question.get_absolute_url()).content.decode()
    assert 'id="more-info"' in page
    assert "<h3>Understanding the symptoms</h3>" in page and "<h3>Possible causes</h3>" in page
    for sentence in draft.sentences.all():
        assert sentence.text in page
    assert '<a href="#source-1" aria-label="source 1">[1]</a>' in page
    assert draft.reviewed_at is not None
    reviewed = timezone.localtime(draft.reviewed_at)
    assert f"Reviewed by Dr Lin Meihua on {reviewed:%Y/%m/%d}" in page
    first = ReferenceArticle.objects.get(pk=draft.public["sources"][0]["id"])
    link = f'<a href="{first.get_absolute_url()}">{first.title}: {first.question}</a>'
    assert f'<li id="source-1">{link}. MedQuAD.' in page
    assert page.count("credit: Ben Abacha and Demner-Fushman, 2019") == len(draft.public["sources"])
    assert page.count(">CC BY 4.0</a>") == len(draft.public["sources"])


def test_question_page_with_related_articles_and_more_info_stays_at_its_query_count(
    django_assert_num_queries, doctor: DoctorProfile, neurology: Department, library: list[ReferenceArticle]
) -> None:
    from questions.tests.test_pages import QUESTION_PAGE_QUERIES

    question = answered_question(
        department=neurology, doctor=doctor, topics=neurology.topics.filter(slug__in=["headache", "migraine"])
    )
    services.more_info_approve(more_info=stored_draft(question, library), doctor=doctor)
    for rank in range(2):
        similar = answered_question(department=neurology, doctor=doctor, title=f"A similar question {rank}")
        SimilarQuestion.objects.create(question=question, similar=similar, score=0.9, rank=rank)
    with django_assert_num_queries(QUESTION_PAGE_QUERIES):
        response = Client().get(question.get_absolute_url())
    assert len(response.context["related_articles"]) == 2
    assert response.context["more_info"] is not None
    assert len(response.context["similar"]) == 2


def test_doctor_queue_links_the_review_list(doctor: DoctorProfile) -> None:
    page = client_for(doctor.user).get(reverse("questions:doctor_queue")).content.decode()
    assert f'href="{reverse("moreinfo:review_list")}"' in page


def test_review_list_shows_the_drafts_of_the_doctors_departments_only(
    draft: MoreInfo, doctor: DoctorProfile, other_doctor: DoctorProfile
) -> None:
    response = client_for(doctor.user).get(reverse("moreinfo:review_list"))
    assert list(response.context["drafts"]) == [draft]
    assert reverse("moreinfo:review", args=[draft.question_id]) in response.content.decode()
    assert list(client_for(other_doctor.user).get(reverse("moreinfo:review_list")).context["drafts"]) == []
    services.more_info_approve(more_info=draft, doctor=doctor)
    assert list(client_for(doctor.user).get(reverse("moreinfo:review_list")).context["drafts"]) == []


def _form(draft: MoreInfo, **changes: str) -> dict[str, str]:
    data = {f"text-{s.pk}": s.text for s in draft.sentences.all()}
    data.update(changes)
    return data


def test_review_page_shows_sentences_with_their_sources(draft: MoreInfo, doctor: DoctorProfile) -> None:
    page = client_for(doctor.user).get(reverse("moreinfo:review", args=[draft.question_id])).content.decode()
    for sentence in draft.sentences.all():
        assert sentence.text in page
        assert f'name="remove-{sentence.pk}"' in page
    assert '<a href="#draft-source-1">[1]</a>' in page and 'id="draft-source-2"' in page
    assert "Approve and publish" in page


def test_saving_edits_changes_the_text_and_keeps_the_sources(draft: MoreInfo, doctor: DoctorProfile) -> None:
    first, second = draft.sentences.all()
    data = _form(draft, **{f"text-{first.pk}": "Shaking can affect both hands.", f"remove-{second.pk}": "on"})
    response = client_for(doctor.user).post(reverse("moreinfo:review", args=[draft.question_id]), data)
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.text == "Shaking can affect both hands." and first.sources.exists()
    assert not DraftSentence.objects.filter(pk=second.pk).exists()
    assert MoreInfo.objects.get(pk=draft.pk).public == {}


def test_an_emptied_sentence_is_refused_and_nothing_changes(draft: MoreInfo, doctor: DoctorProfile) -> None:
    first = draft.sentences.all()[0]
    before = list(draft.sentences.values_list("text", flat=True))
    for name in ("moreinfo:review", "moreinfo:approve"):
        response = client_for(doctor.user).post(
            reverse(name, args=[draft.question_id]), _form(draft, **{f"text-{first.pk}": " "})
        )
        assert response.status_code == 409
        assert "A sentence cannot be empty" in response.content.decode()
        assert list(draft.sentences.values_list("text", flat=True)) == before
        assert MoreInfo.objects.get(pk=draft.pk).status == MoreInfo.Status.REVIEW


def test_approve_saves_the_edits_and_publishes(
    draft: MoreInfo, doctor: DoctorProfile, published_question: Question
) -> None:
    first = draft.sentences.all()[0]
    data = _form(draft, **{f"text-{first.pk}": "Essential tremor is a nerve disorder of shaking."})
    response = client_for(doctor.user).post(reverse("moreinfo:approve", args=[draft.question_id]), data)
    assert response.status_code == 302
    assert response["Location"] == published_question.get_absolute_url() + "#more-info"
    draft.refresh_from_db()
    assert draft.status == MoreInfo.Status.APPROVED and draft.reviewed_by == doctor
    page = Client().get(published_question.get_absolute_url()).content.decode()
    assert "Essential tremor is a nerve disorder of shaking." in page


def test_a_stale_draft_cannot_be_approved(draft: MoreInfo, doctor: DoctorProfile) -> None:
    MoreInfo.objects.filter(pk=draft.pk).update(stale_reason="changed")
    response = client_for(doctor.user).post(reverse("moreinfo:approve", args=[draft.question_id]), _form(draft))
    assert response.status_code == 409
    assert "A source of this draft has changed" in response.content.decode()
    assert MoreInfo.objects.get(pk=draft.pk).public == {}


def test_reject_changes_nothing_public(draft: MoreInfo, second_doctor: DoctorProfile) -> None:
    response = client_for(second_doctor.user).post(reverse("moreinfo:reject", args=[draft.question_id]))
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == MoreInfo.Status.REJECTED and draft.public == {} and draft.reviewed_by is None


def test_asking_for_a_new_draft_runs_the_drafting_task(
    published_question: Question, doctor: DoctorProfile, django_capture_on_commit_callbacks
) -> None:
    import_library()  # embedded, so the question finds its articles
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(doctor.user).post(reverse("moreinfo:redraft", args=[published_question.pk]))
    assert response.status_code == 302
    more_info = MoreInfo.objects.get(question=published_question)
    assert more_info.status == MoreInfo.Status.REVIEW and more_info.sentences.exists()


def test_a_doctor_of_another_department_cannot_touch_a_draft(draft: MoreInfo, other_doctor: DoctorProfile) -> None:
    client = client_for(other_doctor.user)
    for name in ("moreinfo:review", "moreinfo:approve", "moreinfo:reject", "moreinfo:redraft"):
        response = client.post(reverse(name, args=[draft.question_id]), _form(draft))
        assert response.status_code == 404
    draft.refresh_from_db()
    assert draft.status == MoreInfo.Status.REVIEW and draft.public == {}
