"""The production configuration: `check --deploy` is clean, tasks run on a real RQ worker, and the
content security policy holds (no inline code in any template)."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

from .throwaway import ROOT, manage, project_env

TEST_REDIS = "redis://127.0.0.1:6379/15"  # the local Redis, in a database number of its own


def production_env(**extra: str) -> dict[str, str]:
    return project_env(
        DJANGO_SECRET_KEY="a-production-like-secret-key-with-more-than-fifty-characters-0123456789",
        DJANGO_ALLOWED_HOSTS="medanswers.example.org",
        DJANGO_SECURE_PROXY_SSL_HEADER="HTTP_X_FORWARDED_PROTO",
        REDIS_URL=TEST_REDIS,
        DJANGO_SECURE_SSL_REDIRECT="",
        DJANGO_SECURE_COOKIES="",
        DJANGO_HSTS_SECONDS="",
        DJANGO_STATIC_MANIFEST="",
        **extra,
    )


def _defaults_only(env: dict[str, str]) -> dict[str, str]:
    # An empty value above means "not set": the production defaults apply.
    return {k: v for k, v in env.items() if v != ""}


def test_check_deploy_is_clean_with_production_settings() -> None:
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=_defaults_only(production_env()),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_production_refuses_to_start_without_a_secret_key() -> None:
    env = _defaults_only(production_env())
    del env["DJANGO_SECRET_KEY"]
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def _local_redis_reachable() -> bool:
    with socket.socket() as sock:
        sock.settimeout(1)
        return sock.connect_ex(("127.0.0.1", 6379)) == 0


@pytest.mark.skipif(not _local_redis_reachable(), reason="no Redis on 127.0.0.1:6379")
def test_a_task_runs_on_a_real_rq_worker(tmp_path: Path) -> None:
    env = _defaults_only(production_env(DATABASE_URL=f"sqlite:///{tmp_path}/unused.sqlite3"))
    flush = "import django_rq; django_rq.get_connection('default').flushdb()"  # database 15 only
    manage(env, "shell", "-c", flush)
    try:
        result_id = manage(
            env, "shell", "-c", "from config.tests.tasks import add; print(add.enqueue(2, 3).id)"
        ).split()[-1]
        manage(env, "rqworker", "default", "--job-class", "django_tasks_rq.Job", "--burst")
        shown = manage(
            env,
            "shell",
            "-c",
            f"from config.tests.tasks import add; r = add.get_result({result_id!r}); print(r.status, r.return_value)",
        )
        assert shown.split()[-2:] == ["SUCCESSFUL", "5"]
    finally:
        manage(env, "shell", "-c", flush)


def test_pages_send_the_content_security_policy(db) -> None:
    policy = Client().get("/")["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "unsafe-inline" not in policy


INLINE_CODE = [
    re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE),  # a script without src
    re.compile(r"<style\b", re.IGNORECASE),
    re.compile(r"\sstyle=", re.IGNORECASE),
    re.compile(r"\son[a-z]+=", re.IGNORECASE),  # onclick=, onchange=...
    re.compile(r"javascript:", re.IGNORECASE),
]


def test_no_template_has_inline_code_the_policy_would_block() -> None:
    templates = [p for p in ROOT.glob("**/templates/**/*.html") if ".venv" not in p.parts]
    assert templates
    offending = [
        f"{path.relative_to(ROOT)}: {pattern.pattern}"
        for path in templates
        for pattern in INLINE_CODE
        if pattern.search(path.read_text(encoding="utf-8"))
    ]
    assert offending == []
