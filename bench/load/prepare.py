"""Fill the production database with a benchmark corpus for the load test.

    .venv/bin/python bench/make_corpus.py 10000 /tmp/corpus-10k.jsonl
    .venv/bin/python bench/load/prepare.py /tmp/corpus-10k.jsonl [--synthetic-vectors]

Reads the same environment as scripts/prod (DATABASE_URL defaults to medanswers_prod on the local
PostgreSQL). Safe to run again: the import skips what is there, only unindexed questions are indexed.
With --synthetic-vectors the stored question vectors are random unit vectors (same size and query
cost as real ones; embedding 100,000 Q&As takes over an hour on 2 cores): pages, search and
suggestions cost the same, but their Similar Q&A and vector hits are not meaningful.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--synthetic-vectors", action="store_true")
    parser.add_argument("--similar", type=int, default=3000, help="questions to compute Similar Q&A for")
    args = parser.parse_args()

    os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/medanswers_prod")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    # Indexing runs here, not through the task queue.
    os.environ["TASKS_BACKEND"] = "django_tasks.backends.immediate.ImmediateBackend"
    import django

    django.setup()
    from django.core.management import call_command

    from questions.models import Question
    from search import services
    from search.models import SearchDocument, SimilarQuestion
    from search.vectors import index

    call_command("migrate", verbosity=0)
    start = time.perf_counter()
    call_command("import_qa", str(args.corpus), "--no-index", "--batch-size", "500", verbosity=0)
    print(f"import: {time.perf_counter() - start:.1f} s")

    if args.synthetic_vectors:
        import numpy as np

        rng = np.random.default_rng(0)

        from search.embeddings import DIMENSIONS
        from search.pair_encoder import PAIR_DIMENSIONS

        def random_vectors(texts: Sequence[str], width: int = DIMENSIONS) -> np.ndarray:
            vectors = rng.normal(size=(len(texts), width)).astype(np.float32)
            return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)

        services.embed = random_vectors
        services.embed_for_pairs = lambda texts: random_vectors(texts, PAIR_DIMENSIONS)
    todo = list(
        Question.objects.public()
        .exclude(pk__in=SearchDocument.objects.values("question_id"))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    start = time.perf_counter()
    for offset in range(0, len(todo), 500):
        services.questions_index(question_ids=todo[offset : offset + 500])
    print(f"index: {len(todo)} questions in {time.perf_counter() - start:.1f} s")

    index.refresh(force=True)
    missing = args.similar - SimilarQuestion.objects.values("question_id").distinct().count()
    if missing > 0:
        sample = Question.objects.public().exclude(pk__in=SimilarQuestion.objects.values("question_id"))
        start = time.perf_counter()
        for question in sample.order_by("?")[:missing]:
            services.similar_refresh(question=question)
        print(f"Similar Q&A: {missing} questions in {time.perf_counter() - start:.1f} s")
    print(f"public questions: {Question.objects.public().count()}")


if __name__ == "__main__":
    main()
