"""How many of a long question's words the full-text side of search should use (search.fulltext.MAX_TERMS).

Each paraphrase in ../shared/data/mqp_dev.jsonl (label 1) is a query; its partner is the target, hidden
among every other mqp question, the qa_seed_en questions and the iCliniq questions (about 4,500 texts).
The hybrid of search/ranking.py (its formula and constants, on MiniLM cosines and the product's SQLite
full-text, both from bench/chinese_quality.py) ranks the corpus; recall@5 and MRR@10 of the target are
printed for several word limits. Fewer words make each PostgreSQL ranking query cheaper.

    .venv/bin/python bench/fulltext_terms.py
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


def paraphrase_task() -> tuple[list[str], list[tuple[str, int]]]:
    """The corpus (every mqp question, the qa_seed_en and iCliniq questions) and the queries: each mqp
    paraphrase with the position of its partner in the corpus."""

    def read(name: str) -> list[dict[str, str]]:
        return [json.loads(line) for line in (DATA / name).open(encoding="utf-8")]

    pairs = read("mqp_dev.jsonl")
    others = [f"{r['title']}\n{r['question']}" for r in read("qa_seed_en.jsonl") + read("icliniq_specialty_dev.jsonl")]
    negatives = [p["question_2"] for p in pairs if p["label"] == 0]
    corpus = list(dict.fromkeys([p["question_1"] for p in pairs] + negatives + others))
    position = {text: i for i, text in enumerate(corpus)}
    return corpus, [(p["question_2"], position[p["question_1"]]) for p in pairs if p["label"] == 1]


def main() -> None:
    import django

    django.setup()
    from chinese_quality import ProductFullText, hybrid

    from search import fulltext, ranking
    from search.embeddings import embed

    corpus, queries = paraphrase_task()
    print(f"{len(corpus)} texts, {len(queries)} queries")
    corpus_vectors, query_vectors = embed(corpus), embed([q for q, _ in queries])
    words = ProductFullText(corpus)
    for limit in (10, 5, 3):
        fulltext.MAX_TERMS = limit
        found = reciprocal = terms = 0.0
        for (query, target), vector in zip(queries, query_vectors, strict=True):
            terms += len(words.terms(query, all_terms=False))
            ranked = hybrid(
                corpus_vectors @ vector,
                words.search(query, ranking.POOL),
                ranking.POOL,
                ranking.WORD_WEIGHT,
                ranking.SEARCH_MIN_MEANING,
            )
            found += target in ranked[:5]
            reciprocal += 1 / (ranked.index(target) + 1) if target in ranked[:10] else 0.0
        n = len(queries)
        print(f"MAX_TERMS {limit:2}: recall@5 {found / n:.4f}  MRR@10 {reciprocal / n:.4f}  words {terms / n:.1f}")


if __name__ == "__main__":
    main()
