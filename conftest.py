"""Named personas shared by every app's tests: an asker, another asker, a doctor of the right
department, a doctor of another department, an unverified doctor, and a moderator."""

from __future__ import annotations

import importlib
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from accounts.models import DoctorProfile, User
from departments.models import Department
from questions.models import Question, Reply
from questions.services import question_create, reply_publish

PASSWORD = "correct-horse-battery"

# Browser tests drive Debian's Chromium with Playwright (never a browser Playwright downloads) and save
# screenshots under test-artifacts/ for a person to look at.
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parent / "test-artifacts"
BROWSER_TESTS = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed (make browser)"),
]


@pytest.fixture
def browser_context(live_server) -> Iterator[Callable[..., Any]]:
    """A function opening a browser context (Playwright's new_context options) against the live server."""
    from playwright.sync_api import sync_playwright

    # Playwright runs an event loop in this thread; the live server's ORM calls happen in its own thread.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
        )
        yield lambda **options: browser.new_context(**{"viewport": {"width": 1100, "height": 900}, **options})
        browser.close()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.fixture(autouse=True)
def _test_settings(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    # PBKDF2 takes about half a second per persona; tests do not need hashes that resist attack.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # "Not sure" questions stay in the triage queue unless a test turns auto-routing on.
    settings.ROUTER_AUTO_CONFIDENCE = 1.01
    # Rate-limit counters live in the cache and every test client comes from 127.0.0.1.
    cache.clear()


def make_user(username: str, **extra: object) -> User:
    return User.objects.create_user(username=username, password=PASSWORD, email=f"{username}@example.org", **extra)


def make_doctor(username: str, department: Department, *, verified: bool = True) -> DoctorProfile:
    profile = DoctorProfile.objects.create(
        user=make_user(username),
        name=username.replace("_", " ").title(),
        title="Attending Physician",
        hospital="Riverside Teaching Hospital",
        licence_number=f"LIC-{username}",
        verified_at=timezone.now() if verified else None,
    )
    profile.departments.add(department)
    return profile


def _departments_loaded() -> None:
    """Browser tests run on a transactional database, which Django empties after each of them, data
    migrations' rows included: put the departments and topics back for the next one."""
    if Department.objects.exists():
        return
    from django.apps import apps

    for module, create in (("0002_departments", "create_departments"), ("0003_topics", "create_topics")):
        getattr(importlib.import_module(f"departments.migrations.{module}"), create)(apps, None)


@pytest.fixture
def neurology(db) -> Department:
    _departments_loaded()
    return Department.objects.get(slug="neurology")


@pytest.fixture
def dermatology(db) -> Department:
    _departments_loaded()
    return Department.objects.get(slug="dermatology")


@pytest.fixture
def asker(db) -> User:
    return make_user("asker")


@pytest.fixture
def other_asker(db) -> User:
    return make_user("other_asker")


@pytest.fixture
def doctor(neurology: Department) -> DoctorProfile:
    return make_doctor("lin_meihua", neurology)


@pytest.fixture
def second_doctor(neurology: Department) -> DoctorProfile:
    return make_doctor("chen_wei", neurology)


@pytest.fixture
def other_doctor(dermatology: Department) -> DoctorProfile:
    return make_doctor("wang_derm", dermatology)


@pytest.fixture
def unverified_doctor(neurology: Department) -> DoctorProfile:
    return make_doctor("new_doc", neurology, verified=False)


@pytest.fixture
def moderator(db) -> User:
    return make_user("moderator", is_moderator=True)


def client_for(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def waiting_question(asker: User, neurology: Department) -> Question:
    return question_create(
        title="Twitching around my ears for years",
        body="For eight years my head, neck and the area around my ears tense up and twitch.\n\n"
        "I cannot sleep without pills. What could it be?",
        age_band="40-49",
        sex="female",
        pseudonym="Xiao Rong",
        email="xiaorong@example.org",
        department=neurology,
        asker=asker,
    )


@pytest.fixture
def published_question(waiting_question: Question, doctor: DoctorProfile) -> Question:
    reply_publish(
        question=waiting_question,
        doctor=doctor,
        body="This sounds like it could be a tremor or dystonia. Please see a neurologist for an examination.",
        public_title="Involuntary Muscle Tension and Tremors in the Head",
    )
    waiting_question.refresh_from_db()
    return waiting_question


@pytest.fixture
def reply(published_question: Question) -> Reply:
    return published_question.replies.get()
