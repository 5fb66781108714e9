"""Quality of the department router on real patient questions, and how fast it answers.

Reads iCliniq questions labelled with our department slugs (not part of the repository):
    .venv/bin/python bench/routing_quality.py [../shared/data/icliniq_specialty_dev.jsonl]

Settings: (a) trained on the seed descriptions only; (b) seeds plus the demo content's answered
questions (questions/demo_content.json); (c) 5-fold cross-validation where four fifths of the file
act as the platform's history and the other fifth is tested, which approximates a deployment with
real history. For each: top-1 and top-3 accuracy, per-department results, and how often the top
suggestion is right above a confidence threshold (to choose the auto-routing threshold).
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import statistics
import sys
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from search.embeddings import embed  # noqa: E402 - needs the path above
from triage.routing import RouterModel, seed_examples, train  # noqa: E402

DEFAULT_DATA = ROOT.parent / "shared" / "data" / "icliniq_specialty_dev.jsonl"
DEMO_CONTENT = ROOT / "questions" / "demo_content.json"
THRESHOLDS = (0.5, 0.6, 0.7, 0.8, 0.9)
FOLDS = 5


class CachedEmbedder:
    """Embeds each distinct text once, so that retraining in every fold costs no model time."""

    def __init__(self) -> None:
        self.vectors: dict[str, np.ndarray] = {}

    def __call__(self, texts: Sequence[str]) -> np.ndarray:
        missing = [text for text in dict.fromkeys(texts) if text not in self.vectors]
        if missing:
            self.vectors.update(zip(missing, embed(missing), strict=True))
        return np.array([self.vectors[text] for text in texts], dtype=np.float32)


def load_departments_and_topics() -> tuple[list[str], list[tuple[str, str, str]]]:
    departments = importlib.import_module("departments.migrations.0002_departments").DEPARTMENTS
    topics = importlib.import_module("departments.migrations.0003_topics").TOPICS
    return (
        [slug for slug, _, _ in departments],
        [(slug, en, zh) for slug, entries in topics.items() for _, en, zh in entries],
    )


def question_text(title: str, body: str) -> str:
    return f"{title.strip()}\n{body.strip()}"


def evaluate(
    name: str,
    model_for: list[tuple[RouterModel, np.ndarray]],
    texts: list[str],
    labels: list[str],
    embedder: CachedEmbedder,
) -> dict[str, float]:
    """model_for: (model, indices of the texts it is tested on); every text is tested exactly once."""
    top: list[list[tuple[str, float]]] = [[] for _ in texts]
    for model, indices in model_for:
        chosen = [texts[i] for i in indices]
        for i, prediction in zip(indices, model.predict_many(chosen, k=3, vectors=embedder(chosen)), strict=True):
            top[i] = prediction
    first = [prediction[0][0] for prediction in top]
    confidence = np.array([prediction[0][1] for prediction in top])
    right1 = np.array([f == label for f, label in zip(first, labels, strict=True)])
    right3 = np.array([label in [slug for slug, _ in p] for p, label in zip(top, labels, strict=True)])
    print(f"\n== {name}: top-1 {right1.mean():.3f}  top-3 {right3.mean():.3f}  (n={len(labels)})")
    print("   auto-routing: threshold  share above  top-1 right when above")
    for threshold in THRESHOLDS:
        above = confidence >= threshold
        accuracy = f"{right1[above].mean():.3f}" if above.any() else "  -  "
        print(f"                 >= {threshold:.1f}      {above.mean():.3f}        {accuracy}")
    print("   department               n  top-1  top-3  most often taken for")
    for slug, n in Counter(labels).most_common():
        mine = [i for i, label in enumerate(labels) if label == slug]
        wrong = Counter(first[i] for i in mine if first[i] != slug).most_common(1)
        confused = f"{wrong[0][0]} ({wrong[0][1]})" if wrong else ""
        print(f"   {slug:22s} {n:4d}  {right1[mine].mean():.2f}   {right3[mine].mean():.2f}   {confused}")
    return {"top1": float(right1.mean()), "top3": float(right3.mean())}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("data", nargs="?", type=Path, default=DEFAULT_DATA)
    args = parser.parse_args()
    if not args.data.exists():
        sys.exit(f"{args.data} is absent: this benchmark needs the iCliniq dev set (see ../shared/data/README.md).")

    rows = [json.loads(line) for line in args.data.read_text(encoding="utf-8").splitlines() if line.strip()]
    texts = [question_text(row["title"], row["question"]) for row in rows]
    labels = [row["department"] for row in rows]
    departments, topics = load_departments_and_topics()
    seeds = seed_examples(topics)
    embedder = CachedEmbedder()
    print(f"{len(rows)} questions from {args.data}; {len(seeds)} seed examples; embedding them...")
    started = time.perf_counter()
    embedder(texts + [text for text, _ in seeds])
    print(f"embedded in {time.perf_counter() - started:.0f} s")
    everything = np.arange(len(texts))

    started = time.perf_counter()
    seeds_only = train([], departments, seeds=seeds, embedder=embedder)
    train_seconds = time.perf_counter() - started
    evaluate("(a) seeds only", [(seeds_only, everything)], texts, labels, embedder)

    if DEMO_CONTENT.exists():
        demo = json.loads(DEMO_CONTENT.read_text(encoding="utf-8"))["questions"]
        history = [
            (question_text(q["title"], q["body"]), q["department"]) for q in demo if q.get("reply") and q["department"]
        ]
        with_demo = train(history, departments, seeds=seeds, embedder=embedder)
        evaluate(f"(b) seeds + {len(history)} demo answers", [(with_demo, everything)], texts, labels, embedder)
    else:
        print(f"\n== (b) skipped: {DEMO_CONTENT} is absent")

    folds = np.array_split(np.random.default_rng(0).permutation(len(texts)), FOLDS)
    models = []
    for fold in folds:
        held_out = set(fold.tolist())
        history = [(texts[i], labels[i]) for i in range(len(texts)) if i not in held_out]
        models.append((train(history, departments, seeds=seeds, embedder=embedder), fold))
    evaluate(f"(c) {FOLDS}-fold: seeds + 4/5 of the file as history", models, texts, labels, embedder)

    stored = json.dumps(seeds_only.to_dict())
    big = [(texts[i], labels[i]) for i in np.random.default_rng(1).integers(0, len(texts), 5000)]
    started = time.perf_counter()
    train(big, departments, seeds=seeds, embedder=embedder)
    big_seconds = time.perf_counter() - started
    timings = []
    for text in texts[:60]:  # uncached: the embedding is most of the time
        started = time.perf_counter()
        seeds_only.predict(text)
        timings.append(time.perf_counter() - started)
    timings.sort()
    print(
        f"\nmodel JSON {len(stored) / 1024:.0f} KiB; training on seeds {train_seconds:.1f} s, on seeds + 5,000"
        f" history {big_seconds:.1f} s (embeddings precomputed); predict p50"
        f" {statistics.median(timings) * 1000:.0f} ms, p95 {timings[int(0.95 * len(timings))] * 1000:.0f} ms"
        f" (embedding included); auto-routing threshold in use {os.environ.get('ROUTER_AUTO_CONFIDENCE', '0.8')}"
    )


if __name__ == "__main__":
    main()
