"""Word search over SearchDocument: SQLite FTS5 with bm25, or PostgreSQL tsvector with ts_rank_cd."""

from __future__ import annotations

from django.db import connection

from .pairs import STOP_WORDS, get_scorer, stem
from .text import query_terms, split_cjk

MAX_TERMS = 10  # the rarest words of a long question say what it is about; common ones only cost time
# Words in more than about 15% of patient questions ("pain", "help", "years") match most documents,
# which makes ranking slow and adds little: they are dropped while rarer words remain.
COMMON_IDF = 2.9


def informative_terms(terms: list[str]) -> list[str]:
    """At most MAX_TERMS of `terms`, rarest first, without words common to most questions.

    Rarity comes from the document frequencies the pair scorer learned from patient questions, so
    choosing costs no query.
    """
    idf = get_scorer().idf
    # Function words are missing from the learned table (which would make them look rare).
    weight = {term: 0.0 if term in STOP_WORDS else idf(stem(term)) for term in terms}
    ranked = sorted(terms, key=lambda term: -weight[term])
    specific = [term for term in ranked if weight[term] >= COMMON_IDF]
    return (specific or ranked[:3])[:MAX_TERMS]


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
