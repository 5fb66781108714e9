"""Faults: a task worker killed in the middle of a task, the database or Redis stopped while requests
arrive, an import killed half-way. Each runs real processes against throwaway PostgreSQL and Redis
servers (never the machine's own) and stops them when done. Select them with `pytest -m faults`."""

from __future__ import annotations

import http.client
import re
import shutil
import socket
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import psycopg
import pytest

from .throwaway import (
    Postgres,
    Redis,
    free_port,
    kill_group,
    manage,
    port_open,
    project_env,
    spawn,
    unavailable_reason,
    wait_for,
)

pytestmark = [
    pytest.mark.faults,
    pytest.mark.skipif(bool(unavailable_reason()), reason=unavailable_reason() or "-"),
]

VENV_BIN = Path(sys.executable).parent
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture(scope="module")
def postgres() -> Iterator[Postgres]:
    """One migrated throwaway database for the module (migrating is the slow part). Its folder is
    outside pytest's, which only root may enter, as the server runs as the postgres user."""
    directory = Path(tempfile.mkdtemp(prefix="medanswers-faults-pg-"))
    server = Postgres(directory)
    try:
        server.init()
        server.start()
        try:
            server.create_database()
            manage(project_env(DATABASE_URL=server.url()), "migrate", "--no-input", "-v0", timeout=180)
            # A deployment has a trained department router; without one, the first question trains it.
            manage(project_env(DATABASE_URL=server.url()), "train_router", timeout=180)
            yield server
        finally:
            server.stop()
    finally:
        shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture
def redis(tmp_path: Path) -> Iterator[Redis]:
    server = Redis(tmp_path)
    server.start()
    yield server
    server.stop()


class Visitor:
    """A browser-like client: keeps cookies, never follows redirects."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict[str, str] | None = None) -> tuple[int, str]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = urlencode(form) if form is not None else None
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key.strip()] = rest.split(";", 1)[0]
        text = response.read().decode()
        connection.close()
        return response.status, text

    def ask_form_token(self) -> str:
        status, html = self.request("GET", "/ask/")
        assert status == 200, html[:500]
        found = CSRF_FIELD.search(html)
        assert found is not None
        return found.group(1)


def question_fields(token: str, title: str) -> dict[str, str]:
    return {
        "csrfmiddlewaretoken": token,
        "title": title,
        "body": "I have had a dull headache behind my eyes every afternoon for two weeks now.",
        "age_band": "30-39",
        "sex": "female",
        "pseudonym": "Fault Tester",
        "email": "",
        "department": "",
        "masking_seen": "True",
    }


def count_questions(postgres: Postgres, **where: str) -> int:
    clause = " AND ".join(f"{column} = %s" for column in where) or "TRUE"
    with psycopg.connect(postgres.url()) as conn:
        row = conn.execute(f"SELECT count(*) FROM questions_question WHERE {clause}", list(where.values())).fetchone()
    assert row is not None
    return int(row[0])


@pytest.fixture
def web(postgres: Postgres, redis: Redis, tmp_path: Path) -> Iterator[Visitor]:
    """gunicorn serving the production configuration on the throwaway servers, with kept database
    connections (which must recover by themselves after a restart of the database)."""
    port = free_port()
    env = project_env(DATABASE_URL=postgres.url(), REDIS_URL=redis.url, DATABASE_CONN_MAX_AGE="60", ASK_RATE="100/h")
    server = spawn(
        env,
        str(VENV_BIN / "gunicorn"),
        "config.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        "1",
        "--timeout",
        "120",
        log=tmp_path / "gunicorn.log",
    )
    try:
        wait_for(lambda: port_open(port), 60, "gunicorn start")
        yield Visitor(port)
    finally:
        kill_group(server)


def test_database_down_answers_503_keeps_the_question_and_recovers(web: Visitor, postgres: Postgres) -> None:
    token = web.ask_form_token()
    title = "Afternoon headaches while the database is down"
    postgres.stop()
    try:
        status, html = web.request("POST", "/ask/", question_fields(token, title))
        assert status == 503
        assert "briefly unavailable" in html
        # What the asker typed comes back in a form they can send again.
        assert title in html
        assert "dull headache behind my eyes every afternoon" in html
        assert web.request("GET", "/ask/")[0] == 503
    finally:
        postgres.start()
    status, _ = web.request("POST", "/ask/", question_fields(token, title))
    assert status == 302
    assert count_questions(postgres, title=title) == 1


def test_redis_down_degrades_or_answers_503_and_recovers(web: Visitor, redis: Redis, postgres: Postgres) -> None:
    token = web.ask_form_token()
    title = "Afternoon headaches while Redis is down"
    redis.stop()
    try:
        # Public pages are rendered without the page cache.
        assert web.request("GET", "/")[0] == 200
        # Asking needs the rate-limit counters in Redis: a clear 503 that keeps the question.
        status, html = web.request("POST", "/ask/", question_fields(token, title))
        assert status == 503
        assert title in html
    finally:
        redis.start()
    status, _ = web.request("POST", "/ask/", question_fields(token, title))
    assert status == 302
    assert count_questions(postgres, title=title) == 1
    assert web.request("GET", "/")[0] == 200


def test_killed_task_worker_task_completes_later(redis: Redis, tmp_path: Path) -> None:
    env = project_env(REDIS_URL=redis.url, DATABASE_URL=f"sqlite:///{tmp_path}/unused.sqlite3")
    target = tmp_path / "effect.txt"
    manage(
        env,
        "shell",
        "-c",
        f"from config.tests.tasks import write_after; write_after.enqueue(path={str(target)!r}, seconds=3)",
    )
    worker_command = [sys.executable, "manage.py", "rqworker", "default", "--job-class", "django_tasks_rq.Job"]
    worker = spawn(env, *worker_command)
    try:
        wait_for(lambda: Path(f"{target}.started").exists(), 60, "the task start")
    finally:
        kill_group(worker)  # the worker and its work horse, in the middle of the task
    assert not target.exists()

    # Before starting workers again (as scripts/prod does), the abandoned task goes back in the queue.
    assert "Requeued 1 abandoned" in manage(env, "recover_tasks", "--all-workers-stopped")
    finisher = spawn(env, *worker_command, "--burst")
    assert finisher.wait(90) == 0
    assert target.read_text() == "done\n"


def test_a_throwaway_redis_never_uses_a_port_another_process_took(tmp_path: Path) -> None:
    """Tests run in parallel: a port found free may be taken before the server binds it. Talking to
    another test's server instead of one's own mixed their task queues."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        server = Redis(tmp_path)
        server.port = taken.getsockname()[1]
        server.start()
        try:
            assert server.port != taken.getsockname()[1]
            assert server.process is not None and server._answering_pid() == server.process.pid
        finally:
            server.stop()


def test_interrupted_import_reruns_without_duplicates_or_losses(postgres: Postgres, tmp_path: Path) -> None:
    archive = tmp_path / "archive.jsonl"
    total = 2000
    archive.write_text(
        "".join(
            f'{{"source": "fault-test", "id": "q{n}", "title": "Question {n} about a stiff neck", '
            f'"question": "My neck has been stiff for {n % 30 + 1} days after sleeping badly.", '
            f'"answers": [{{"author": "Dr. Lin", "text": "Gentle stretching and warmth help; see a doctor if it '
            f'lasts more than a week ({n})."}}]}}\n'
            for n in range(total)
        )
    )
    env = project_env(DATABASE_URL=postgres.url())
    command = [sys.executable, "manage.py", "import_qa", str(archive), "--no-index", "--batch-size", "20", "-v0"]
    importer = spawn(env, *command)
    try:
        wait_for(lambda: count_questions(postgres, source="fault-test") >= 100, 90, "the first batches")
    finally:
        kill_group(importer)
    partial = count_questions(postgres, source="fault-test")
    assert 0 < partial < total, "the import was not interrupted half-way"
    assert partial % 20 == 0  # whole batches only: each is one transaction

    rerun = spawn(env, *command)
    assert rerun.wait(120) == 0
    with psycopg.connect(postgres.url()) as conn:
        questions, distinct, replies = conn.execute(
            "SELECT count(*), count(DISTINCT external_id), "
            "(SELECT count(*) FROM questions_reply r JOIN questions_question q ON q.id = r.question_id "
            "WHERE q.source = 'fault-test') FROM questions_question WHERE source = 'fault-test'"
        ).fetchone() or (0, 0, 0)
    assert (questions, distinct, replies) == (total, total, total)
