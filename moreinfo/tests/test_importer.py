"""manage.py import_reference: lines to articles, bad lines named, resumable, changes and withdrawals detected."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from moreinfo.importer import parse_article
from moreinfo.models import ArticleEmbedding, ReferenceArticle
from moreinfo.tests.factories import LIBRARY, write_library
from questions.importer import BadLine

pytestmark = pytest.mark.django_db


def run(path: Path, *options: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("import_reference", str(path), *options, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("{not json", "not JSON"),
        ("[1, 2]", "not a JSON object"),
        (json.dumps({"question": "What is gout?", "answer": ""}), "no answer"),
        (json.dumps({"question": " ", "answer": "Gout is a kind of arthritis."}), "no question"),
        (json.dumps({"question": "What is gout?", "answer": "Arthritis.", "url": "javascript:x"}), "not a web address"),
    ],
)
def test_parse_article_names_what_is_wrong(line: str, problem: str) -> None:
    with pytest.raises(BadLine, match=problem):
        parse_article(line)


def test_parse_article_keys_an_article_by_its_id_page_focus_and_question() -> None:
    line = dict(LIBRARY[0], id="0000001-1", source="NINDS")
    entry = parse_article(json.dumps(line))
    assert entry.title == "Essential Tremor"
    assert entry.publisher == "NINDS"
    assert entry.external_id.startswith("0000001-1~")
    # MedQuAD repeats ids across the conditions of one page: a different focus is a different article.
    other = parse_article(json.dumps(dict(line, focus="Dystonia", question="What is (are) Dystonia ?")))
    assert other.external_id != entry.external_id
    # The answer is content, not identity: a new answer is the same article, changed.
    changed = parse_article(json.dumps(dict(line, answer="A new text.")))
    assert changed.external_id == entry.external_id
    hashes = {e.content_hash(licence="CC BY 4.0", attribution="A") for e in (entry, changed)}
    assert len(hashes) == 2
    assert entry.content_hash(licence="CC BY 4.0", attribution="A") != entry.content_hash(
        licence="CC BY 4.0", attribution="B"
    )


@pytest.mark.parametrize("compressed", [False, True])
def test_import_loads_articles_with_source_licence_and_credit(tmp_path: Path, compressed: bool) -> None:
    path = write_library(tmp_path / "library.jsonl.gz", compressed=compressed)  # the name does not decide
    out, err = run(path, "--no-embed")
    assert "Imported 5 articles; 0 changed; 0 were already there; 0 withdrawn; 0 bad lines." in out
    assert err == ""
    article = ReferenceArticle.objects.get(question="What causes Essential Tremor ?")
    assert (article.source, article.licence, article.attribution) == (
        "MedQuAD",
        "CC BY 4.0",
        "Ben Abacha and Demner-Fushman, 2019",
    )
    assert (article.title, article.question_type, article.url) == (
        "Essential Tremor",
        "causes",
        "https://example.org/tremor",
    )
    assert article.answer.startswith("The cause of essential tremor is not fully known")
    assert len(article.content_hash) == 64


def test_import_names_bad_lines_and_keeps_the_good_ones(tmp_path: Path) -> None:
    lines: list[dict | str] = [LIBRARY[0], "{broken", LIBRARY[1], "", json.dumps({"question": "Q?"}), LIBRARY[0]]
    out, err = run(write_library(tmp_path / "library.jsonl", lines), "--no-embed")
    assert "Imported 2 articles" in out and "3 bad lines" in out
    assert "line 2: not JSON" in err
    assert "line 5: no answer" in err
    assert "line 6: the same article as line 1" in err
    assert ReferenceArticle.objects.count() == 2


def test_import_again_adds_nothing_and_resumes_after_a_partial_run(tmp_path: Path) -> None:
    partial = write_library(tmp_path / "partial.jsonl", LIBRARY[:2])
    run(partial, "--no-embed")
    out, _ = run(write_library(tmp_path / "library.jsonl"), "--no-embed", "--batch-size", "2")
    assert "Imported 3 articles; 0 changed; 2 were already there" in out
    ids = set(ReferenceArticle.objects.values_list("pk", flat=True))
    out, _ = run(tmp_path / "library.jsonl", "--no-embed")
    assert "Imported 0 articles; 0 changed; 5 were already there" in out
    assert set(ReferenceArticle.objects.values_list("pk", flat=True)) == ids


def test_import_detects_changed_content_and_credit(tmp_path: Path) -> None:
    run(write_library(tmp_path / "library.jsonl"), "--no-embed")
    article = ReferenceArticle.objects.get(question="What causes Essential Tremor ?")
    old_hash = article.content_hash
    changed = [dict(line) for line in LIBRARY]
    changed[2]["answer"] = "Essential tremor often runs in families."
    out, _ = run(write_library(tmp_path / "changed.jsonl", changed), "--no-embed")
    assert "Imported 0 articles; 1 changed; 4 were already there" in out
    article.refresh_from_db()
    assert article.answer == "Essential tremor often runs in families."
    assert article.content_hash != old_hash
    out, _ = run(tmp_path / "changed.jsonl", "--no-embed", "--attribution", "Someone else, 2020")
    assert "5 changed" in out


def test_prune_withdraws_articles_missing_from_the_file_and_a_later_import_brings_them_back(tmp_path: Path) -> None:
    run(write_library(tmp_path / "library.jsonl"), "--no-embed")
    out, _ = run(write_library(tmp_path / "smaller.jsonl", LIBRARY[:3]), "--no-embed", "--prune")
    assert "2 withdrawn" in out
    assert ReferenceArticle.objects.current().count() == 3
    assert ReferenceArticle.objects.count() == 5
    out, _ = run(tmp_path / "library.jsonl", "--no-embed")
    assert "Imported 0 articles; 2 changed" in out
    assert ReferenceArticle.objects.current().count() == 5


def test_import_queues_the_embedding_of_new_articles(tmp_path: Path, django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        run(write_library(tmp_path / "library.jsonl"))
    embeddings = ArticleEmbedding.objects.all()
    assert embeddings.count() == 5
    assert all(e.as_array().shape == (384,) for e in embeddings)


def test_import_refuses_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(CommandError):
        run(tmp_path / "nothing.jsonl")
