"""manage.py import_reference PATH.jsonl[.gz]: load trusted patient-education articles; safe to stop and run again."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from tqdm import tqdm

from moreinfo import services
from moreinfo.importer import MEDQUAD_ATTRIBUTION, MEDQUAD_LICENCE, MEDQUAD_SOURCE, ArticleEntry, parse_article
from moreinfo.models import ReferenceArticle
from moreinfo.tasks import embed_articles
from questions.importer import BadLine, open_text, parse_lines


class Command(BaseCommand):
    help = (
        "Import reference articles (JSON lines with focus, question_type, question, answer, url; plain or gzip). "
        "Each batch is saved as it goes, so running it again adds only what is missing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument("--source", default=MEDQUAD_SOURCE, help="name of the library (default: %(default)s)")
        parser.add_argument("--licence", default=MEDQUAD_LICENCE, help="licence of its text (default: %(default)s)")
        parser.add_argument("--attribution", default=MEDQUAD_ATTRIBUTION, help="credit the licence asks for")
        parser.add_argument("--batch-size", type=int, default=500)
        parser.add_argument("--no-embed", action="store_true", help="do not queue the embedding of new articles")
        parser.add_argument(
            "--prune", action="store_true", help="withdraw this source's articles that are not in the file"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["path"]
        if not path.is_file():
            raise CommandError(f"{path} does not exist")
        source = options["source"].strip()[:60]
        if not source or not options["licence"].strip():
            raise CommandError("--source and --licence must not be empty")
        created = changed = unchanged = bad = 0
        seen: dict[str, int] = {}  # external id -> line number, for a file that repeats an article
        batch: list[ArticleEntry] = []

        def flush() -> None:
            nonlocal created, changed, unchanged
            if not batch:
                return
            result = services.articles_import(
                entries=batch,
                source=source,
                licence=options["licence"].strip(),
                attribution=options["attribution"].strip(),
            )
            created += len(result.created)
            changed += len(result.changed)
            unchanged += result.unchanged
            ids = result.created + result.changed
            if ids and not options["no_embed"]:
                transaction.on_commit(lambda: embed_articles.enqueue(article_ids=ids))
            batch.clear()

        quiet = options["verbosity"] == 0
        with open_text(path) as handle, tqdm(unit=" lines", file=sys.stderr, disable=quiet) as progress:
            for number, item in parse_lines(handle, parse_article):
                progress.update(1)
                if isinstance(item, BadLine):
                    bad += 1
                    self.stderr.write(f"line {number}: {item}")
                    continue
                if (first := seen.setdefault(item.external_id, number)) != number:
                    bad += 1
                    self.stderr.write(f"line {number}: the same article as line {first}")
                    continue
                batch.append(item)
                if len(batch) >= options["batch_size"]:
                    flush()
            flush()
        withdrawn = 0
        if options["prune"]:
            missing = ReferenceArticle.objects.current().filter(source=source).exclude(external_id__in=seen)
            withdrawn = services.articles_withdraw(article_ids=list(missing.values_list("pk", flat=True)))
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {created} articles; {changed} changed; {unchanged} were already there; "
                f"{withdrawn} withdrawn; {bad} bad lines."
            )
        )
