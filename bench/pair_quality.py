"""Quality and speed of the question-pair scorer (search/pairs.py) on labelled pairs.

Reads ../shared/data/mqp_dev.jsonl unless another path is given. The scorer was trained on that very
file, so its accuracy here is in-sample and flatters it; the honest figures are the cross-validation
ones printed by bench/train_pair_scorer.py (and stored in search/pair_model.json, shown below).

Usage: .venv/bin/python bench/pair_quality.py [PAIRS.jsonl] [--embeddings-cache FILE.npz]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# The script's own directory is on sys.path, so the training script's helpers import directly.
from train_pair_scorer import accuracy, best_threshold, embeddings, load_pairs  # noqa: E402

from search.embeddings import DIMENSIONS  # noqa: E402
from search.pair_encoder import embed_for_pairs  # noqa: E402
from search.pairs import MODEL_PATH, PairScorer, pair_cosines  # noqa: E402

DATA = ROOT.parent / "shared" / "data"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("pairs", nargs="?", type=Path, default=DATA / "mqp_dev.jsonl")
    parser.add_argument("--embeddings-cache", type=Path, help="an .npz to keep embeddings between runs")
    args = parser.parse_args()
    if not args.pairs.exists():
        sys.exit(f"{args.pairs} not found: give the path of a labelled pairs file (question_1, question_2, label)")

    rows = load_pairs(args.pairs)
    y = np.array([int(r["label"]) for r in rows])
    pairs = [(r["question_1"], r["question_2"]) for r in rows]
    texts = list(dict.fromkeys(t for pair in pairs for t in pair))
    vectors = embeddings(texts, args.embeddings_cache)
    start = time.perf_counter()
    tuned = embed_for_pairs(texts)
    print(f"pair vectors (tuned MiniLM, all-mpnet-base-v2): {len(texts)} texts in {time.perf_counter() - start:.0f} s")
    row_of = {t: i for i, t in enumerate(texts)}
    index = np.array([[row_of[a], row_of[b]] for a, b in pairs])
    plain_pairs, tuned_pairs = vectors[index], tuned[index]

    scorer = PairScorer.load()
    scores = np.array(scorer.score(pairs, plain_pairs, tuned_pairs))
    print(f"{len(rows)} pairs from {args.pairs}")
    for name, given in (
        ("plain cosine", plain_pairs),
        ("tuned cosine", tuned_pairs[..., :DIMENSIONS]),
        ("mpnet cosine", tuned_pairs[..., DIMENSIONS:]),
    ):
        acc, threshold = best_threshold(pair_cosines(given[:, 0], given[:, 1]), y)
        print(f"  {name}:   best threshold {acc:.4f} (at {threshold:.3f})")
    acc, threshold = best_threshold(scores, y)
    print(
        f"  learned scorer: best threshold {acc:.4f} (at {threshold:.3f}), at 0.5 {accuracy(scores, y, 0.5):.4f}"
        "  <- in-sample if these are the training pairs"
    )
    cv = json.loads(MODEL_PATH.read_text(encoding="utf-8")).get("cross_validation", {})
    if cv:
        print(
            f"  cross-validated ({cv['folds']} grouped folds, from training): at 0.5 {cv['at_0.5']:.4f}, "
            f"pooled best threshold {cv['pooled_at_best_threshold']:.4f}, "
            f"plain cosine pooled best threshold {cv['pooled_cosine_at_best_threshold']:.4f}"
        )

    # Re-ranking: one query against 20 candidates whose vectors are stored, as Similar Q&A does.
    rng = np.random.default_rng(0)
    timings = []
    for _ in range(100):
        query = int(rng.integers(len(texts)))
        candidates = rng.choice(len(texts), 20, replace=False)
        both = np.stack([np.full(20, query), candidates], axis=1)
        start = time.perf_counter()
        scorer.score([(texts[query], texts[c]) for c in candidates], vectors[both], tuned[both])
        timings.append((time.perf_counter() - start) * 1000)
    median = statistics.median(timings)
    print(f"  re-rank 20 candidates, vectors given: median {median:.2f} ms ({median / 20:.3f} ms per pair)")

    sample = pairs[:100]
    start = time.perf_counter()
    scorer.score(sample)
    per_pair = (time.perf_counter() - start) * 1000 / len(sample)
    print(f"  {len(sample)} pairs embedded (both models) and scored: {per_pair:.1f} ms per pair")


if __name__ == "__main__":
    main()
