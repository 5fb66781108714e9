"""Score question pairs from a JSONL file: one {"score": p} line out per pair in, in the same order."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import islice
from pathlib import Path
from typing import Any, TextIO

from django.core.management.base import BaseCommand, CommandError, CommandParser

Scorer = Callable[[Sequence[tuple[str, str]]], list[float]]
BATCH_SIZE = 1000  # pairs per embedding batch: bounded memory, and each distinct text is embedded once per batch


def numbered_pairs(lines: Iterable[str]) -> Iterator[tuple[int, tuple[str, str] | str]]:
    """(line number, pair) for every non-blank line, or (line number, reason) for a line that is not a pair."""
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            yield number, f"not JSON ({exc.msg})"
            continue
        if not isinstance(record, dict):
            yield number, "not a JSON object"
            continue
        first, second = record.get("question_1"), record.get("question_2")
        if not isinstance(first, str) or not isinstance(second, str):
            yield number, "question_1 and question_2 must both be strings"
            continue
        yield number, (first, second)


class Command(BaseCommand):
    help = (
        'Read JSONL lines {"question_1": ..., "question_2": ...} from FILE (or "-" for stdin) and print '
        '{"score": p} for each, in order: with --kind similar the probability that both ask the same question, '
        "with --kind faq the probability that the FAQ question (question_2) answers the consumer's question "
        '(question_1). Blank lines are skipped; a line that is not a pair prints {"score": 0.0} and a warning '
        "on stderr."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help='a JSONL file, or "-" for standard input')
        parser.add_argument(
            "--kind",
            choices=["similar", "faq"],
            default="similar",
            help="similar: two patient questions asking the same thing (default); "
            "faq: a consumer question (question_1) and an FAQ question (question_2) that may answer it",
        )
        parser.add_argument("--batch-size", type=int, default=BATCH_SIZE)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["batch_size"] < 1:
            raise CommandError("--batch-size must be at least 1.")
        # Imported here so that `manage.py help` does not load onnxruntime.
        from search.pairs import PairModelError, get_faq_scorer, get_scorer

        try:
            score: Scorer = get_faq_scorer().score if options["kind"] == "faq" else get_scorer().score
        except PairModelError as exc:
            raise CommandError(str(exc)) from exc

        path = options["path"]
        if path == "-":
            self._score(sys.stdin, score, options["batch_size"])
            return
        try:
            with Path(path).open(encoding="utf-8") as handle:
                self._score(handle, score, options["batch_size"])
        except (FileNotFoundError, IsADirectoryError, PermissionError) as exc:
            raise CommandError(f"cannot read {path}: {exc.strerror}") from exc
        except UnicodeDecodeError as exc:
            raise CommandError(f"{path} is not UTF-8 text") from exc

    def _score(self, lines: TextIO, score: Scorer, batch_size: int) -> None:
        items = numbered_pairs(lines)
        while batch := list(islice(items, batch_size)):
            pairs = [pair for _, pair in batch if isinstance(pair, tuple)]
            scores = iter(score(pairs))
            for number, pair in batch:
                if isinstance(pair, tuple):
                    self.stdout.write(json.dumps({"score": round(next(scores), 6)}))
                else:
                    self.stderr.write(f"line {number}: {pair}; scored 0.0")
                    self.stdout.write(json.dumps({"score": 0.0}))
            self.stdout.flush()
