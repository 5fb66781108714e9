"""Search benchmark on a generated corpus: import, embedding, suggestions, search, question page, memory.

    .venv/bin/python bench/make_corpus.py 10000 /tmp/corpus-10k.jsonl
    .venv/bin/python bench/search_bench.py /tmp/corpus-10k.jsonl

Uses a fresh SQLite database in a temporary folder unless DATABASE_URL is set (then that database
must be empty; with --reuse it must hold a corpus built before, and only the requests are timed).
Import and embedding run in this process; the requests run in a child process that
only serves them, so its peak memory is that of a web process holding the vector index.

With --parallel N, N such processes (like gunicorn's sync workers sharing the machine's cores) send
suggestion requests at once for --seconds, and the throughput of all of them is printed instead:

    DATABASE_URL=sqlite:////tmp/bench.sqlite3 .venv/bin/python bench/search_bench.py --reuse --parallel 4
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DATA = ROOT.parent / "shared" / "data"


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["DJANGO_DEBUG"] = "false"
    # Plain static files and no HTTPS redirect: the test client speaks HTTP, and no collectstatic is needed.
    os.environ.setdefault("DJANGO_STATIC_MANIFEST", "false")
    os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "false")
    # Every request comes from one address: per-address rate limits would answer 429.
    os.environ.setdefault("RATELIMIT_ENABLE", "0")
    os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only")
    import django

    django.setup()


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))]


def peak_rss_mb() -> float:
    """This process's peak resident memory. (getrusage's ru_maxrss would report the parent's peak after a
    fork and exec, which is the importing process here.)"""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed_requests(client, requests: list[tuple[str, dict[str, str]]]) -> list[float]:  # type: ignore[no-untyped-def]
    timings = []
    for path, params in requests:
        start = time.perf_counter()
        response = client.get(path, params)
        timings.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (path, response.status_code)
    return timings


def serve(count: int) -> None:
    """Child process: answer requests like a web process and report timings and peak memory."""
    setup_django()
    from django.test import Client

    from questions.models import Question
    from search.vectors import index

    rng = random.Random(3)
    queries = [json.loads(line)["question_2"] for line in (DATA / "mqp_dev.jsonl").open(encoding="utf-8")]
    rng.shuffle(queries)
    client = Client()
    start = time.perf_counter()
    index.refresh(force=True)
    load_ms = (time.perf_counter() - start) * 1000
    ids = list(Question.objects.public().values_list("pk", flat=True))
    pages = [q.get_absolute_url() for q in Question.objects.filter(pk__in=rng.sample(ids, min(count, len(ids))))]
    suggest = [("/search/suggest/", {"title": q[:80], "body": q}) for q in queries[:count]]
    search = [("/search/", {"q": " ".join(q.split()[:6])}) for q in queries[count : 2 * count]]
    timed_requests(client, suggest[:10] + search[:10] + [(p, {}) for p in pages[:10]])  # warm up
    results = {
        "index_load_ms": load_ms,
        "suggest": timed_requests(client, suggest),
        "search": timed_requests(client, search),
        "page": timed_requests(client, [(p, {}) for p in pages]),
        "peak_rss_mb": peak_rss_mb(),
    }
    print(json.dumps(results))


def serve_parallel(worker: int) -> None:
    """Child process of --parallel: warm up, say so, wait for "go" and a deadline on stdin, then send
    suggestion requests until the deadline; report their latencies."""
    setup_django()
    from django.test import Client

    from search.vectors import index

    client = Client()
    index.refresh(force=True)
    queries = [json.loads(line)["question_2"] for line in (DATA / "mqp_dev.jsonl").open(encoding="utf-8")]
    random.Random(3).shuffle(queries)
    # Each worker starts at its own place in the list, so no two send the same text at the same time.
    offset = worker * 500 % len(queries)
    queries = queries[offset:] + queries[:offset]
    requests = [("/search/suggest/", {"title": q[:80], "body": q}) for q in queries]
    timed_requests(client, requests[-10:])
    print("ready", flush=True)
    sys.stdin.readline()
    deadline = float(sys.stdin.readline())
    timings: list[float] = []
    while time.time() < deadline:
        timings += timed_requests(client, [requests[len(timings) % len(requests)]])
    print(json.dumps({"timings": timings}), flush=True)


def parallel(processes: int, seconds: float) -> None:
    """Run `processes` serving processes at once for `seconds`; print requests per second and latencies."""
    children = [
        subprocess.Popen(
            [sys.executable, __file__, "--serve-parallel", str(worker)],
            env={**os.environ},
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for worker in range(processes)
    ]
    for child in children:
        assert child.stdout is not None
        if child.stdout.readline().strip() != "ready":
            sys.exit("a serving process failed to start")
    start = time.time()
    for child in children:
        assert child.stdin is not None
        child.stdin.write(f"go\n{start + seconds}\n")
        child.stdin.flush()
    timings: list[float] = []
    for child in children:
        out, _ = child.communicate()
        timings += json.loads(out.strip().splitlines()[-1])["timings"]
    elapsed = time.time() - start
    print(
        f"{processes} processes, suggestions for {elapsed:.0f} s: {len(timings) / elapsed:6.1f} requests/s  "
        f"p50 {statistics.median(timings):6.1f} ms  p95 {percentile(timings, 0.95):6.1f} ms  ({len(timings)} requests)"
    )


def build(corpus: Path, similar_sample: int, random_vectors: bool) -> None:
    """Import and index `corpus` into the (empty) database, printing throughput."""
    from django.core.management import call_command

    from questions.models import Question
    from search import services
    from search.embeddings import DIMENSIONS
    from search.pair_encoder import PAIR_DIMENSIONS
    from search.vectors import index

    call_command("migrate", verbosity=0)
    if Question.objects.exists():
        sys.exit("the database is not empty (use --reuse to only time requests)")
    lines = sum(1 for _ in corpus.open(encoding="utf-8"))
    start = time.perf_counter()
    call_command("import_qa", str(corpus), "--no-index", verbosity=0)
    imported = time.perf_counter() - start
    print(f"corpus {corpus.name}: {lines} Q&As")
    print(f"import (questions, replies, doctors):   {lines / imported:8.0f} Q&As/s  ({imported:.1f} s)")

    # Large corpora repeat their distinct texts under new ids: each distinct text is embedded once and
    # its vector reused, which gives exactly the vectors a full run would store.
    rng = np.random.default_rng(0)

    def random_unit(texts: Sequence[str], width: int = DIMENSIONS) -> np.ndarray:
        vectors = rng.normal(size=(len(texts), width)).astype(np.float32)
        return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)

    Encode = Callable[[Sequence[str]], np.ndarray]

    def once(encode: Encode, seen: dict[str, np.ndarray]) -> Encode:
        def encode_once(texts: Sequence[str]) -> np.ndarray:
            new = list(dict.fromkeys(t for t in texts if t not in seen))
            if new:
                seen.update(zip(new, encode(new), strict=True))
            return np.stack([seen[t] for t in texts])

        return encode_once

    # Both models: the search embeddings and the pair encoder's (Similar Q&A).
    seen: dict[str, np.ndarray] = {}
    services.embed = once(random_unit if random_vectors else services.embed, seen)  # type: ignore[assignment]
    random_pairs = functools.partial(random_unit, width=PAIR_DIMENSIONS)
    services.embed_for_pairs = once(random_pairs if random_vectors else services.embed_for_pairs, {})  # type: ignore[assignment]
    ids = list(Question.objects.public().order_by("pk").values_list("pk", flat=True))
    start = time.perf_counter()
    for offset in range(0, len(ids), 256):
        services.questions_index(question_ids=ids[offset : offset + 256])
    embedded = time.perf_counter() - start
    label = "index (words; random vectors)" if random_vectors else "index (words + embeddings)"
    print(f"{label + ':':40}{len(ids) / embedded:8.1f} Q&As/s  ({embedded:.1f} s; {len(seen)} distinct texts)")

    index.refresh(force=True)
    sample = list(Question.objects.public().order_by("?")[:similar_sample])
    start = time.perf_counter()
    for question in sample:
        services.similar_refresh(question=question)
    similar = time.perf_counter() - start
    print(f"Similar Q&A computation:                {len(sample) / similar:8.1f} Q&As/s  (sample of {len(sample)})")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("corpus", type=Path, nargs="?")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--serve-parallel", type=int, help=argparse.SUPPRESS)
    parser.add_argument(
        "--parallel",
        type=int,
        metavar="N",
        help="instead of timing requests one by one, run N serving processes at once and print the throughput "
        "of suggestion requests (set OPENBLAS_NUM_THREADS as for the web processes)",
    )
    parser.add_argument("--seconds", type=float, default=30, help="how long --parallel sends requests")
    parser.add_argument("--similar-sample", type=int, default=300, help="questions whose Similar Q&A is timed")
    parser.add_argument(
        "--random-vectors",
        action="store_true",
        help="store random unit vectors instead of embeddings: the same size and search cost, for timing "
        "requests on a corpus too big to embed in the time at hand (no embedding throughput is printed, and "
        "Similar Q&A then rarely passes its meaning threshold, so its re-scoring is not timed)",
    )
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="DATABASE_URL already holds an imported and indexed corpus: only time the requests",
    )
    args = parser.parse_args()
    if args.serve:
        serve(args.requests)
        return
    if args.serve_parallel is not None:
        serve_parallel(args.serve_parallel)
        return
    if not (DATA / "mqp_dev.jsonl").exists():
        sys.exit(f"{DATA} is missing: the benchmark needs ../shared/data")
    tmp = tempfile.TemporaryDirectory()
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{tmp.name}/bench.sqlite3")
    setup_django()
    if not args.reuse:
        build(args.corpus, args.similar_sample, args.random_vectors)
    if args.parallel:
        parallel(args.parallel, args.seconds)
        return
    child = subprocess.run(
        [sys.executable, __file__, "--serve", "--requests", str(args.requests)],
        env={**os.environ},
        capture_output=True,
        text=True,
        check=True,
    )
    result = json.loads(child.stdout.strip().splitlines()[-1])
    for name, label in (
        ("suggest", '"already answered?" suggestions'),
        ("search", "search page"),
        ("page", "question page"),
    ):
        values = result[name]
        print(
            f"{label:40} p50 {statistics.median(values):6.1f} ms  p95 {percentile(values, 0.95):6.1f} ms"
            f"  ({len(values)} requests)"
        )
    print(f"web process: vector index load {result['index_load_ms']:.0f} ms, peak RSS {result['peak_rss_mb']:.0f} MB")


if __name__ == "__main__":
    main()
