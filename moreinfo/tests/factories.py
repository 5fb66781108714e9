"""A small reference library written by the tests (never the shared data), and drafts for view tests."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from moreinfo import services
from moreinfo.importer import MEDQUAD_ATTRIBUTION, MEDQUAD_LICENCE, MEDQUAD_SOURCE, parse_article
from moreinfo.models import DraftSentence, MoreInfo, ReferenceArticle
from questions.models import Question

# Short patient-education texts in the shape of MedQuAD lines, written for these tests.
LIBRARY: list[dict[str, Any]] = [
    {
        "focus": "Essential Tremor",
        "question_type": "information",
        "question": "What is (are) Essential Tremor ?",
        "answer": "Essential tremor is a nerve disorder that causes rhythmic shaking of the hands, head or voice. "
        "The shaking usually gets worse with movement and with stress. "
        "It is the most common movement disorder in adults.",
        "url": "https://example.org/tremor",
    },
    {
        "focus": "Essential Tremor",
        "question_type": "symptoms",
        "question": "What are the symptoms of Essential Tremor ?",
        "answer": "The main symptom is shaking that you cannot control, often in both hands or the head. "
        "Some people also notice a shaky voice when they speak. "
        "Call your doctor right away if the shaking starts suddenly or comes with weakness on one side of the body.",
        "url": "https://example.org/tremor",
    },
    {
        "focus": "Essential Tremor",
        "question_type": "causes",
        "question": "What causes Essential Tremor ?",
        "answer": "The cause of essential tremor is not fully known, but it often runs in families. "
        "Changes in the parts of the brain that control movement are thought to cause the shaking.",
        "url": "https://example.org/tremor",
    },
    {
        "focus": "Essential Tremor",
        "question_type": "treatment",
        "question": "What are the treatments for Essential Tremor ?",
        "answer": "Avoiding caffeine and getting enough sleep can make the shaking milder. "
        "Medicines such as beta blockers can reduce the tremor for many people. "
        "For severe tremor that does not respond to medicines, surgery may be an option.",
        "url": "https://example.org/tremor",
    },
    {
        "focus": "Knee Pain",
        "question_type": "information",
        "question": "What is (are) Knee Pain ?",
        "answer": "Knee pain is a common complaint in runners and older adults. "
        "It can come from the cartilage, the ligaments or the tendons around the kneecap.",
        "url": "https://example.org/knee",
    },
]


def write_library(path: Path, lines: Iterable[dict[str, Any] | str] = LIBRARY, *, compressed: bool = False) -> Path:
    text = "".join((line if isinstance(line, str) else json.dumps(line)) + "\n" for line in lines)
    if compressed:
        with gzip.open(path, "wt", encoding="utf-8") as handle:
            handle.write(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def import_library(lines: Iterable[dict[str, Any]] = LIBRARY, *, embed: bool = True) -> list[ReferenceArticle]:
    """Import the articles through the service (as the command does) and, unless told not to, embed them."""
    entries = [parse_article(json.dumps(line)) for line in lines]
    services.articles_import(
        entries=entries, source=MEDQUAD_SOURCE, licence=MEDQUAD_LICENCE, attribution=MEDQUAD_ATTRIBUTION
    )
    articles = list(ReferenceArticle.objects.filter(external_id__in=[e.external_id for e in entries]).order_by("pk"))
    if embed:
        services.articles_embed(article_ids=[a.pk for a in articles])
    return articles


def stored_draft(question: Question, articles: list[ReferenceArticle]) -> MoreInfo:
    """A draft waiting for review, stored directly: for view tests about who may do what, not about drafting."""
    reply = question.replies.get(hidden_at__isnull=True)
    more_info = MoreInfo.objects.create(
        question=question,
        status=MoreInfo.Status.REVIEW,
        related=[{"id": a.pk, "title": a.title, "question": a.question} for a in articles[:2]],
        generator="extractive",
        draft_reply=reply,
    )
    for position, (section, article) in enumerate(zip(["symptoms", "causes"], articles, strict=False)):
        sentence = DraftSentence.objects.create(
            more_info=more_info, section=section, position=position, text=article.answer.split(". ")[0] + "."
        )
        sentence.sources.add(article)
    more_info.shown_articles.set(articles[:2])
    return more_info
