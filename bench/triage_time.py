"""Time per question of the whole triage (department router, red flags, masking), p50 and p95.

Uses our own test texts (triage/tests/data) and a throwaway SQLite database with the seed router.
Usage: .venv/bin/python bench/triage_time.py
"""

import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    tmp = tempfile.TemporaryDirectory()
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{tmp.name}/bench.sqlite3")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from triage.services import triage_text

    call_command("migrate", verbosity=0)
    data = ROOT / "triage" / "tests" / "data"
    texts = [
        json.loads(line)["text"]
        for name in ("redflags.jsonl", "pii.jsonl")
        for line in (data / name).read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    triage_text("", "warm up the router and the embedding model")
    timings = []
    for text in texts:
        start = time.perf_counter()
        triage_text("", text)
        timings.append((time.perf_counter() - start) * 1000)
    timings.sort()
    p95 = timings[int(len(timings) * 0.95)]
    print(f"triage per question ({len(texts)} texts): p50 {statistics.median(timings):.1f} ms, p95 {p95:.1f} ms")


if __name__ == "__main__":
    main()
