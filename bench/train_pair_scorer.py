"""Train the question-pair scorer (search/pairs.py) on labelled pairs and write search/pair_model.json.

Reads ../shared/data/mqp_dev.jsonl (question_1, question_2, label) unless another path is given, the
questions of ../shared/data/qa_seed_en.jsonl for the IDF table (optional), and the pair encoder's
out-of-fold cosines of the same pairs (run bench/train_pair_encoder.py first). The features are that
cosine, the plain MiniLM cosine and the plain all-mpnet-base-v2 cosine (search/mpnet.py). Prints grouped
k-fold cross-validation figures first (every pair of one question_1 lands in the same fold), then fits
on all pairs and writes the model with the IDF table.

Chinese pairs are scored from their shared character pairs alone (search/pairs.py says why). That
logistic is fitted here too, on ../shared/data/toyhom_internal_medicine_zh.jsonl.gz: each sampled asker's
title against their own question (the same question in other words; titles found verbatim in the
question are left out) and against another asker's question from the same department.

Usage: .venv/bin/python bench/train_pair_scorer.py [PAIRS.jsonl] [--seed-questions FILE] [--folds 10]
       [--embeddings-cache FILE.npz] [--tuned-cosines bench/pair_encoder_oof.npz] [--chinese FILE.jsonl.gz]
       [--output search/pair_model.json] [--dry-run]
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from search.embeddings import MODEL_NAME, MODEL_VERSION, embed  # noqa: E402
from search.mpnet import get_mpnet  # noqa: E402
from search.pairs import (  # noqa: E402
    CHINESE_FEATURES,
    FEATURE_NAMES,
    MODEL_FORMAT,
    MODEL_PATH,
    TermWeights,
    chinese_features,
)

DATA = ROOT.parent / "shared" / "data"
L2 = 1e-3
CHINESE_ASKERS = 3000


def load_pairs(path: Path) -> list[dict]:
    rows = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                row = json.loads(line)
                rows.append(row)
    return rows


def load_seed_questions(path: Path) -> list[str]:
    if not path.exists():
        print(f"note: {path} not found; the IDF table comes from the pairs alone")
        return []
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line)["question"] for line in handle if line.strip()]


def tuned_cosines(rows: list[dict], path: Path) -> np.ndarray:
    """The pair encoder's out-of-fold cosines of these pairs (written by bench/train_pair_encoder.py): each
    from a model that did not see the pair, as the final model will not have seen the pairs it scores."""
    if not path.exists():
        sys.exit(f"{path} not found: run bench/train_pair_encoder.py on the same pairs first")
    stored = np.load(path, allow_pickle=False)
    ids = [str(r.get("id", i)) for i, r in enumerate(rows)]
    if stored["ids"].tolist() != ids:
        sys.exit(f"{path} holds other pairs: run bench/train_pair_encoder.py on the same pairs first")
    return np.asarray(stored["cosine"], dtype=np.float32)


def embeddings(texts: list[str], cache: Path | None) -> np.ndarray:
    if cache and cache.exists():
        stored = np.load(cache, allow_pickle=False)
        known = dict(zip(stored["texts"].tolist(), stored["vectors"], strict=True))
        if all(t in known for t in texts):
            return np.stack([known[t] for t in texts])
    start = time.perf_counter()
    vectors = embed(texts)
    print(f"embedded {len(texts)} texts in {time.perf_counter() - start:.0f} s")
    if cache:
        np.savez(cache, texts=np.array(texts), vectors=vectors)
    return vectors


# A small L2-regularised logistic regression solved by Newton's method: with a few features the Hessian
# solve is cheap and converges in a few steps.
def fit(x: np.ndarray, y: np.ndarray, l2: np.ndarray, iterations: int = 50) -> tuple[np.ndarray, float]:
    n, d = x.shape
    xb = np.hstack([x, np.ones((n, 1))])
    penalty = np.append(l2, 0.0)  # the bias is not penalised
    w = np.zeros(d + 1)
    for _ in range(iterations):
        p = 1.0 / (1.0 + np.exp(-np.clip(xb @ w, -30, 30)))
        gradient = xb.T @ (p - y) / n + penalty * w
        hessian = (xb * (p * (1 - p))[:, None]).T @ xb / n + np.diag(penalty + 1e-9)
        step = np.linalg.solve(hessian, gradient)
        w -= step
        if np.abs(step).max() < 1e-6:
            break
    return w[:-1], float(w[-1])


class Model:
    def __init__(self, x: np.ndarray, y: np.ndarray) -> None:
        self.means = x.mean(axis=0)
        self.scales = x.std(axis=0) + 1e-6
        self.weights, self.bias = fit((x - self.means) / self.scales, y, np.full(x.shape[1], L2))

    def predict(self, x: np.ndarray) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-np.clip(((x - self.means) / self.scales) @ self.weights + self.bias, -30, 30)))


def folds_of(groups: list[str], k: int, seed: int) -> np.ndarray:
    unique = sorted(set(groups))
    rng = np.random.default_rng(seed)
    rng.shuffle(unique)
    fold = {g: i % k for i, g in enumerate(unique)}
    return np.array([fold[g] for g in groups])


def log_loss(p: np.ndarray, y: np.ndarray) -> float:
    p = np.clip(p, 1e-7, 1 - 1e-7)
    return float(-(y * np.log(p) + (1 - y) * np.log(1 - p)).mean())


def best_threshold(scores: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """(accuracy, threshold) of the best cut `score > threshold`."""
    order = np.argsort(scores)
    s, labels = scores[order], y[order]
    n, positives = len(y), labels.sum()
    below_pos = np.cumsum(labels)
    below_neg = np.arange(1, n + 1) - below_pos
    accuracy = (below_neg + positives - below_pos) / n  # cut after position i
    i = int(accuracy.argmax())
    if positives / n >= accuracy[i]:
        return float(positives / n), float(s[0] - 1e-6)
    threshold = (s[i] + s[i + 1]) / 2 if i + 1 < n else s[i] + 1e-6
    return float(accuracy[i]), float(threshold)


def accuracy(scores: np.ndarray, y: np.ndarray, threshold: float) -> float:
    return float(((scores > threshold) == (y == 1)).mean())


def cross_validate(x: np.ndarray, cosine: np.ndarray, y: np.ndarray, groups: list[str], k: int) -> dict:
    folds = folds_of(groups, k, seed=0)
    out = np.zeros(len(y))
    rows = []
    for f in range(k):
        train, test = folds != f, folds == f
        model = Model(x[train], y[train])
        p_train, p = model.predict(x[train]), model.predict(x[test])
        out[test] = p
        cos_threshold = best_threshold(cosine[train], y[train])[1]
        rows.append(
            {
                "at_0.5": accuracy(p, y[test], 0.5),
                "at_train_threshold": accuracy(p, y[test], best_threshold(p_train, y[train])[1]),
                "at_best_threshold": best_threshold(p, y[test])[0],
                "cosine_at_train_threshold": accuracy(cosine[test], y[test], cos_threshold),
                "cosine_at_best_threshold": best_threshold(cosine[test], y[test])[0],
            }
        )
        print(
            f"  fold {f + 1:2d}: acc@0.5 {rows[-1]['at_0.5']:.3f}  "
            f"acc@best {rows[-1]['at_best_threshold']:.3f}  cosine@best {rows[-1]['cosine_at_best_threshold']:.3f}",
            flush=True,
        )
    summary = {key: round(float(np.mean([r[key] for r in rows])), 4) for key in rows[0]}
    summary["pooled_at_best_threshold"] = round(best_threshold(out, y)[0], 4)
    summary["pooled_cosine_at_best_threshold"] = round(best_threshold(cosine, y)[0], 4)
    summary["log_loss"] = round(log_loss(out, y), 4)
    summary["folds"] = k
    return summary


def chinese_pairs(path: Path, askers: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """(CHINESE_FEATURES, label) of each sampled asker's title against their own question (1) and against
    another asker's question of the same department (0)."""
    if not path.exists():
        sys.exit(f"{path} not found: give the path of the Chinese questions (title, question, department)")
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        records = [json.loads(line) for line in handle if line.strip()]
    distinct = {(r["title"], r["question"]): r["department"] for r in records if r["title"] not in r["question"]}
    sample = random.Random(seed).sample(sorted(distinct.items()), min(askers, len(distinct)))
    by_department: dict[str, list[int]] = {}
    for i, (_, department) in enumerate(sample):
        by_department.setdefault(department, []).append(i)
    rng = random.Random(seed + 1)
    features, labels = [], []
    for i, ((title, question), department) in enumerate(sample):
        others = [j for j in by_department[department] if j != i]
        if others:
            features += [chinese_features(title, question), chinese_features(title, sample[rng.choice(others)][0][1])]
            labels += [1, 0]
    return np.array(features), np.array(labels, dtype=np.float64)


def fit_chinese(path: Path) -> dict:
    x, y = chinese_pairs(path, CHINESE_ASKERS)
    folds = np.arange(len(y)) // 2 % 10  # an asker's two pairs in one fold
    scores = np.zeros(len(y))
    for f in range(10):
        train, test = folds != f, folds == f
        weights, bias = fit(x[train], y[train], np.zeros(x.shape[1]))
        scores[test] = 1.0 / (1.0 + np.exp(-(x[test] @ weights + bias)))
    weights, bias = fit(x, y, np.zeros(x.shape[1]))
    cv = {"at_0.5": round(accuracy(scores, y, 0.5), 4), "log_loss": round(log_loss(scores, y), 4)}
    print(
        f"Chinese pairs from {path.name}: {len(y)} ({int(y.sum())} same question); 10-fold accuracy at 0.5 "
        f"{cv['at_0.5']:.4f}, log loss {cv['log_loss']:.4f}"
    )
    return {
        "features": list(CHINESE_FEATURES),
        "weights": significant(weights),
        "bias": float(f"{bias:.6g}"),
        "trained_on": {"file": path.name, "pairs": len(y)},
        "cross_validation": cv,
    }


def significant(values: np.ndarray | list[float], digits: int = 6) -> list[float]:
    return [float(f"{v:.{digits}g}") for v in values]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("pairs", nargs="?", type=Path, default=DATA / "mqp_dev.jsonl")
    parser.add_argument("--seed-questions", type=Path, default=DATA / "qa_seed_en.jsonl")
    parser.add_argument("--folds", type=int, default=10)
    parser.add_argument("--embeddings-cache", type=Path, help="an .npz to keep embeddings between runs")
    parser.add_argument(
        "--tuned-cosines",
        type=Path,
        default=ROOT / "bench" / "pair_encoder_oof.npz",
        help="the pair encoder's out-of-fold cosines (bench/train_pair_encoder.py --oof)",
    )
    parser.add_argument("--chinese", type=Path, default=DATA / "toyhom_internal_medicine_zh.jsonl.gz")
    parser.add_argument("--output", type=Path, default=MODEL_PATH)
    parser.add_argument("--dry-run", action="store_true", help="print the CV figures, write nothing")
    args = parser.parse_args()

    if not args.pairs.exists():
        sys.exit(f"{args.pairs} not found: give the path of a labelled pairs file (question_1, question_2, label)")
    rows = load_pairs(args.pairs)
    y = np.array([int(r["label"]) for r in rows], dtype=np.float64)
    groups = [r["question_1"] for r in rows]
    print(f"{len(rows)} pairs from {args.pairs} ({int(y.sum())} similar), {len(set(groups))} distinct question_1")

    texts = list(dict.fromkeys(t for r in rows for t in (r["question_1"], r["question_2"])))
    # IDF comes from unlabelled question text only, so using the test folds' questions here leaks no label.
    idf = TermWeights.from_documents(texts + load_seed_questions(args.seed_questions))
    vectors = embeddings(texts, args.embeddings_cache)
    row_of = {t: i for i, t in enumerate(texts)}
    first, second = ([row_of[r[key]] for r in rows] for key in ("question_1", "question_2"))
    cosine = (vectors[first] * vectors[second]).sum(axis=1).astype(np.float64)
    start = time.perf_counter()
    larger = get_mpnet().encode(texts)
    print(f"all-mpnet-base-v2: embedded {len(texts)} texts in {time.perf_counter() - start:.0f} s")
    mpnet_cosine = (larger[first] * larger[second]).sum(axis=1)
    x = np.stack([tuned_cosines(rows, args.tuned_cosines), cosine, mpnet_cosine], axis=1)  # FEATURE_NAMES order

    print(f"grouped {args.folds}-fold cross-validation:")
    cv = cross_validate(x, cosine, y, groups, args.folds)
    print(f"  learned scorer: accuracy at 0.5 {cv['at_0.5']:.4f}")
    print(f"                  at the threshold best on the training folds {cv['at_train_threshold']:.4f}")
    print(f"                  at the best threshold of each test fold {cv['at_best_threshold']:.4f} (optimistic)")
    print(f"                  pooled out-of-fold scores, best threshold {cv['pooled_at_best_threshold']:.4f}")
    print(f"                  log loss {cv['log_loss']:.4f}")
    print(f"  plain cosine:   at the threshold best on the training folds {cv['cosine_at_train_threshold']:.4f}")
    print(f"                  at the best threshold of each test fold {cv['cosine_at_best_threshold']:.4f}")
    print(f"                  pooled, best threshold {cv['pooled_cosine_at_best_threshold']:.4f}")
    chinese = fit_chinese(args.chinese)
    if args.dry_run:
        return

    model = Model(x, y)
    train_accuracy = accuracy(model.predict(x), y, 0.5)
    document = {
        "format": MODEL_FORMAT,
        "kind": "similar",
        "description": "Logistic regression over the cosines of the pair encoder, MiniLM and all-mpnet-base-v2; "
        "see search/pairs.py. "
        "The IDF table is for full-text search.",
        "embedding_model": MODEL_NAME,
        "embedding_version": MODEL_VERSION,
        "trained_on": {"file": args.pairs.name, "pairs": len(rows), "l2": L2},
        "cross_validation": cv,
        "features": list(FEATURE_NAMES),
        "means": significant(model.means),
        "scales": significant(model.scales),
        "weights": significant(model.weights),
        "bias": float(f"{model.bias:.6g}"),
        "idf": idf.to_json(),
        "chinese": chinese,
    }
    args.output.write_text(json.dumps(document, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"final model: training accuracy at 0.5 {train_accuracy:.4f} (in-sample)")
    weights = dict(zip(FEATURE_NAMES, model.weights, strict=True))
    print("  standardised weights: " + ", ".join(f"{k} {w:+.2f}" for k, w in weights.items()))
    print(f"wrote {args.output} ({args.output.stat().st_size / 1024:.0f} KB, {len(idf.idf)} IDF terms)")


if __name__ == "__main__":
    main()
