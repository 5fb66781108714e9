"""Drafting, review and the rules that keep public More Info grounded in current sources."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

import pytest

from accounts.models import DoctorProfile
from departments.models import Department
from moreinfo import services
from moreinfo.generators import ChatCompletionsGenerator, Draft, Sentence, Source
from moreinfo.importer import parse_article
from moreinfo.models import ArticleEmbedding, DraftSentence, MoreInfo, ReferenceArticle
from moreinfo.selectors import for_page
from moreinfo.tests.factories import LIBRARY, import_library
from moreinfo.tests.test_generators import ChatServer
from questions.models import Question, Reply
from questions.services import reply_hide, reply_publish
from questions.tests.factories import asked_question

pytestmark = pytest.mark.django_db

TREMOR_BODY = (
    "My hands and head shake when I hold a cup, and my father had essential tremor. "
    "What causes essential tremor and what are the treatments?"
)


@pytest.fixture
def library(db: None) -> list[ReferenceArticle]:
    return import_library()


def answered(department: Department, doctor: DoctorProfile, *, title: str, body: str, reply: str) -> Question:
    question = asked_question(department=department, title=title, body=body)
    reply_publish(question=question, doctor=doctor, body=reply)
    question.refresh_from_db()
    return question


@pytest.fixture
def tremor_question(neurology: Department, doctor: DoctorProfile) -> Question:
    return answered(
        neurology,
        doctor,
        title="Is my shaking essential tremor?",
        body=TREMOR_BODY,
        reply="This sounds like essential tremor. Cut down on coffee and see a neurologist for an examination.",
    )


def drafted(question: Question) -> MoreInfo:
    more_info = services.more_info_refresh(question=question)
    assert more_info is not None
    return more_info


def approved(question: Question, doctor: DoctorProfile) -> MoreInfo:
    return services.more_info_approve(more_info=drafted(question), doctor=doctor)


def reimport(lines: Sequence[dict]) -> services.ImportResult:
    return services.articles_import(
        entries=[parse_article(json.dumps(line)) for line in lines],
        source="MedQuAD",
        licence="CC BY 4.0",
        attribution="Ben Abacha and Demner-Fushman, 2019",
    )


def test_refresh_stores_related_faq_and_a_draft_citing_the_sources(
    library: list[ReferenceArticle], tremor_question: Question
) -> None:
    more_info = drafted(tremor_question)
    tremor_ids = {a.pk for a in library if a.title == "Essential Tremor"}
    related = [r["id"] for r in more_info.related]
    assert related and set(related) <= tremor_ids  # the knee article is about something else
    assert more_info.status == MoreInfo.Status.REVIEW
    assert more_info.generator == "extractive"
    assert more_info.draft_reply == tremor_question.replies.get()
    assert more_info.public == {}
    sentences = list(more_info.sentences.prefetch_related("sources"))
    assert len(sentences) >= 4
    for sentence in sentences:
        cited = list(sentence.sources.all())
        assert cited and {a.pk for a in cited} <= tremor_ids
        assert sentence.text in cited[0].answer
    assert {"symptoms", "causes", "self_care", "urgent"} <= {s.section for s in sentences}
    assert set(more_info.shown_articles.values_list("pk", flat=True)) == set(related)


def import_library_with_urgent_advice_elsewhere() -> None:
    """The test library, but none of the matched articles says when to get care; an outlook article does."""
    quiet = [
        {**line, "answer": line["answer"].replace("Call your doctor right away if", "Doctors look closely when")}
        for line in LIBRARY
    ]
    outlook = {
        "focus": "Essential Tremor",
        "question_type": "outlook",
        "question": "What is the outlook for Essential Tremor ?",
        "answer": "Essential tremor is not life threatening, but it often gets slowly worse with age. "
        "See a doctor right away if the shaking starts suddenly after a head injury or a new medicine.",
        "url": "https://example.org/tremor-outlook",
    }
    knee = {
        "focus": "Knee Pain",
        "question_type": "outlook",
        "question": "What is the outlook for Knee Pain ?",
        "answer": "Call your doctor right away if the knee is hot, red and swollen with a fever.",
        "url": "https://example.org/knee-outlook",
    }
    import_library([*quiet, outlook, knee])


def test_urgent_section_comes_from_another_article_on_the_condition_when_the_matched_ones_say_nothing(
    db: None, tremor_question: Question
) -> None:
    import_library_with_urgent_advice_elsewhere()
    more_info = drafted(tremor_question)
    urgent = list(more_info.sentences.filter(section="urgent").prefetch_related("sources"))
    assert [s.text for s in urgent] == [
        "See a doctor right away if the shaking starts suddenly after a head injury or a new medicine."
    ]
    assert [a.question for a in urgent[0].sources.all()] == ["What is the outlook for Essential Tremor ?"]
    # The article was given for that sentence only, and Related FAQ lists the matched articles alone.
    assert not more_info.sentences.exclude(section="urgent").filter(sources__question_type="outlook").exists()
    assert "What is the outlook for Essential Tremor ?" not in [r["question"] for r in more_info.related]


@pytest.mark.parametrize(("section", "accepted"), [("urgent", True), ("symptoms", False)])
def test_the_chat_generator_may_cite_the_urgent_only_article_in_the_urgent_section_alone(
    db: None, tremor_question: Question, section: str, accepted: bool
) -> None:
    import_library_with_urgent_advice_elsewhere()

    def respond(body: dict[str, Any]) -> str:
        prompt = body["messages"][-1]["content"]
        [number] = re.findall(r"^\[(\d+)\] \(urgent section only\) ", prompt, re.MULTILINE)
        text = "See a doctor at once if shaking starts suddenly."
        return json.dumps({"sentences": [{"section": section, "text": text, "sources": [int(number)]}]})

    server = ChatServer()
    server.respond = respond
    server.thread.start()
    try:
        generator = ChatCompletionsGenerator(base_url=server.url, model="m", timeout=5)
        more_info = services.more_info_refresh(question=tremor_question, generator=generator)
    finally:
        server.httpd.shutdown()
        server.httpd.server_close()
    assert more_info is not None and len(server.requests) == 1
    outlook = ReferenceArticle.objects.get(question="What is the outlook for Essential Tremor ?")
    if accepted:
        assert (more_info.generator, more_info.generator_note) == ("llm", "")
        assert [(s.section, s.text) for s in more_info.sentences.filter(sources=outlook)] == [
            ("urgent", "See a doctor at once if shaking starts suddenly.")
        ]
    else:
        assert more_info.generator == "extractive"
        assert "cites a source given for the urgent section only" in more_info.generator_note
        assert set(more_info.sentences.filter(sources=outlook).values_list("section", flat=True)) == {"urgent"}


def test_no_urgent_section_when_no_article_on_the_condition_says_when_to_get_care(
    db: None, tremor_question: Question
) -> None:
    import_library(
        [
            {**line, "answer": line["answer"].replace("Call your doctor right away if", "Doctors look closely when")}
            for line in LIBRARY
        ]
    )
    more_info = drafted(tremor_question)
    assert more_info.sentences.exists()
    assert not more_info.sentences.filter(section="urgent").exists()


def test_refresh_stores_nothing_without_a_library(tremor_question: Question) -> None:
    assert services.more_info_refresh(question=tremor_question) is None
    assert not MoreInfo.objects.exists()


def test_refresh_of_an_unrelated_question_links_only_what_matches(
    library: list[ReferenceArticle], neurology: Department, doctor: DoctorProfile
) -> None:
    question = answered(
        neurology,
        doctor,
        title="Knee pain after running",
        body="My right knee hurts around the kneecap after I run. What is knee pain from running?",
        reply="Rest for a week and strengthen the thigh muscles.",
    )
    more_info = drafted(question)
    assert [r["question"] for r in more_info.related] == ["What is (are) Knee Pain ?"]


def test_approve_publishes_numbered_sources_with_their_credit(
    library: list[ReferenceArticle], tremor_question: Question, doctor: DoctorProfile
) -> None:
    more_info = approved(tremor_question, doctor)
    assert more_info.status == MoreInfo.Status.APPROVED
    assert more_info.reviewed_by == doctor and more_info.reviewed_at is not None
    public = more_info.public
    numbers = range(1, len(public["sources"]) + 1)
    assert [s["key"] for s in public["sections"]] == ["symptoms", "causes", "self_care", "urgent"]
    cited = {n for section in public["sections"] for s in section["sentences"] for n in s["sources"]}
    assert cited == set(numbers)  # every source listed is cited, every citation is listed
    for source in public["sources"]:
        assert source["licence"] == "CC BY 4.0"
        assert source["attribution"] == "Ben Abacha and Demner-Fushman, 2019"
        assert source["url"] == "https://example.org/tremor"
    page = for_page(question=tremor_question, reply=tremor_question.replies.get())
    assert page.text is not None and page.text.reviewed_by == doctor
    assert sum(len(s.sentences) for s in page.text.sections) == more_info.sentences.count()


def test_edit_changes_text_and_keeps_the_citation(
    library: list[ReferenceArticle], tremor_question: Question, doctor: DoctorProfile
) -> None:
    more_info = drafted(tremor_question)
    first, second, *rest = more_info.sentences.prefetch_related("sources")
    sources = set(first.sources.all())
    services.more_info_edit(
        more_info=more_info,
        doctor=doctor,
        texts={first.pk: "  Shaking of the hands   is common. "},
        removed={second.pk},
    )
    first.refresh_from_db()
    assert first.text == "Shaking of the hands is common." and first.edited
    assert set(first.sources.all()) == sources
    assert not DraftSentence.objects.filter(pk=second.pk).exists()
    assert more_info.sentences.count() == len(rest) + 1


@pytest.mark.parametrize("change", ["empty", "all-removed", "unknown-sentence"])
def test_edit_refuses_an_empty_sentence_an_empty_draft_or_another_draft_sentence(
    library: list[ReferenceArticle], tremor_question: Question, doctor: DoctorProfile, change: str
) -> None:
    more_info = drafted(tremor_question)
    ids = list(more_info.sentences.values_list("pk", flat=True))
    before = list(DraftSentence.objects.order_by("pk").values("pk", "text"))
    choices: dict[str, dict[str, Any]] = {
        "empty": {"texts": {ids[0]: "   "}},
        "all-removed": {"texts": {}, "removed": set(ids)},
        "unknown-sentence": {"texts": {max(ids) + 1: "A sentence of nothing."}},
    }
    arguments = choices[change]
    with pytest.raises(services.MoreInfoError):
        services.more_info_edit(more_info=more_info, doctor=doctor, **arguments)
    assert list(DraftSentence.objects.order_by("pk").values("pk", "text")) == before


def test_only_verified_doctors_of_the_department_review(
    library: list[ReferenceArticle],
    tremor_question: Question,
    other_doctor: DoctorProfile,
    unverified_doctor: DoctorProfile,
) -> None:
    more_info = drafted(tremor_question)
    for doctor in (other_doctor, unverified_doctor):
        for action in (services.more_info_approve, services.more_info_reject):
            with pytest.raises(services.MoreInfoError):
                action(more_info=more_info, doctor=doctor)
    more_info.refresh_from_db()
    assert more_info.status == MoreInfo.Status.REVIEW and more_info.public == {}


def test_reject_and_a_new_draft_leave_the_public_text_as_it_was(
    library: list[ReferenceArticle], tremor_question: Question, doctor: DoctorProfile, second_doctor: DoctorProfile
) -> None:
    public = approved(tremor_question, doctor).public
    more_info = drafted(tremor_question)
    assert more_info.status == MoreInfo.Status.REVIEW
    services.more_info_reject(more_info=more_info, doctor=second_doctor)
    more_info.refresh_from_db()
    assert more_info.status == MoreInfo.Status.REJECTED
    assert more_info.public == public and more_info.reviewed_by == doctor
    with pytest.raises(services.MoreInfoError):
        services.more_info_approve(more_info=more_info, doctor=doctor)  # a rejected draft is not waiting


def test_a_changed_source_leaves_the_public_text_and_sends_the_draft_back_to_review(
    library: list[ReferenceArticle],
    tremor_question: Question,
    doctor: DoctorProfile,
    django_capture_on_commit_callbacks,
) -> None:
    more_info = approved(tremor_question, doctor)
    causes = next(a for a in library if a.question_type == "causes")
    assert causes.pk in {s["id"] for s in more_info.public["sources"]}
    number = 1 + [s["id"] for s in more_info.public["sources"]].index(causes.pk)
    kept = [
        s["text"]
        for section in more_info.public["sections"]
        for s in section["sentences"]
        if number not in s["sources"]
    ]
    changed = [dict(line) for line in LIBRARY]
    changed[2]["answer"] = "Essential tremor often runs in families, and stress makes it worse."

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        result = reimport(changed)
    assert result.changed == [causes.pk]
    more_info.refresh_from_db()
    public_ids = [s["id"] for s in more_info.public["sources"]]
    assert causes.pk not in public_ids
    assert kept and [s["text"] for section in more_info.public["sections"] for s in section["sentences"]] == kept
    numbers = {n for section in more_info.public["sections"] for s in section["sentences"] for n in s["sources"]}
    assert numbers == set(range(1, len(public_ids) + 1))  # renumbered without gaps
    assert more_info.status == MoreInfo.Status.REVIEW
    assert more_info.stale_reason == "changed"
    with pytest.raises(services.MoreInfoError):
        services.more_info_approve(more_info=more_info, doctor=doctor)

    for callback in callbacks:  # the queued work: page cache, and a new draft from the changed article
        callback()
    more_info.refresh_from_db()
    assert more_info.stale_reason == "" and more_info.status == MoreInfo.Status.REVIEW
    texts = list(more_info.sentences.values_list("text", flat=True))
    assert "The cause of essential tremor is not fully known, but it often runs in families." not in texts
    approved_again = services.more_info_approve(more_info=more_info, doctor=doctor)
    assert causes.pk in {s["id"] for s in approved_again.public["sources"]}


def test_a_withdrawn_source_disappears_from_the_page_at_once(
    library: list[ReferenceArticle], tremor_question: Question, doctor: DoctorProfile
) -> None:
    more_info = approved(tremor_question, doctor)
    cited = [s["id"] for s in more_info.public["sources"]]
    assert services.articles_withdraw(article_ids=cited) == len(cited)
    more_info.refresh_from_db()
    assert more_info.public == {}
    assert more_info.related == []
    assert more_info.status == MoreInfo.Status.REVIEW and more_info.stale_reason == "withdrawn"
    assert not ArticleEmbedding.objects.filter(article_id__in=cited).exists()
    page = for_page(question=tremor_question, reply=tremor_question.replies.get())
    assert page.text is None and page.related == []


class StrayGenerator:
    """A generator that breaks the rules: a sentence citing an article it was not given, one citing nothing."""

    name = "stray"

    def generate(self, *, question: str, reply: str, sources: Sequence[Source]) -> Draft:
        stray = ReferenceArticle.objects.get(title="Knee Pain").pk
        return Draft(
            generator=self.name,
            sentences=(
                Sentence(section="symptoms", text="Knees hurt.", sources=(stray,)),
                Sentence(section="symptoms", text="Nothing cited.", sources=()),
                Sentence(section="causes", text="It runs in families.", sources=(sources[0].article_id,)),
            ),
        )


def test_a_draft_keeps_only_sentences_citing_the_sources_it_was_given(
    library: list[ReferenceArticle], tremor_question: Question
) -> None:
    more_info = services.more_info_refresh(question=tremor_question, generator=StrayGenerator())
    assert more_info is not None
    assert list(more_info.sentences.values_list("text", flat=True)) == ["It runs in families."]


def test_a_generator_answering_garbage_changes_nothing_public(
    library: list[ReferenceArticle], tremor_question: Question, doctor: DoctorProfile
) -> None:
    public = approved(tremor_question, doctor).public
    server = ChatServer()
    server.thread.start()
    try:
        server.content = "<html>502 Bad Gateway</html>"
        generator = ChatCompletionsGenerator(base_url=server.url, model="m", timeout=5)
        more_info = services.more_info_refresh(question=tremor_question, generator=generator)
    finally:
        server.httpd.shutdown()
        server.httpd.server_close()
    assert more_info is not None
    assert more_info.generator == "extractive" and more_info.generator_note.startswith("fallback from llm")
    assert more_info.public == public
    page = for_page(question=tremor_question, reply=tremor_question.replies.get())
    assert page.text is not None


def test_a_new_reply_after_a_hidden_one_sends_more_info_back_to_review(
    library: list[ReferenceArticle],
    tremor_question: Question,
    doctor: DoctorProfile,
    second_doctor: DoctorProfile,
    django_capture_on_commit_callbacks,
) -> None:
    approved(tremor_question, doctor)
    old_draft = MoreInfo.objects.get()
    reply_hide(reply=tremor_question.replies.get(), reason="Wrong advice")
    tremor_question.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        reply_publish(
            question=tremor_question, doctor=second_doctor, body="Essential tremor is likely; try less coffee."
        )
    tremor_question.refresh_from_db()
    new_reply = Reply.objects.get(question=tremor_question, hidden_at__isnull=True)
    # Before the new draft exists, the text approved for the old reply is already gone from the page.
    assert for_page(question=tremor_question, reply=new_reply).text is None
    with pytest.raises(services.MoreInfoError):
        services.more_info_approve(more_info=old_draft, doctor=second_doctor)  # approved, not waiting
    for callback in callbacks:  # the work queued by the publication, the More Info draft among it
        callback()
    more_info = MoreInfo.objects.get()
    assert more_info.status == MoreInfo.Status.REVIEW and more_info.draft_reply == new_reply
    services.more_info_approve(more_info=more_info, doctor=second_doctor)
    page = for_page(question=tremor_question, reply=new_reply)
    assert page.text is not None and page.text.reviewed_by == second_doctor


def test_approving_a_draft_of_a_replaced_reply_is_refused(
    library: list[ReferenceArticle], tremor_question: Question, doctor: DoctorProfile, second_doctor: DoctorProfile
) -> None:
    more_info = drafted(tremor_question)
    reply_hide(reply=tremor_question.replies.get(), reason="Wrong advice")
    reply_publish(question=tremor_question, doctor=second_doctor, body="A better reply about the tremor.")
    with pytest.raises(services.MoreInfoError, match="reply has changed"):
        services.more_info_approve(more_info=more_info, doctor=doctor)


def test_publishing_a_reply_queues_the_draft(
    library: list[ReferenceArticle], neurology: Department, doctor: DoctorProfile, django_capture_on_commit_callbacks
) -> None:
    question = asked_question(department=neurology, title="Is my shaking essential tremor?", body=TREMOR_BODY)
    with django_capture_on_commit_callbacks(execute=True):
        reply_publish(question=question, doctor=doctor, body="Probably essential tremor; see a neurologist.")
    more_info = MoreInfo.objects.get(question=question)
    assert more_info.status == MoreInfo.Status.REVIEW
    assert more_info.sentences.exists() and more_info.related


def test_a_changed_article_that_is_only_linked_updates_the_link_without_a_review(
    library: list[ReferenceArticle], tremor_question: Question
) -> None:
    more_info = drafted(tremor_question)
    linked = more_info.related[0]["id"]
    DraftSentence.objects.filter(more_info=more_info, sources=linked).delete()
    line = next(dict(x) for x in LIBRARY if x["question"] == more_info.related[0]["question"])
    line["answer"] += " It is not dangerous."
    reimport([line])
    more_info.refresh_from_db()
    assert more_info.related[0]["id"] == linked
    assert more_info.stale_reason == ""
