"""manage.py draft_more_info: Related FAQ and More Info drafts for answered questions that have none yet."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from tqdm import tqdm

from moreinfo import services
from moreinfo.matching import index
from moreinfo.models import ReferenceArticle
from moreinfo.tasks import draft_more_info
from questions.models import Question


class Command(BaseCommand):
    help = (
        "Embed reference articles that lack a vector, then draft More Info for answered questions that never had "
        "one (every answered question with --all). Run it after the first import_reference."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--all", action="store_true", help="draft again for every answered question")
        parser.add_argument("--queue", action="store_true", help="queue the drafts for the task worker")

    def handle(self, *args: Any, **options: Any) -> None:
        quiet = options["verbosity"] == 0
        unembedded = ReferenceArticle.objects.current().filter(embedding__isnull=True).order_by("pk")
        missing = list(unembedded.values_list("pk", flat=True))
        with tqdm(total=len(missing), unit=" articles", desc="embedding", file=sys.stderr, disable=quiet) as bar:
            for start in range(0, len(missing), 256):
                bar.update(services.articles_embed(article_ids=missing[start : start + 256]))
        index.refresh(force=True)
        questions = Question.objects.public()
        if not options["all"]:
            questions = questions.filter(more_info__isnull=True)
        ids = list(questions.order_by("pk").values_list("pk", flat=True))
        for question_id in tqdm(ids, unit=" questions", desc="drafting", file=sys.stderr, disable=quiet):
            if options["queue"]:
                draft_more_info.enqueue(question_id=question_id)
            else:
                draft_more_info.call(question_id=question_id)
        self.stdout.write(self.style.SUCCESS(f"{'Queued' if options['queue'] else 'Drafted'} {len(ids)} questions."))
