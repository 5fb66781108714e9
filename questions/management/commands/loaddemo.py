"""Fill an empty database with MedAnswers' own demo content (questions/demo_content.json)."""

from __future__ import annotations

import json
import secrets
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from accounts.models import DoctorProfile, User
from accounts.services import doctor_register, doctor_verify
from departments.models import Department, Topic
from questions.models import Question, Reply
from questions.services import question_create, reply_publish
from triage.services import router_train

CONTENT = Path(__file__).resolve().parents[2] / "demo_content.json"
MARKER_USERNAME = "demo-moderator"


class Command(BaseCommand):
    help = "Load the demo content into an empty database. Safe to run again; refuses a database with real content."

    def handle(self, *args: Any, **options: Any) -> None:
        if User.objects.filter(username=MARKER_USERNAME).exists():
            self.stdout.write("Demo content is already loaded; new passwords for the demo accounts:")
            self._print_logins(self._reset_passwords())
            return
        if Question.objects.exists() or DoctorProfile.objects.exists():
            raise CommandError("This database already has questions or doctors; loaddemo only fills an empty one.")
        content = json.loads(CONTENT.read_text(encoding="utf-8"))
        with transaction.atomic():
            logins = self._load(content)
        self._print_logins(logins)

    def _load(self, content: dict[str, Any]) -> dict[str, str]:
        logins: dict[str, str] = {}
        moderator = self._user(MARKER_USERNAME, logins, is_moderator=True, is_staff=True, is_superuser=True)
        asker = self._user("demo-asker", logins)
        departments = {d.slug: d for d in Department.objects.all()}
        doctors: dict[str, DoctorProfile] = {}
        for entry in content["doctors"]:
            profile = doctor_register(
                user=self._user(f"demo-{entry['key']}", logins),
                name=entry["name"],
                title=entry["title"],
                hospital=entry["hospital"],
                licence_number=entry["licence_number"],
                departments=[departments[slug] for slug in entry["departments"]],
                bio=entry.get("bio", ""),
            )
            doctors[entry["key"]] = doctor_verify(profile=profile, moderator=moderator)
        doctor_register(
            user=self._user("demo-applicant", logins),
            name="Hsu Chia-hao",
            title="Resident Physician",
            hospital="Eastern Coast Community Hospital",
            licence_number="DEMO-APPLICANT-001",
            departments=[departments["family-medicine"]],
        )

        now = timezone.now()
        for index, entry in enumerate(content["questions"]):
            department = departments[entry["department"]] if entry["department"] else None
            question = question_create(
                title=entry["title"],
                body=entry["body"],
                age_band=entry["age_band"],
                sex=entry["sex"],
                pseudonym=entry["pseudonym"],
                department=department,
                asker=asker if index % 10 == 0 else None,
            )
            asked = now - timedelta(days=entry["asked_days_ago"], minutes=index * 37)
            Question.objects.filter(pk=question.pk).update(created_at=asked)
            if entry.get("reply") is None:
                continue
            reply = entry["reply"]
            topics = Topic.objects.filter(department=department, slug__in=entry.get("topics", []))
            reply_publish(
                question=question,
                doctor=doctors[reply["doctor"]],
                body=reply["body"],
                public_title=entry.get("public_title", ""),
                topics=topics,
            )
            answered = min(asked + timedelta(days=reply["days_after_ask"], hours=3), now)
            Question.objects.filter(pk=question.pk).update(published_at=answered)
            Reply.objects.filter(question=question).update(created_at=answered)
        router_train()  # so the first page that triages a question does not have to train one
        return logins

    def _user(self, username: str, logins: dict[str, str], **flags: Any) -> User:
        password = secrets.token_urlsafe(9)
        user = User.objects.create_user(username=username, password=password, **flags)
        logins[username] = password
        return user

    def _reset_passwords(self) -> dict[str, str]:
        logins = {}
        for user in User.objects.filter(username__startswith="demo-").order_by("username"):
            password = secrets.token_urlsafe(9)
            user.set_password(password)
            user.save(update_fields=["password"])
            logins[user.username] = password
        return logins

    def _print_logins(self, logins: dict[str, str]) -> None:
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo: {Question.objects.public().count()} answered questions, "
                f"{Question.objects.waiting().count()} waiting, "
                f"{DoctorProfile.objects.filter(verified_at__isnull=False).count()} verified doctors."
            )
        )
        self.stdout.write("Demo accounts (log in at /accounts/login/; passwords are new on every run):")
        for username, password in sorted(logins.items()):
            self.stdout.write(f"  {username:32} {password}")
