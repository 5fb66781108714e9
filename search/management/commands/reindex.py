"""manage.py reindex: rebuild embeddings, the word index and Similar Q&A, e.g. after a model change."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db.models import Q
from tqdm import tqdm

from questions.models import Question
from search import services
from search.embeddings import MODEL_NAME, MODEL_VERSION
from search.pair_encoder import pair_version
from search.vectors import index


class Command(BaseCommand):
    help = "Embed and index published questions whose embeddings are missing or from another model (all with --all)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--all", action="store_true", help="rebuild every published question")
        parser.add_argument("--batch-size", type=int, default=64)

    def handle(self, *args: Any, **options: Any) -> None:
        questions = Question.objects.public()
        if not options["all"]:
            questions = questions.filter(
                Q(embedding__isnull=True)
                | ~Q(embedding__model_name=MODEL_NAME)
                | ~Q(embedding__model_version=MODEL_VERSION)
                | ~Q(embedding__pair_version=pair_version())
            )
        ids = list(questions.order_by("pk").values_list("pk", flat=True))
        stale = Question.objects.exclude(pk__in=Question.objects.public()).filter(embedding__isnull=False)
        ids += list(stale.values_list("pk", flat=True))  # hidden or unpublished since: drop from the index
        quiet = options["verbosity"] == 0
        size = options["batch_size"]
        with tqdm(total=len(ids), unit=" questions", desc="embedding", file=sys.stderr, disable=quiet) as bar:
            for start in range(0, len(ids), size):
                services.questions_index(question_ids=ids[start : start + size])
                bar.update(len(ids[start : start + size]))
        index.refresh(force=True)
        public = list(Question.objects.public().order_by("pk"))
        for question in tqdm(public, unit=" questions", desc="similar Q&A", file=sys.stderr, disable=quiet):
            services.similar_refresh(question=question)
        self.stdout.write(self.style.SUCCESS(f"Indexed {len(ids)} questions; Similar Q&A of {len(public)} refreshed."))
