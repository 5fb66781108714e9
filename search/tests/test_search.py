import json
from io import StringIO
from pathlib import Path

import numpy as np
import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from accounts.models import DoctorProfile
from departments.models import Department
from questions.models import Question
from questions.services import question_create, question_hide, reply_publish
from search.models import QuestionEmbedding, SearchDocument, SimilarQuestion
from search.selectors import results, similar_for_page
from search.selectors import search as search_hits
from triage.models import RouterSnapshot


def search(text: str, department_id: int | None = None) -> list:
    return results(search_hits(text, department_id=department_id), text)


pytestmark = pytest.mark.django_db

TREMOR = (
    "Involuntary Muscle Tension and Tremors in the Head",
    "For eight years the muscles of my head, neck and around my ears tense up and twitch on their own. "
    "I cannot fall asleep without sleeping pills. What could cause this and what tests should I do?",
)
TREMOR_AGAIN = (
    "Twitching muscles around the ears and neck",
    "For several years my neck and the muscles near my ears twitch and tighten by themselves, worse at night, "
    "and I can only sleep with pills. What is causing this twitching and which tests do I need?",
)
KNEE = (
    "Knee pain after running",
    "My right knee hurts on the outer side after I run more than five kilometres. Should I stop running?",
)
REFLUX = (
    "Burning in my chest after meals",
    "After dinner I get a burning feeling behind my breastbone and a sour taste. Is this acid reflux?",
)


def publish(title: str, body: str, department: Department, doctor: DoctorProfile, capture) -> Question:
    question = question_create(
        title=title, body=body, age_band="40-49", sex="female", pseudonym="Reader", department=department
    )
    with capture(execute=True):
        reply_publish(question=question, doctor=doctor, body="A doctor's reply about " + title.lower())
    question.refresh_from_db()
    return question


@pytest.fixture
def corpus(neurology, doctor, django_capture_on_commit_callbacks, settings) -> dict[str, Question]:
    settings.SEARCH_INDEX_REFRESH_SECONDS = 0
    return {
        name: publish(*text, neurology, doctor, django_capture_on_commit_callbacks)
        for name, text in {"tremor": TREMOR, "tremor_again": TREMOR_AGAIN, "knee": KNEE, "reflux": REFLUX}.items()
    }


def test_publishing_indexes_words_meaning_and_similar_questions(corpus: dict[str, Question]) -> None:
    tremor = corpus["tremor"]
    assert SearchDocument.objects.filter(question=tremor).exists()
    assert QuestionEmbedding.objects.get(question=tremor).as_array().shape == (384,)
    similar = similar_for_page(tremor)
    assert similar and similar[0] == corpus["tremor_again"]
    assert corpus["knee"] not in similar and tremor not in similar


def test_search_finds_by_meaning_and_by_words(corpus: dict[str, Question]) -> None:
    assert search("can't sleep, ears twitching")[0].question in (corpus["tremor"], corpus["tremor_again"])
    assert search("kilometres")[0].question == corpus["knee"]
    assert search("sour taste heartburn")[0].question == corpus["reflux"]


def test_search_filters_by_department(corpus: dict[str, Question], dermatology: Department) -> None:
    assert search("knee pain", department_id=dermatology.pk) == []
    assert search("knee pain", department_id=corpus["knee"].department_id)


@pytest.mark.parametrize(
    "query",
    ["", "   ", "the and of", '"*:^()-OR NEAR', "耳朵 抽動 睡不著", "ü" * 600, "x" * 5000, "DROP TABLE; --", "%_"],
)
def test_odd_queries_never_error(corpus: dict[str, Question], query: str) -> None:
    response = Client().get("/search/", {"q": query})
    assert response.status_code == 200
    response = Client().get("/search/suggest/", {"title": query, "body": query})
    assert response.status_code == 200


def test_search_page_highlights_and_paginates(corpus: dict[str, Question]) -> None:
    response = Client().get("/search/", {"q": "knee running"})
    assert response.status_code == 200
    assert "<mark>" in response.content.decode()
    assert corpus["knee"].get_absolute_url() in response.content.decode()


def test_empty_results_page_helps(corpus: dict[str, Question]) -> None:
    response = Client().get("/search/", {"q": "zzzqqq xylophone"})
    assert "No answered question matches yet" in response.content.decode()


def test_suggestions_while_asking(corpus: dict[str, Question]) -> None:
    response = Client().get(
        "/search/suggest/",
        {
            "title": "my ears and neck twitch",
            "body": "the muscles near my ears twitch for years and I need pills to sleep",
        },
    )
    assert corpus["tremor"].display_title in response.content.decode()
    assert corpus["knee"].display_title not in response.content.decode()


def test_question_page_shows_similar_qa(corpus: dict[str, Question]) -> None:
    page = Client().get(corpus["tremor"].get_absolute_url()).content.decode()
    assert 'id="similar"' in page
    assert corpus["tremor_again"].display_title in page


def test_hiding_removes_a_question_from_search_and_similar(
    corpus: dict[str, Question],
    django_capture_on_commit_callbacks,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        question_hide(question=corpus["tremor_again"], reason="duplicate")
    assert not SearchDocument.objects.filter(question=corpus["tremor_again"]).exists()
    assert not SimilarQuestion.objects.filter(similar=corpus["tremor_again"]).exists()
    assert all(r.question != corpus["tremor_again"] for r in search("ears twitching"))


def test_a_question_hidden_behind_the_index_is_not_shown_before_the_index_catches_up(
    corpus: dict[str, Question],
) -> None:
    knee = corpus["knee"]
    Question.objects.filter(pk=knee.pk).update(hidden_at=timezone.now())  # not through the services: index stale
    assert knee.pk in [hit.question_id for hit in search_hits("kilometres running")]
    assert all(result.question != knee for result in search("kilometres running"))
    response = Client().get("/search/suggest/", {"title": "knee pain when running", "body": KNEE[1]})
    assert knee.display_title not in response.content.decode()


def test_import_qa_is_resumable_and_reports_bad_lines(
    tmp_path: Path,
    neurology,
    django_capture_on_commit_callbacks,
    settings,
) -> None:
    settings.SEARCH_INDEX_REFRESH_SECONDS = 0
    settings.ROUTER_RETRAIN_EVERY = 2
    lines = [
        {
            "id": "a-1",
            "source": "example.org",
            "title": "can a tremor be stress?",
            "question": "Can stress cause a tremor in my hands?",
            "answers": [
                {"author": "patient", "text": "me too"},
                {"author": "Dr. Lee", "text": "Yes, stress can worsen a tremor."},
            ],
        },
        "not json at all",
        {
            "id": "a-2",
            "source": "example.org",
            "title": "knee hurts",
            "question": "My knee hurts when I climb stairs.",
            "answers": [],
        },
        {
            "id": "a-3",
            "source": "example.org",
            "title": "headache every morning",
            "question": "I wake up with a headache every day.",
            "answers": [{"author": "Dr. Lee", "text": "Check your blood pressure and sleep."}],
        },
    ]
    path = tmp_path / "archive.jsonl"
    path.write_text("\n".join(x if isinstance(x, str) else json.dumps(x) for x in lines) + "\n", encoding="utf-8")
    out, err = StringIO(), StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("import_qa", str(path), "--department", "neurology", stdout=out, stderr=err, verbosity=0)
    assert "line 2:" in err.getvalue() and "line 3:" in err.getvalue()
    imported = Question.objects.filter(source="example.org")
    assert imported.count() == 2
    first = imported.get(external_id="a-1")
    assert first.is_public and first.replies.get().body == "Yes, stress can worsen a tremor."
    assert first.replies.get().doctor.name == "Lee"
    assert first.public_body == "Can stress cause a tremor in my hands?"
    assert QuestionEmbedding.objects.filter(question__in=imported).count() == 2
    # The department router was retrained in the background on what was imported.
    assert RouterSnapshot.objects.get().answered_questions == 2

    call_command("import_qa", str(path), "--department", "neurology", stdout=out, stderr=StringIO(), verbosity=0)
    assert Question.objects.filter(source="example.org").count() == 2
    assert "2 were already there" in out.getvalue()


def test_reindex_rebuilds_missing_embeddings(corpus: dict[str, Question]) -> None:
    QuestionEmbedding.objects.all().delete()
    call_command("reindex", stdout=StringIO(), verbosity=0)
    assert QuestionEmbedding.objects.count() == len(corpus)
    assert SimilarQuestion.objects.filter(question=corpus["tremor"]).exists()


def test_pair_vectors_are_stored_and_stale_ones_are_not_used(corpus: dict[str, Question], monkeypatch) -> None:
    from search import ranking
    from search.pair_encoder import embed_for_pairs, pair_version
    from search.text import question_text

    tremor = corpus["tremor"]
    stored = QuestionEmbedding.objects.get(question=tremor)
    assert stored.pair_version == pair_version()
    expected = embed_for_pairs([question_text(tremor)])[0]
    assert stored.pair_vector is not None
    assert np.frombuffer(bytes(stored.pair_vector), dtype=np.float32) == pytest.approx(expected, abs=1e-6)
    links = [(link.similar_id, link.score) for link in tremor.similar_links.order_by("rank")]

    # Vectors of another encoder version are not read: the candidates' vectors are computed again,
    # and the ranking is the same as with current stored vectors.
    QuestionEmbedding.objects.exclude(question=tremor).update(pair_version="older", pair_vector=b"\0" * 1536)
    assert set(ranking.stored_pair_vectors([q.pk for q in corpus.values()])) == {tremor.pk}
    computed = []

    def recording(texts):
        computed.extend(texts)
        return embed_for_pairs(texts)

    monkeypatch.setattr(ranking, "embed_for_pairs", recording)
    from search.services import similar_refresh

    again = [(link.similar_id, link.score) for link in similar_refresh(question=tremor)]
    assert computed and question_text(corpus["tremor_again"]) in computed
    assert [pk for pk, _ in again] == [pk for pk, _ in links]
    assert [score for _, score in again] == pytest.approx([score for _, score in links], abs=1e-4)

    # reindex brings the stale ones up to date.
    call_command("reindex", stdout=StringIO(), verbosity=0)
    assert set(QuestionEmbedding.objects.values_list("pair_version", flat=True)) == {pair_version()}


def test_failed_embedding_is_retried_and_words_still_find_the_question(
    neurology, doctor, django_capture_on_commit_callbacks, monkeypatch, settings
) -> None:
    settings.SEARCH_INDEX_REFRESH_SECONDS = 0
    from search import services

    real_embed = services.embed
    calls = {"n": 0}

    def flaky_embed(texts):
        calls["n"] += 1
        if calls["n"] == 1:
            raise RuntimeError("model crashed")
        return real_embed(texts)

    monkeypatch.setattr(services, "embed", flaky_embed)
    question = publish(*KNEE, neurology, doctor, django_capture_on_commit_callbacks)
    assert calls["n"] == 2
    assert SearchDocument.objects.filter(question=question).exists()
    assert QuestionEmbedding.objects.filter(question=question).exists()


def test_words_are_indexed_even_when_every_embedding_attempt_fails(
    neurology, doctor, django_capture_on_commit_callbacks, monkeypatch
) -> None:
    from search import services

    def broken_embed(texts):
        raise RuntimeError("model missing")

    monkeypatch.setattr(services, "embed", broken_embed)
    question = publish(*KNEE, neurology, doctor, django_capture_on_commit_callbacks)
    assert not QuestionEmbedding.objects.filter(question=question).exists()
    assert [r.question for r in search("kilometres running")] == [question]


def test_words_in_more_documents_than_the_cap_are_left_to_the_meaning_match(
    corpus: dict[str, Question], monkeypatch
) -> None:
    from django.core.cache import cache

    from search import fulltext

    # "pills" is in both tremor questions, "breastbone" only in the reflux one.
    assert len(fulltext.search("pills")) == 2
    cache.clear()  # the counts are remembered
    monkeypatch.setattr(fulltext, "DF_CAP", 1)
    assert fulltext.search("pills") == []
    assert [pk for pk, _ in fulltext.search("pills breastbone")] == [corpus["reflux"].pk]


def test_word_search_on_postgresql_leaves_the_planner_settings_as_they_were(corpus: dict[str, Question]) -> None:
    from django.db import connection, transaction

    from search import fulltext

    if connection.vendor != "postgresql":
        pytest.skip("a PostgreSQL planner setting")
    with transaction.atomic(), connection.cursor() as cursor:  # as inside a caller's transaction
        assert [pk for pk, _ in fulltext.search("breastbone")] == [corpus["reflux"].pk]
        cursor.execute("SHOW enable_seqscan")
        assert cursor.fetchone()[0] == "on"


def test_chinese_is_indexed_as_characters_and_character_pairs(
    neurology, doctor, django_capture_on_commit_callbacks, settings
) -> None:
    from search.text import query_terms, split_cjk

    assert split_cjk("頭痛") == " 頭 痛 頭痛 "
    assert query_terms("我頭痛") == ["我", "頭", "痛", "我頭", "頭痛"]
    settings.SEARCH_INDEX_REFRESH_SECONDS = 0
    headache = publish(
        "頭痛三天", "最近三天一直頭痛，晚上睡不好。", neurology, doctor, django_capture_on_commit_callbacks
    )
    apart = publish("痛在頭的後面嗎", "背痛，頭有時暈。", neurology, doctor, django_capture_on_commit_callbacks)
    found = [r.question for r in search("頭痛")]
    assert found[0] == headache
    assert apart not in found or found.index(apart) > found.index(headache)


HEADACHE_ZH = ("頭痛三天吃止痛藥沒用", "最近三天頭痛得很厲害，吃了止痛藥也沒有用，請問頭痛一直不好要怎麼辦？")
HEADACHE_ZH_AGAIN = ("頭痛好幾天了", "頭痛已經好幾天，止痛藥吃了還是痛，該怎麼辦？要去看哪一科？")
RASH_ZH = ("全身紅疹很癢", "這個月全身反覆起紅疹，很癢，晚上特別嚴重，是過敏嗎？要擦什麼藥？")


def test_chinese_similar_qa_and_suggestions_need_shared_words(
    neurology, dermatology, doctor, other_doctor, django_capture_on_commit_callbacks, settings, monkeypatch
) -> None:
    # MiniLM puts these three on one topic (cosine above the floor); the rash must still not show up.
    settings.SEARCH_INDEX_REFRESH_SECONDS = 0
    headache = publish(*HEADACHE_ZH, neurology, doctor, django_capture_on_commit_callbacks)
    again = publish(*HEADACHE_ZH_AGAIN, neurology, doctor, django_capture_on_commit_callbacks)
    rash = publish(*RASH_ZH, dermatology, other_doctor, django_capture_on_commit_callbacks)

    assert similar_for_page(headache) == [again]
    assert similar_for_page(rash) == []
    # Scored from character pairs alone: stale pair vectors are not computed again for nothing.
    from search import ranking
    from search.services import similar_refresh

    QuestionEmbedding.objects.update(pair_version="older")
    monkeypatch.setattr(ranking, "embed_for_pairs", lambda texts: pytest.fail(f"pair vectors computed: {texts}"))
    assert [link.similar for link in similar_refresh(question=headache)] == [again]
    page = Client().get("/search/suggest/", {"title": "頭痛", "body": "我頭痛三天了，吃止痛藥也沒用"}).content.decode()
    assert again.display_title in page and headache.display_title in page
    assert rash.display_title not in page


def test_list_excerpts_cut_chinese_by_characters() -> None:
    from questions.templatetags.question_tags import excerpt

    assert excerpt("one two three four", 2) == "one two…"
    assert excerpt("頭痛已經三天了，止痛藥吃了還是痛", 3) == "頭痛已經三…"
    assert excerpt("短", 3) == "短"


@pytest.mark.parametrize(
    ("text", "query", "expected"),
    [
        # A term is marked where a word starts with it, never inside another word.
        ("For eight years both ears twitch", "ears", "For eight years both <mark>ears</mark> twitch"),
        ("I fall asleep late and sleeping is hard", "sleep", "I fall asleep late and <mark>sleep</mark>ing is hard"),
        ("Knee pain", "KNEE", "<mark>Knee</mark> pain"),
        # Chinese has no spaces: its characters and pairs are marked wherever they are.
        ("我頭痛三天", "頭痛", "我<mark>頭痛</mark>三天"),
        # The text is escaped; a query of stop words or symbols marks nothing.
        ("<b>ears</b> & nose", "the <b>", "&lt;b&gt;ears&lt;/b&gt; &amp; nose"),
    ],
)
def test_highlight_marks_words_where_they_start(text: str, query: str, expected: str) -> None:
    from search.templatetags.search_tags import highlight

    assert highlight(text, query) == expected


def test_snippet_is_cut_around_the_first_whole_word_match() -> None:
    from search.text import snippet

    text = "Over the years " + "nothing much happened here. " * 12 + "Then both ears started ringing loudly."
    window = snippet(text, ["ears"], length=60)
    assert window.startswith("…") and "ears started" in window
    assert snippet("no match at all", ["ears"]) == "no match at all"
