"""Word search over SearchDocument: SQLite FTS5 with bm25, or PostgreSQL tsvector with ts_rank_cd."""

from __future__ import annotations

import time

from django.conf import settings
from django.db import connection

from .text import query_terms, split_cjk

MAX_TERMS = 10  # the rarest words of a long question say what it is about; common ones only cost time
COMMON_SHARE = 0.15  # a word in more than this share of documents is dropped while rarer ones remain

_counts: dict[tuple[str, str], tuple[int, float]] = {}


def _count(key: str, sql: str, params: list[str]) -> int:
    """A document count, remembered for SEARCH_TERM_STATS_SECONDS (counts change slowly)."""
    now = time.monotonic()
    cached = _counts.get((connection.vendor, key))
    if cached is not None and cached[1] > now:
        return cached[0]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        count = int(cursor.fetchone()[0])
    if len(_counts) > 100_000:
        _counts.clear()
    _counts[(connection.vendor, key)] = (count, now + settings.SEARCH_TERM_STATS_SECONDS)
    return count


def _document_frequency(term: str) -> int:
    if connection.vendor == "postgresql":
        sql = "SELECT count(*) FROM search_searchdocument WHERE tsv @@ plainto_tsquery('english', %s)"
        return _count(term, sql, [term])
    quoted = '"' + term.replace('"', "") + '"'
    return _count(term, "SELECT count(*) FROM search_fts WHERE search_fts MATCH %s", [quoted])


def informative_terms(terms: list[str]) -> list[str]:
    """At most MAX_TERMS of `terms`, rarest first, without words common to many documents."""
    if len(terms) <= 3:
        return terms
    total = _count("", "SELECT count(*) FROM search_searchdocument", [])
    frequency = {term: _document_frequency(term) for term in terms}
    present = sorted((term for term in terms if frequency[term] > 0), key=lambda term: frequency[term])
    specific = [term for term in present if frequency[term] <= COMMON_SHARE * total]
    return (specific or present[:3])[:MAX_TERMS]


def search(text: str, *, limit: int = 50, department_id: int | None = None) -> list[tuple[int, float]]:
    """Question ids matching any content word of `text`, best first, with a score where higher is better."""
    terms = informative_terms(query_terms(split_cjk(text)))
    if not terms:
        return []
    if connection.vendor == "postgresql":
        return _postgres(terms, limit, department_id)
    return _sqlite(terms, limit, department_id)


def _sqlite(terms: list[str], limit: int, department_id: int | None) -> list[tuple[int, float]]:
    # Each term is quoted, so FTS5 syntax characters in the query are only ever text.
    match = " OR ".join('"' + term.replace('"', "") + '"' for term in terms)
    sql = (
        "SELECT f.rowid, -bm25(search_fts, 4.0, 1.0, 0.5) AS score FROM search_fts f"
        " JOIN search_searchdocument d ON d.question_id = f.rowid"
        " WHERE search_fts MATCH %s"
    )
    return _ranked(sql, [match], limit, department_id)


def _postgres(terms: list[str], limit: int, department_id: int | None) -> list[tuple[int, float]]:
    # plainto_tsquery per term parses safely whatever the user typed; the terms are OR-ed together.
    query = " || ".join(["plainto_tsquery('english', %s)"] * len(terms))
    sql = (
        "SELECT d.question_id, ts_rank_cd(d.tsv, x.q, 32) AS score"
        f" FROM search_searchdocument d, (SELECT {query} AS q) AS x WHERE d.tsv @@ x.q"
    )
    return _ranked(sql, list(terms), limit, department_id)


def _ranked(sql: str, params: list[str | int], limit: int, department_id: int | None) -> list[tuple[int, float]]:
    """Run a matching query (documents aliased `d`, a `score` column), filtered and best first."""
    if department_id is not None:
        sql += " AND d.department_id = %s"
        params.append(department_id)
    sql += " ORDER BY score DESC LIMIT %s"
    params.append(limit)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [(int(pk), float(score)) for pk, score in cursor.fetchall()]
