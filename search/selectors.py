"""Reads for pages: stored Similar Q&A, search results and suggestions, ready to render."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from questions.models import Question
from questions.selectors import public_questions_by_id

from . import ranking
from .pairs import get_scorer
from .text import mostly_chinese, query_terms, question_text, snippet


def similar_for_page(question: Question) -> list[Question]:
    """The stored Similar Q&A of a question page (two queries)."""
    ids = list(question.similar_links.order_by("rank").values_list("similar_id", flat=True))
    found = public_questions_by_id(ids)
    return [found[pk] for pk in ids if pk in found]


@dataclass(frozen=True)
class Result:
    question: Question
    score: float
    snippet: str


def search(text: str, *, department_id: int | None = None, limit: int = 100) -> list[ranking.Hit]:
    """Ranked hits for the search page and the API (ids and scores only; see `results`)."""
    return ranking.hybrid(text.strip()[:500], department_id=department_id, limit=limit)


def results(hits: Sequence[ranking.Hit], text: str) -> list[Result]:
    """The questions of some hits (one page of them), with snippets around the query words."""
    found = public_questions_by_id([h.question_id for h in hits])
    terms = query_terms(text)
    return [
        Result(question=found[h.question_id], score=h.score, snippet=snippet(found[h.question_id].public_body, terms))
        for h in hits
        if h.question_id in found
    ]


def suggestions(text: str, *, limit: int = 5) -> list[Question]:
    """Answered questions that may already answer what the asker is typing."""
    text = text.strip()[:4000]
    if len(query_terms(text)) < 2:
        return []
    # Words and meaning only: the text is often a story without its question yet, which the pair scorer
    # would read as another question, and its second model run would double the time of a request.
    hits = ranking.on_topic(text)
    chinese = mostly_chinese(text)
    found = public_questions_by_id([h.question_id for h in (hits if chinese else hits[:limit])])
    questions = [found[h.question_id] for h in hits if h.question_id in found]
    if chinese:
        # MiniLM puts any two Chinese texts on one topic; their shared characters tell (no model run).
        scores = get_scorer().score([(text, question_text(q)) for q in questions])
        questions = [q for q, s in zip(questions, scores, strict=True) if s >= ranking.SIMILAR_MIN_PAIR]
    return questions[:limit]
