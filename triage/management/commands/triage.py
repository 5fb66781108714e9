"""manage.py triage FILE.jsonl: department suggestions, red flags and the scrubbed text for each line."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from triage.services import triage_text


class Command(BaseCommand):
    help = 'Read lines {"text": ...} and print one JSON line of triage per input line, in order.'

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help='a JSON-lines file, or "-" for standard input')

    def handle(self, *args: Any, **options: Any) -> None:
        source = sys.stdin if options["path"] == "-" else Path(options["path"]).open(encoding="utf-8")  # noqa: SIM115
        with source:
            for number, line in enumerate(source, start=1):
                if not line.strip():
                    continue
                try:
                    text = str(json.loads(line)["text"])
                except (json.JSONDecodeError, KeyError, TypeError) as error:
                    self.stderr.write(f"line {number}: {error!r}; triaged as empty text")
                    text = ""
                result = triage_text("", text)
                self.stdout.write(
                    json.dumps(
                        {
                            "departments": [{"slug": d.slug, "confidence": d.confidence} for d in result.departments],
                            "urgent": result.urgent,
                            "red_flags": [flag.kind for flag in result.red_flags],
                            "scrubbed_text": result.scrubbed_body,
                        },
                        ensure_ascii=False,
                    )
                )
