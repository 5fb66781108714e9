"""manage.py import_qa PATH.jsonl: load an archive of answered questions; safe to stop and run again."""

from __future__ import annotations

import gzip
import sys
from pathlib import Path
from typing import Any, TextIO

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from tqdm import tqdm

from accounts.models import DoctorProfile
from departments.models import Department
from questions.importer import ArchiveEntry, BadLine, import_batch, read_lines
from search.tasks import index_questions
from triage.tasks import retrain_router_if_stale


class Command(BaseCommand):
    help = "Import published questions with their doctors' replies from a JSON-lines archive (plain or .gz)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument(
            "--department", default="family-medicine", help="department slug for lines that do not name one"
        )
        parser.add_argument("--batch-size", type=int, default=256)
        parser.add_argument(
            "--no-index",
            action="store_true",
            help="do not queue background work (embeddings, Similar Q&A, the department router)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["path"]
        if not path.exists():
            raise CommandError(f"{path} does not exist")
        department = Department.objects.filter(slug=options["department"]).first()
        if department is None:
            raise CommandError(f"no department with slug {options['department']!r}")
        opener = gzip.open if path.suffix == ".gz" else open
        created = skipped = bad = 0
        doctors: dict[str, DoctorProfile] = {}
        batch: list[ArchiveEntry] = []

        def flush() -> None:
            nonlocal created, skipped
            if not batch:
                return
            ids, already = import_batch(batch, department=department, doctors=doctors)
            created += len(ids)
            skipped += already
            if ids and not options["no_index"]:
                transaction.on_commit(lambda: index_questions.enqueue(question_ids=ids))
            batch.clear()

        with opener(path, "rt", encoding="utf-8") as handle:
            stream: TextIO = handle
            with tqdm(unit=" lines", file=sys.stderr, disable=options["verbosity"] == 0) as progress:
                for number, item in read_lines(stream):
                    progress.update(1)
                    if isinstance(item, BadLine):
                        bad += 1
                        self.stderr.write(f"line {number}: {item}")
                        continue
                    batch.append(item)
                    if len(batch) >= options["batch_size"]:
                        flush()
                flush()
        if created and not options["no_index"]:
            # The router learns departments from answered questions: retrain it in the background.
            retrain_router_if_stale.enqueue()
        self.stdout.write(
            self.style.SUCCESS(f"Imported {created} questions; {skipped} were already there; {bad} bad lines.")
        )
