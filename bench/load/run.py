"""Load test of the running production configuration, from a second process on this machine.

    BIND=127.0.0.1:8000 RATELIMIT_ENABLE=0 scripts/prod      # in another terminal (`make prod`)
    .venv/bin/python bench/load/run.py --base http://127.0.0.1:8000 --seconds 20

Every request comes from 127.0.0.1, so the server must run with RATELIMIT_ENABLE=0. wrk (Debian's
package) drives the read scenarios: question pages as an anonymous visitor (the page cache serves
them), question pages as a visitor with a session (never cached: rendered from the database), search,
and the "already answered?" suggestions. A mix of reading, searching, asking and replying is driven
by threads of this script (which competes with the server for the CPU, so its figures are lower
bounds). Setup reads the database named by DATABASE_URL (as scripts/prod does) to choose real
pages and queries, and creates or refreshes a verified load-test doctor with a new password.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
LUA = Path(__file__).with_name("report.lua")
DOCTOR = "load-test-doctor"
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@dataclass
class Workload:
    pages: list[str]
    searches: list[str]
    suggestions: list[str]
    ask_texts: list[tuple[str, str]]
    department_id: int
    doctor_password: str


def prepare(sample: int) -> Workload:
    os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/medanswers_prod")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.utils import timezone

    from accounts.models import DoctorProfile, User
    from departments.models import Department
    from questions.models import Question

    rng = random.Random(7)
    questions = list(Question.objects.public().filter(similar_links__isnull=False).distinct().order_by("?")[:sample])
    if len(questions) < sample:
        questions += list(Question.objects.public().order_by("?")[: sample - len(questions)])
    if not questions:
        sys.exit("no public questions: run bench/load/prepare.py first")
    searches, suggestions, ask_texts = [], [], []
    for question in questions:
        words = question.display_title.split()
        searches.append("/search/?" + urlencode({"q": " ".join(words[: rng.randint(2, 5)])}))
        body = question.public_body[:300]
        suggestions.append("/search/suggest/?" + urlencode({"title": question.display_title[:80], "body": body}))
        if len(question.title) >= 10 and len(question.body) >= 30:
            ask_texts.append((question.title[:150], question.body[:2000]))

    department = Department.objects.get(slug="neurology")
    password = secrets.token_urlsafe(16)
    user = User.objects.filter(username=DOCTOR).first() or User.objects.create_user(username=DOCTOR)
    user.set_password(password)
    user.save(update_fields=["password"])
    profile, _ = DoctorProfile.objects.get_or_create(
        user=user,
        defaults={
            "name": "Load Test",
            "title": "Load test account",
            "hospital": "bench/load",
            "licence_number": DOCTOR,
            "verified_at": timezone.now(),
        },
    )
    profile.departments.add(department)
    return Workload(
        pages=[q.get_absolute_url() for q in questions],
        searches=searches,
        suggestions=suggestions,
        ask_texts=ask_texts,
        department_id=department.pk,
        doctor_password=password,
    )


def run_wrk(base: str, paths: list[str], seconds: int, connections: int, cookie: str = "") -> dict[str, float]:
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as handle:
        handle.write("\n".join(paths) + "\n")
    try:
        result = subprocess.run(
            [
                *("wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", "-s", str(LUA), base),
                *("--", handle.name, cookie),
            ],
            capture_output=True,
            text=True,
            check=True,
        )
    finally:
        os.unlink(handle.name)
    figures: dict[str, float] = json.loads(result.stdout.strip().splitlines()[-1])
    figures["rps"] = figures["requests"] / figures["seconds"]
    figures["errors"] = figures["non_2xx_3xx"] + figures["socket_errors"]
    return figures


@dataclass
class Tally:
    timings: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    # Status codes of the requests counted as errors, to say what they were.
    error_statuses: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    refused: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


class Browser:
    """One visitor: a keep-alive connection and the cookies the site set."""

    def __init__(self, base: str, tally: Tally) -> None:
        parts = urlsplit(base)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.connection = http.client.HTTPConnection(self.host, self.port, timeout=30)
        self.cookies: dict[str, str] = {}
        self.tally = tally

    def request(self, kind: str, method: str, path: str, form: dict[str, str] | None = None) -> tuple[int, str]:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        start = time.perf_counter()
        try:
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
            text = response.read().decode("utf-8", "replace")
        except (OSError, http.client.HTTPException):
            self.connection.close()
            self.connection = http.client.HTTPConnection(self.host, self.port, timeout=30)
            with self.tally.lock:
                self.tally.errors[kind] += 1
                self.tally.error_statuses[kind].append(0)
            return 0, ""
        elapsed = (time.perf_counter() - start) * 1000
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
        with self.tally.lock:
            self.tally.timings[kind].append(elapsed)
            # 409: the doctor's reply came after another session of the same doctor answered the
            # question; the service refuses it as designed, so it is counted below, not as an error.
            if response.status >= 400 and not (kind == "reply" and response.status == 409):
                self.tally.errors[kind] += 1
                self.tally.error_statuses[kind].append(response.status)
        return response.status, text


def mix_visitor(base: str, work: Workload, deadline: float, tally: Tally, seed: int) -> None:
    rng = random.Random(seed)
    reader = Browser(base, tally)
    doctor: Browser | None = None
    actions = ["page"] * 60 + ["search"] * 15 + ["suggest"] * 15 + ["ask"] * 7 + ["reply"] * 3
    while time.monotonic() < deadline:
        action = rng.choice(actions)
        if action == "page":
            reader.request("page", "GET", rng.choice(work.pages))
        elif action == "search":
            reader.request("search", "GET", rng.choice(work.searches))
        elif action == "suggest":
            reader.request("suggest", "GET", rng.choice(work.suggestions))
        elif action == "ask":
            _, html = reader.request("ask form", "GET", "/ask/")
            title, body = rng.choice(work.ask_texts)
            found = CSRF_FIELD.search(html)
            status, _ = reader.request(
                "ask",
                "POST",
                "/ask/",
                {
                    "csrfmiddlewaretoken": found.group(1) if found else "",
                    "title": title,
                    "body": body,
                    "age_band": "40-49",
                    "sex": "female",
                    "pseudonym": f"Load {seed}",
                    "email": "",
                    "department": str(work.department_id),
                    "masking_seen": "True",
                },
            )
            if status != 302:
                with tally.lock:
                    tally.errors["ask"] += status < 400  # a 200 here means the form refused the text
        else:
            if doctor is None:
                doctor = Browser(base, tally)
                _, html = doctor.request("login", "GET", "/accounts/login/")
                found = CSRF_FIELD.search(html)
                doctor.request(
                    "login",
                    "POST",
                    "/accounts/login/",
                    {
                        "csrfmiddlewaretoken": found.group(1) if found else "",
                        "username": DOCTOR,
                        "password": work.doctor_password,
                    },
                )
            _, html = doctor.request("doctor queue", "GET", "/doctor/queue/")
            waiting = re.findall(r'href="/doctor/questions/(\d+)/"', html)
            if not waiting:
                continue
            pk = rng.choice(waiting[:10])
            _, html = doctor.request("answer form", "GET", f"/doctor/questions/{pk}/")
            found = CSRF_FIELD.search(html)
            status, _ = doctor.request(
                "reply",
                "POST",
                f"/doctor/questions/{pk}/",
                {
                    "csrfmiddlewaretoken": found.group(1) if found else "",
                    "body": "Thank you for the details. This is a load-test reply with enough words to be valid.",
                },
            )
            if status == 409:  # another visitor answered it first: the form says so, nothing breaks
                with tally.lock:
                    tally.refused += 1


def warm(base: str, paths: list[str], threads: int) -> None:
    tally = Tally()
    chunks = [paths[n::threads] for n in range(threads)]

    def visit(chunk: list[str]) -> None:
        browser = Browser(base, tally)
        for path in chunk:
            browser.cookies.clear()
            browser.request("warm-up", "GET", path)

    workers = [threading.Thread(target=visit, args=(chunk,)) for chunk in chunks]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))] if ordered else float("nan")


def row(name: str, rps: float, latencies: list[float], errors: float, requests: float) -> str:
    p50, p95, p99 = latencies
    return f"{name:34}{rps:9.1f}{p50:9.1f}{p95:9.1f}{p99:9.1f}{int(errors):8d}{int(requests):10d}"


def percentiles(values: list[float]) -> list[float]:
    return [percentile(values, q) for q in (0.5, 0.95, 0.99)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base", default="http://127.0.0.1:8000")
    parser.add_argument("--seconds", type=int, default=20, help="length of each scenario")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--mix-visitors", type=int, default=8)
    parser.add_argument("--sample", type=int, default=1000, help="distinct pages and queries")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is missing: apt-get install wrk (make load installs it)")
    work = prepare(args.sample)
    base = args.base.rstrip("/")

    print(f"{len(work.pages)} question pages; {args.seconds} s per scenario, {args.connections} connections")
    print(f"{'scenario':34}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'errors':>8}{'requests':>10}")
    # Every sampled page is visited once first, so the first scenario measures the page cache.
    warm(base, work.pages, args.connections)
    # Each web process loads the vector index on its first search (seconds at 100,000 Q&As): a
    # restarted server is warmed before it is measured, as a deployment would be.
    warm(base, work.searches[:40] + work.suggestions[:40], args.connections)
    scenarios = [
        ("question page (anonymous, cached)", work.pages, ""),
        ("question page (session, uncached)", work.pages, "sessionid=load-test-no-such-session"),
        ("search", work.searches, ""),
        ("suggestions (/search/suggest/)", work.suggestions, ""),
    ]
    for name, paths, cookie in scenarios:
        f = run_wrk(base, paths, args.seconds, args.connections, cookie)
        print(row(name, f["rps"], [f["p50_ms"], f["p95_ms"], f["p99_ms"]], f["errors"], f["requests"]), flush=True)

    tally = Tally()
    deadline = time.monotonic() + args.seconds
    threads = [
        threading.Thread(target=mix_visitor, args=(base, work, deadline, tally, n)) for n in range(args.mix_visitors)
    ]
    start = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - start
    every = [t for timings in tally.timings.values() for t in timings]
    total_errors = sum(tally.errors.values())
    print(row("mix (all requests)", len(every) / elapsed, percentiles(every), total_errors, len(every)))
    for kind in sorted(tally.timings):
        timings = tally.timings[kind]
        print(
            row(f"  mix: {kind}", len(timings) / elapsed, percentiles(timings), tally.errors.get(kind, 0), len(timings))
        )
    print(f"  mix: replies refused because another visitor answered first: {tally.refused}")
    for kind, statuses in sorted(tally.error_statuses.items()):
        print(f"  mix: {kind} errors by status (0 = no response): {dict(sorted(Counter(statuses).items()))}")


if __name__ == "__main__":
    main()
