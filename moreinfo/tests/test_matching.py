"""Which reference articles answer a question: the margin that keeps far weaker other conditions out."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from moreinfo import matching
from moreinfo.matching import Match, match_articles
from moreinfo.tests.factories import import_library

pytestmark = pytest.mark.django_db

QUESTION = "My hands shake when I hold a cup and my knee hurts after running. What is essential tremor?"


def _scores(by_question: dict[str, float]):
    def final_scores(text: str, candidates: Sequence[Match], known: object = None) -> tuple[list[float], float]:
        return [by_question.get(c.article.question, 0.0) for c in candidates], matching.MIN_FAQ_PROBABILITY

    return final_scores


@pytest.mark.parametrize(
    ("knee", "kept"),
    [(0.6, False), (0.7, True)],
    ids=["far-below-the-best", "near-the-best"],
)
def test_an_article_on_another_condition_must_come_near_the_best_match(
    monkeypatch: pytest.MonkeyPatch, knee: float, kept: bool
) -> None:
    import_library()
    monkeypatch.setattr(
        matching,
        "final_scores",
        _scores(
            {
                "What is (are) Essential Tremor ?": 0.95,
                "What causes Essential Tremor ?": 0.55,  # the best match's own condition: kept however low
                "What is (are) Knee Pain ?": knee,
                "What are the treatments for Essential Tremor ?": 0.4,  # below the threshold: never kept
            }
        ),
    )
    found = [m.article.question for m in match_articles(QUESTION)]
    expected = ["What is (are) Essential Tremor ?", "What causes Essential Tremor ?"]
    if kept:
        expected.insert(1, "What is (are) Knee Pain ?")
    assert found == expected
