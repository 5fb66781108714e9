"""Quality and speed of the PostgreSQL word ranking (search.fulltext on PostgreSQL), ts_rank_cd against ts_rank.

Two tasks, each in a temporary table of a PostgreSQL database (DATABASE_URL, default the local `test`
database; nothing is left behind) with the product's tsvector over split_cjk text and its GIN index:

  English  each paraphrase in mqp_dev.jsonl (label 1) searches for its partner among about 4,500 patient
           questions (as bench/fulltext_terms.py), by words alone and by the hybrid of search/ranking.py.
  Chinese  body -> title on toyhom_internal_medicine_zh.jsonl.gz (as bench/chinese_quality.py): a
           question's body searches for its own title among 3,000 titles, by words alone.

Words are chosen as the product does (search.fulltext.chosen_terms, document counts from the table).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test .venv/bin/python bench/pg_ranking.py
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/test")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
RANKINGS = {"ts_rank_cd": "ts_rank_cd(d.tsv, x.q, 32)", "ts_rank": "ts_rank(d.tsv, x.q, 32)"}


class Table:
    """Texts in a temporary table shaped like search_searchdocument's word index."""

    def __init__(self, texts: Sequence[str]) -> None:
        from django.db import connection

        from search.text import split_cjk

        self.cursor = connection.cursor()
        self.cursor.execute("DROP TABLE IF EXISTS bench_docs")
        self.cursor.execute(
            "CREATE TEMPORARY TABLE bench_docs (id int PRIMARY KEY, body text,"
            " tsv tsvector GENERATED ALWAYS AS (to_tsvector('english', body)) STORED)"
        )
        self.cursor.executemany(
            "INSERT INTO bench_docs (id, body) VALUES (%s, %s)", [(i, split_cjk(t)) for i, t in enumerate(texts)]
        )
        self.cursor.execute("CREATE INDEX ON bench_docs USING GIN (tsv)")
        self.cursor.execute("ANALYZE bench_docs")

    def doc_counts(self, terms: list[str]) -> dict[str, int]:
        from search.fulltext import DF_CAP

        counts = {}
        for term in terms:
            self.cursor.execute(
                "SELECT count(*) FROM (SELECT 1 FROM bench_docs"
                " WHERE tsv @@ plainto_tsquery('english', %s) LIMIT %s) AS x",
                [term, DF_CAP + 1],
            )
            counts[term] = self.cursor.fetchone()[0]
        return counts

    def search(self, text: str, ranking: str, limit: int) -> tuple[list[tuple[int, float]], float]:
        """The product's query on this table: ids and scores, best first, and the time it took in ms."""
        from search.fulltext import chosen_terms

        terms = chosen_terms(text, self.doc_counts)
        if not terms:
            return [], 0.0
        query = " || ".join(["plainto_tsquery('english', %s)"] * len(terms))
        started = time.perf_counter()
        self.cursor.execute("SET enable_seqscan = off")
        self.cursor.execute(
            f"SELECT d.id, {RANKINGS[ranking]} AS score FROM bench_docs d, (SELECT {query} AS q) AS x"
            " WHERE d.tsv @@ x.q ORDER BY score DESC LIMIT %s",
            [*terms, limit],
        )
        rows = [(int(i), float(s)) for i, s in self.cursor.fetchall()]
        self.cursor.execute("RESET enable_seqscan")
        return rows, (time.perf_counter() - started) * 1000


Hits = list[tuple[list[tuple[int, float]], float]]  # per query: (id, score) best first, and the time


def words_only(hits: Hits) -> Callable[[int], list[int]]:
    return lambda i: [pk for pk, _ in hits[i][0]]


def report(label: str, ranked: Callable[[int], list[int]], targets: Sequence[int], times: list[float]) -> None:
    found = reciprocal = 0.0
    for query, target in enumerate(targets):
        top = ranked(query)
        found += target in top[:5]
        reciprocal += 1 / (top.index(target) + 1) if target in top[:10] else 0.0
    n = len(targets)
    p95 = sorted(times)[int(0.95 * (len(times) - 1))] if times else 0.0
    print(
        f"  {label:28} recall@5 {found / n:.4f}  MRR@10 {reciprocal / n:.4f}"
        f"   query p50 {statistics.median(times):6.1f} ms  p95 {p95:6.1f} ms"
    )


def main() -> None:
    import django

    django.setup()
    from chinese_quality import hybrid, load
    from fulltext_terms import paraphrase_task

    from search import ranking
    from search.embeddings import embed

    corpus, queries = paraphrase_task()
    targets = [target for _, target in queries]
    print(f"English: {len(corpus)} texts, {len(queries)} queries")
    table = Table(corpus)
    corpus_vectors, query_vectors = embed(corpus), embed([q for q, _ in queries])
    for name in RANKINGS:
        hits = [table.search(q, name, ranking.POOL) for q, _ in queries]
        times = [ms for _, ms in hits]
        report(f"{name}, words only", words_only(hits), targets, times)

        def combined(i: int, hits: Hits = hits) -> list[int]:
            cosines = corpus_vectors @ query_vectors[i]
            return hybrid(cosines, hits[i][0], ranking.POOL, ranking.WORD_WEIGHT, ranking.SEARCH_MIN_MEANING)

        report(f"{name}, hybrid", combined, targets, times)

    records = load(DATA / "toyhom_internal_medicine_zh.jsonl.gz", None)
    rng = np.random.default_rng(0)
    sample = [records[i] for i in rng.choice(len(records), 3000, replace=False)]
    chosen = [int(i) for i in rng.choice(len(sample), 1000, replace=False)]
    print(f"Chinese: {len(sample)} titles, {len(chosen)} bodies as queries")
    table = Table([r.title for r in sample])
    for name in RANKINGS:
        hits = [table.search(sample[i].body, name, ranking.POOL) for i in chosen]
        report(f"{name}, words only", words_only(hits), chosen, [ms for _, ms in hits])


if __name__ == "__main__":
    main()
