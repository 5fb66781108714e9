"""Text helpers shared by indexing and querying, so both sides split words the same way."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from questions.models import Question

# CJK ideographs (and their extensions) have no spaces between words; indexing each character as
# a word lets both FTS5 and PostgreSQL match Chinese text by its characters.
_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK_RUN = re.compile(f"[{_CJK}]+")
_WORD = re.compile(f"[{_CJK}]+|[^\\W_]+", re.UNICODE)

MAX_QUERY_TERMS = 32

STOP_WORDS = frozenset(
    """
    a about above after again against all am an and any are as at be because been before being below
    between both but by can cannot could did do does doing down during each few for from further had has
    have having he her here hers herself him himself his how i if in into is it its itself just me more
    most my myself no nor not now of off on once only or other our ours ourselves out over own same she
    should so some such than that the their theirs them themselves then there these they this those
    through to too under until up very was we were what when where which while who whom why will with
    would you your yours yourself yourselves im ive dont cant doctor dr hi hello please thanks thank
    """.split()
)


def is_cjk(term: str) -> bool:
    return bool(_CJK_RUN.fullmatch(term))


def mostly_chinese(text: str) -> bool:
    """Whether at least half of a text's letters are CJK characters."""
    letters = sum(ch.isalpha() for ch in text)
    return letters > 0 and 2 * sum(len(run) for run in _CJK_RUN.findall(text)) >= letters


def _pairs(run: str) -> list[str]:
    return [run[i : i + 2] for i in range(len(run) - 1)]


def cjk_grams(run: str) -> list[str]:
    """The characters and the overlapping character pairs of a run of Chinese text.

    Chinese has no spaces between words and most words are two characters long: pairs find
    頭痛 (headache) without matching every text that holds 頭 or 痛.
    """
    return list(run) + _pairs(run)


def character_pairs(text: str) -> frozenset[str]:
    """The overlapping pairs of CJK characters of a text (most Chinese words are two characters)."""
    return frozenset(pair for run in _CJK_RUN.findall(text) for pair in _pairs(run))


def split_cjk(text: str) -> str:
    """Replace every run of CJK characters by its characters and character pairs, space-separated, so
    that both FTS5 and PostgreSQL index them as words."""
    return _CJK_RUN.sub(lambda m: " " + " ".join(cjk_grams(m.group())) + " ", text)


def query_terms(text: str, limit: int = MAX_QUERY_TERMS) -> list[str]:
    """Lowercased content words of a query (Chinese as characters and pairs): no stop words, no
    punctuation, at most `limit`."""
    seen: dict[str, None] = {}
    for word in _WORD.findall(text.lower()):
        for term in cjk_grams(word) if is_cjk(word) else [word]:
            if term in STOP_WORDS or (len(term) == 1 and term.isascii()):
                continue
            seen.setdefault(term[:40], None)
            if len(seen) >= limit:
                return list(seen)
    return list(seen)


def terms_pattern(terms: Iterable[str]) -> re.Pattern[str] | None:
    """Finds query terms where a word starts ("ears" in "earache", not in "years"), Chinese terms
    anywhere (Chinese has no spaces); the longest term first. None when there are no terms."""
    alternatives = [
        re.escape(t) if is_cjk(t) else rf"(?<![^\W_]){re.escape(t)}"
        for t in sorted(set(terms), key=lambda t: (-len(t), t))
    ]
    return re.compile("(" + "|".join(alternatives) + ")", re.IGNORECASE) if alternatives else None


def snippet(text: str, terms: list[str], length: int = 220) -> str:
    """A window of `text` around the first query term found, for result lists."""
    pattern = terms_pattern(terms)
    found = pattern.search(text) if pattern else None
    start = max(0, found.start() - length // 3) if found else 0
    window = text[start : start + length]
    if start > 0:
        window = "…" + window.split(" ", 1)[-1]
    if start + length < len(text):
        window = window.rsplit(" ", 1)[0] + "…"
    return window


# The columns question_text reads (display_title, public_body): loading only these keeps the long
# asker's text and the rest of the row out of a query that fetches many questions for their text.
QUESTION_TEXT_FIELDS = ("public_title", "scrubbed_title", "scrubbed_body")


def question_text(question: Question) -> str:
    """What a question means, for embeddings and pair scoring: its public title and its words."""
    return f"{question.display_title}\n{question.public_body}"
