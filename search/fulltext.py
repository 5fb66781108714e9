"""Word search over SearchDocument: SQLite FTS5 with bm25, or PostgreSQL tsvector with ts_rank."""

from __future__ import annotations

from collections.abc import Callable

from django.core.cache import cache
from django.db import connection, transaction

from .pairs import STOP_WORDS, get_scorer, stem
from .text import is_cjk, query_terms

# Chinese character pairs, in the order written. Long Chinese questions need many (bench/chinese_quality.py:
# a body finds its own title with MRR 0.13 from its 10 rarest pairs, 0.59 from its first 80); DF_CAP keeps
# each one cheap.
MAX_CJK_TERMS = 80
# The rarest words of a long question say what it is about; more only cost time. With 5 rather than 10,
# a paraphrase finds its partner as well (bench/fulltext_terms.py: recall@5 0.961 and 0.958, MRR@10 0.871
# and 0.874) and a suggestion at 100,000 questions on PostgreSQL has p95 44 ms instead of 68-80.
MAX_TERMS = 5
# Words in more than about 15% of patient questions ("pain", "help", "years") match most documents,
# which makes ranking slow and adds little: they are dropped while rarer words remain.
COMMON_IDF = 2.9
# Ranking every document that holds a word costs time in proportion to how many do, and a word found
# in thousands of this site's questions says little that the meaning match has not already said. Words
# in more than DF_CAP documents are left out (counting stops at the cap, so checking stays cheap);
# counts are kept in the shared cache for DF_TTL seconds, which suits a query re-sent on every pause in
# typing and lets the web processes count a word once between them.
DF_CAP = 1000
DF_TTL = 600


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
    terms = chosen_terms(text)
    if not terms:
        return []
    if connection.vendor == "postgresql":
        return _postgres(terms, limit, department_id)
    return _sqlite(terms, limit, department_id)


def chosen_terms(text: str, doc_counts: Callable[[list[str]], dict[str, int]] | None = None) -> list[str]:
    """The words of `text` worth matching: its rarest words, and for Chinese its character pairs (single
    characters only when it has no pair), none held by more than DF_CAP documents."""
    terms = query_terms(text, limit=4 * MAX_CJK_TERMS + MAX_TERMS)
    chinese = [t for t in terms if is_cjk(t)]
    pairs = [t for t in chinese if len(t) == 2] or chinese
    chosen = informative_terms([t for t in terms if not is_cjk(t)]) + pairs[:MAX_CJK_TERMS]
    counts = (doc_counts or _doc_counts)(chosen)
    return [t for t in chosen if counts[t] <= DF_CAP]


def _doc_counts(terms: list[str]) -> dict[str, int]:
    """How many documents hold each term, counted up to DF_CAP + 1: from the cache, and the terms it does not
    hold in one query (a query per word cost a suggestion request 20 ms on PostgreSQL at 100,000 questions)."""
    keys = {term: f"fulltext-df:{term}" for term in terms}
    cached = cache.get_many(list(keys.values()))
    counts = {term: cached[key] for term, key in keys.items() if key in cached}
    missing = [term for term in dict.fromkeys(terms) if term not in counts]
    if missing:
        if connection.vendor == "postgresql":
            match = "SELECT 1 FROM search_searchdocument d WHERE d.tsv @@ plainto_tsquery('english', %s)"
        else:
            match = "SELECT rowid FROM search_fts WHERE search_fts MATCH %s"
        sql = " UNION ALL ".join(
            f"SELECT {i}, (SELECT count(*) FROM ({match} LIMIT %s) AS x)" for i in range(len(missing))
        )
        params: list[str | int] = []
        for term in missing:
            params += [term if connection.vendor == "postgresql" else _quoted(term), DF_CAP + 1]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            found = {missing[i]: int(count) for i, count in cursor.fetchall()}
        cache.set_many({keys[term]: count for term, count in found.items()}, DF_TTL)
        counts.update(found)
    return counts


def _quoted(term: str) -> str:
    # Quoted, FTS5 syntax characters in the query are only ever text.
    return '"' + term.replace('"', "") + '"'


def _sqlite(terms: list[str], limit: int, department_id: int | None) -> list[tuple[int, float]]:
    match = " OR ".join(_quoted(term) for term in terms)
    sql = "SELECT f.rowid, -bm25(search_fts, 4.0, 1.0, 0.5) AS score FROM search_fts f"
    # The documents are joined only to filter by department: the FTS table holds the same rows (its triggers
    # follow search_searchdocument), and the join cost a quarter of the query for every matching row.
    if department_id is not None:
        sql += " JOIN search_searchdocument d ON d.question_id = f.rowid"
    return _ranked(sql + " WHERE search_fts MATCH %s", [match], limit, department_id)


def _postgres(terms: list[str], limit: int, department_id: int | None) -> list[tuple[int, float]]:
    # plainto_tsquery per term parses safely whatever the user typed; the terms are OR-ed together.
    query = " || ".join(["plainto_tsquery('english', %s)"] * len(terms))
    # ts_rank, not ts_rank_cd: on patient questions (bench/pg_ranking.py) it finds more by words alone
    # (English recall@5 0.647 against 0.341; Chinese 0.591 against 0.584) and a long Chinese question's many
    # character pairs rank in p95 14 ms instead of 231 (cover density looks at every pair's positions).
    sql = (
        "SELECT d.question_id, ts_rank(d.tsv, x.q, 32) AS score"
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
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return [(int(pk), float(score)) for pk, score in cursor.fetchall()]
    with transaction.atomic(), connection.cursor() as cursor:
        # No word is in more than DF_CAP documents, so the GIN index is always the way in. But the planner
        # prices an OR of many words (a Chinese question gives up to 80 character pairs) as matching most of
        # the table and reads all of it: 375 ms of one such question's query at 100,000 questions.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(sql, params)
        rows = cursor.fetchall()
        cursor.execute("RESET enable_seqscan")  # inside a caller's transaction SET LOCAL would outlive this
    return [(int(pk), float(score)) for pk, score in rows]
