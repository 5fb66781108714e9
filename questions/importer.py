"""Importing archives of answered questions (lines shaped like qa_seed_en.jsonl)."""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, TypeVar

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from accounts.models import DoctorProfile, User
from departments.models import Department
from triage.scrub import scrub

from .models import Question, Reply, Sex
from .pseudonyms import generate_pseudonym


class BadLine(ValueError):
    pass


@dataclass(frozen=True)
class ArchiveEntry:
    source: str
    external_id: str
    title: str
    body: str
    author: str
    answer: str
    department: str = ""  # a department slug, when the archive knows it


@dataclass
class ImportReport:
    created: list[int] = field(default_factory=list)
    skipped: int = 0
    bad: list[tuple[int, str]] = field(default_factory=list)


def parse_line(line: str) -> ArchiveEntry:
    """One archive line to an entry, or BadLine with what is wrong."""
    try:
        data: Any = json.loads(line)
    except json.JSONDecodeError as error:
        raise BadLine(f"not JSON ({error.msg})") from error
    if not isinstance(data, dict):
        raise BadLine("not a JSON object")
    external_id = str(data.get("id") or data.get("url") or "").strip()
    title = str(data.get("title") or "").strip()
    body = str(data.get("question") or "").strip() or title
    answers = [a for a in data.get("answers") or [] if isinstance(a, dict) and str(a.get("text") or "").strip()]
    if not external_id:
        raise BadLine("no id")
    if not title and not body:
        raise BadLine("no title or question")
    if not answers:
        raise BadLine("no answer")
    # An archive may hold several answers; the page shows one doctor's reply, so the first answer by a
    # doctor wins, else the first answer.
    chosen = next((a for a in answers if str(a.get("author") or "").lower().startswith("dr")), answers[0])
    title = title or body
    return ArchiveEntry(
        source=str(data.get("source") or "archive")[:60],
        external_id=external_id[:200],
        title=(title[:1].upper() + title[1:])[:150],
        body=body[:5000],
        author=str(chosen.get("author") or "").strip()[:120] or "Archive doctor",
        answer=str(chosen["text"]).strip()[:10000],
        department=str(data.get("department") or "").strip(),
    )


Entry = TypeVar("Entry")


def parse_lines(lines: Iterable[str], parse: Callable[[str], Entry]) -> Iterator[tuple[int, Entry | BadLine]]:
    """(line number, entry) for every non-blank line, or (line number, BadLine) for one `parse` refuses."""
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            yield number, parse(line)
        except BadLine as error:
            yield number, error


def read_lines(lines: Iterable[str]) -> Iterator[tuple[int, ArchiveEntry | BadLine]]:
    return parse_lines(lines, parse_line)


def open_text(path: Path) -> IO[str]:
    """A JSON-lines file for reading as text, gzip-compressed or plain (told by its first bytes, not its name)."""
    with path.open("rb") as head:
        compressed = head.read(2) == b"\x1f\x8b"
    return gzip.open(path, "rt", encoding="utf-8") if compressed else path.open(encoding="utf-8")


def _archive_doctor(source: str, author: str, department: Department, cache: dict[str, DoctorProfile]) -> DoctorProfile:
    """The imported doctor who wrote an answer: one verified profile per author and source."""
    key = f"import:{slugify(source)}:{slugify(author)[:40] or 'unknown'}"
    if (cached := cache.get(f"{key}@{department.pk}")) is not None:
        return cached
    profile = cache.get(key) or DoctorProfile.objects.filter(licence_number=key).first()
    if profile is None:
        user = User.objects.create_user(username=key[:150])
        user.set_unusable_password()
        user.save(update_fields=["password"])
        profile = DoctorProfile.objects.create(
            user=user,
            name=author.removeprefix("Dr.").removeprefix("Dr ").strip() or author,
            title="Answer imported from an archive",
            hospital=source,
            licence_number=key,
            verified_at=timezone.now(),
        )
    profile.departments.add(department)
    cache[key] = cache[f"{key}@{department.pk}"] = profile
    return profile


@transaction.atomic
def import_batch(
    entries: list[ArchiveEntry], *, department: Department, doctors: dict[str, DoctorProfile]
) -> tuple[list[int], int]:
    """Create the entries not imported before, as published questions with their reply.

    Each entry goes to its own department when the archive names a known one, else to `department`.
    Returns the new question ids and how many entries were already there.
    """
    departments = {d.slug: d for d in Department.objects.filter(slug__in={e.department for e in entries})}
    existing = set(
        Question.objects.filter(
            source__in={e.source for e in entries}, external_id__in=[e.external_id for e in entries]
        ).values_list("source", "external_id")
    )
    fresh: dict[tuple[str, str], ArchiveEntry] = {}
    for entry in entries:
        key = (entry.source, entry.external_id)
        if key not in existing:
            fresh.setdefault(key, entry)
    now = timezone.now()
    questions = Question.objects.bulk_create(
        [
            Question(
                title=e.title,
                body=e.body,
                scrubbed_title=scrub(e.title),
                scrubbed_body=scrub(e.body),
                sex=Sex.UNDISCLOSED,
                pseudonym=generate_pseudonym(),
                department=departments.get(e.department, department),
                status=Question.Status.PUBLISHED,
                created_at=now,
                published_at=now,
                source=e.source,
                external_id=e.external_id,
            )
            for e in fresh.values()
        ]
    )
    Reply.objects.bulk_create(
        [
            Reply(
                question=q,
                doctor=_archive_doctor(e.source, e.author, q.department or department, doctors),
                body=e.answer,
                created_at=now,
            )
            for q, e in zip(questions, fresh.values(), strict=True)
        ]
    )
    return [q.pk for q in questions], len(entries) - len(fresh)
