"""Server time of the public question page: median and p95 of 200 requests with Django's test client.

Runs against a throwaway SQLite database filled by `loaddemo` (or against DATABASE_URL if set).
Usage: .venv/bin/python bench/question_page.py [--requests 200]
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()

    tmp = tempfile.TemporaryDirectory()
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{tmp.name}/bench.sqlite3")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["DJANGO_DEBUG"] = "false"
    # Plain static files and no HTTPS redirect: the test client speaks HTTP, and no collectstatic is needed.
    os.environ.setdefault("DJANGO_STATIC_MANIFEST", "false")
    os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "false")
    os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only")
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    from questions.models import Question

    call_command("migrate", verbosity=0)
    if not Question.objects.exists():
        with open(os.devnull, "w") as devnull:
            call_command("loaddemo", stdout=devnull)
    question = Question.objects.public().order_by("pk").first()
    assert question is not None, "no published question to request"
    url = question.get_absolute_url()
    client = Client()
    for _ in range(20):  # warm up templates, connections and caches
        assert client.get(url).status_code == 200
    timings = []
    for _ in range(args.requests):
        start = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200
    timings.sort()
    p95 = timings[int(len(timings) * 0.95) - 1]
    median = statistics.median(timings)
    print(f"question page {url}: {args.requests} requests, median {median:.2f} ms, p95 {p95:.2f} ms")


if __name__ == "__main__":
    main()
