"""Train the red-flag second opinion (triage/redflag_model.py) and write triage/redflag_model.json.

Positives and hard negatives come from the two red-flag sets the rules were tuned on
(triage/tests/data/redflags.jsonl and redflags_extra.jsonl). Every text in them is about an
emergency or near one, so a model trained on them alone learns "sounds medical = urgent" and flags
about half of ordinary patient questions. So ordinary questions are added as negatives: a fixed
sample of real patient questions from ../shared/data (qa_seed_en.jsonl, icliniq_specialty_dev.jsonl,
toyhom_internal_medicine_zh.jsonl.gz; every other one by its title alone, as short questions are
where the model errs most), minus any the rules flag. They shape the weights only: the n-gram
vocabulary comes from the project's own red-flag sets, so none of their text is stored.

Prints stratified k-fold cross-validation figures first: the L2 penalties are chosen inside each
training part (nested), so a test fold never tunes anything. The out-of-fold probabilities then
choose the threshold: the lowest one at which "a rule fires OR the model says yes" keeps a precision
of at least 0.9 on the red-flag sets, counted both as they are and as if half the texts were urgent
(they are about 60% urgent, held-out sets about half, and precision falls with prevalence), and at
which the model adds a flag to at most 3% of the ordinary questions. The rules score 1.0 on the
red-flag sets, so the precision only counts the model's extra false alarms. Texts too short for the
model (redflag_model.MIN_WORDS) count as a "no" from it, as in detect(). Finally the model is fitted
on all texts and written with that threshold.

--evaluate FILE prints rules alone against rules + model on another set (e.g. a fresh, held-out
one); it is only reported, never used to choose anything. --no-ordinary trains on the red-flag sets
alone, for comparison; it writes nothing.

Usage: .venv/bin/python bench/train_redflag_model.py [--folds 10] [--embeddings-cache FILE.npz]
       [--evaluate FILE.jsonl] [--shared-data DIR] [--no-ordinary] [--output triage/redflag_model.json]
       [--dry-run]
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import re
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from search.embeddings import embed  # noqa: E402
from triage.redflag_model import (  # noqa: E402
    DIMENSIONS,
    MODEL_PATH,
    RedFlagModel,
    embedding_name,
    features,
    long_enough,
    ngrams,
)
from triage.redflags import _normalise, detect  # noqa: E402

DATA = ROOT / "triage" / "tests" / "data"
SHARED_DATA = ROOT.parent / "shared" / "data"
TRAINING_SETS = ("redflags.jsonl", "redflags_extra.jsonl")
ORDINARY_PER_SOURCE = 300
# The plateau of a wider search (1e-4..3e-3 and 1e-5..1e-2); each extra pair costs a fit per fold.
EMBEDDING_L2_GRID = (1e-4, 3e-4)
NGRAM_L2_GRID = (3e-5, 1e-4)
BIAS_L2 = 1e-4  # a token penalty keeps the Woodbury solve below well defined
MIN_DOCUMENT_FREQUENCY = 2
MAX_NGRAMS = 4096
INNER_FOLDS = 3
TARGET_PRECISION = 0.9
ORDINARY_ALARM_BUDGET = 0.03
THRESHOLDS = np.round(np.arange(0.05, 0.951, 0.01), 2)


def load(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def ordinary_questions(directory: Path) -> list[str]:
    """A fixed sample of real patient questions, minus those the rules flag (some are emergencies)."""
    rng = random.Random(0)
    seed = load(directory / "qa_seed_en.jsonl")
    with gzip.open(directory / "toyhom_internal_medicine_zh.jsonl.gz", "rt", encoding="utf-8") as handle:
        chinese = [json.loads(line) for line in handle if line.strip()]
    texts = [r["question"] for r in load(directory / "icliniq_specialty_dev.jsonl")][:ORDINARY_PER_SOURCE]
    for rows in (seed, chinese):
        # Every other one by its title alone: short questions are where the model errs most.
        for i, r in enumerate(rng.sample(rows, ORDINARY_PER_SOURCE)):
            texts.append(r["title"] if i % 2 else f"{r['title']}\n{r['question']}")
    return [t for t in texts if not detect(t, use_model=False)]


def is_chinese(text: str) -> bool:
    return re.search(r"[\u4e00-\u9fff]", text) is not None


def embeddings(texts: list[str], cache: Path | None) -> np.ndarray:
    known: dict[str, np.ndarray] = {}
    if cache and cache.exists():
        stored = np.load(cache, allow_pickle=False)
        known = dict(zip(stored["texts"].tolist(), stored["vectors"], strict=True))
    missing = [t for t in dict.fromkeys(texts) if t not in known]
    if missing:
        start = time.perf_counter()
        known.update(zip(missing, embed(missing), strict=True))
        print(f"embedded {len(missing)} texts in {time.perf_counter() - start:.1f} s")
        if cache:
            np.savez(cache, texts=np.array(list(known)), vectors=np.stack(list(known.values())))
    return np.stack([known[t] for t in texts])


def vocabulary_of(normalised: list[str]) -> dict[str, int]:
    frequency = Counter(gram for text in normalised for gram in ngrams(text))
    kept = [g for g in frequency if frequency[g] >= MIN_DOCUMENT_FREQUENCY]
    kept = sorted(kept, key=lambda g: (-frequency[g], g))[:MAX_NGRAMS]
    return {gram: i for i, gram in enumerate(sorted(kept))}


def sigmoid(z: np.ndarray) -> np.ndarray:
    return np.asarray(1.0 / (1.0 + np.exp(-np.clip(z, -30, 30))))


def log_loss(p: np.ndarray, y: np.ndarray) -> float:
    p = np.clip(p, 1e-7, 1 - 1e-7)
    return float(-(y * np.log(p) + (1 - y) * np.log(1 - p)).mean())


class Design:
    """Features of one set of texts, with the Gram matrices that make each L2 setting cheap to fit.

    With far more features than texts, Newton's method is solved through the texts (Woodbury), so a
    step costs a solve of size n, and the Gram matrix of each feature block is computed only once.
    """

    def __init__(self, x: np.ndarray) -> None:
        self.x = np.hstack([x, np.ones((len(x), 1))]).astype(np.float64)
        emb, grams = self.x[:, :DIMENSIONS], self.x[:, DIMENSIONS:-1]
        self.gram_embedding = emb @ emb.T
        self.gram_ngrams = grams @ grams.T

    def fit(self, y: np.ndarray, embedding_l2: float, ngram_l2: float, iterations: int = 60) -> np.ndarray:
        """Weights (bias last) minimising mean log loss + 0.5 * sum(l2 * w**2)."""
        x, n = self.x, len(y)
        penalty = np.full(x.shape[1], ngram_l2)
        penalty[:DIMENSIONS], penalty[-1] = embedding_l2, BIAS_L2
        inverse = 1.0 / penalty
        gram = self.gram_embedding / embedding_l2 + self.gram_ngrams / ngram_l2 + 1.0 / BIAS_L2

        def objective(w: np.ndarray) -> float:
            return log_loss(sigmoid(x @ w), y) + 0.5 * float((penalty * w * w).sum())

        w = np.zeros(x.shape[1])
        current = objective(w)
        for _ in range(iterations):
            p = sigmoid(x @ w)
            gradient = x.T @ (p - y) / n + penalty * w
            s = np.sqrt(p * (1 - p) / n)
            u = inverse * gradient
            k = np.eye(n) + s[:, None] * gram * s[None, :]
            step = u - inverse * (x.T @ (s * np.linalg.solve(k, s * (x @ u))))
            # Newton may overshoot far from the optimum: halve the step until the loss falls.
            scale, candidate = 1.0, objective(w - step)
            while candidate > current and scale > 1e-3:
                scale /= 2
                candidate = objective(w - scale * step)
            w -= scale * step
            improvement, current = current - candidate, candidate
            if improvement < 1e-10 or np.abs(scale * step).max() < 1e-7:
                break
        return w


def stratified_folds(y: np.ndarray, k: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    folds = np.empty(len(y), dtype=int)
    for label in (0, 1):
        members = np.flatnonzero(y == label)
        rng.shuffle(members)
        folds[members] = np.arange(len(members)) % k
    return folds


def choose_l2(x: np.ndarray, y: np.ndarray, seed: int) -> tuple[float, float]:
    """The (embedding, n-gram) L2 pair with the lowest inner-CV log loss on these texts only."""
    inner = stratified_folds(y, INNER_FOLDS, seed)
    grid = [(e, g) for e in EMBEDDING_L2_GRID for g in NGRAM_L2_GRID]
    out = np.zeros((len(grid), len(y)))
    for f in range(INNER_FOLDS):
        train, test = inner != f, inner == f
        design = Design(x[train])
        test_x = np.hstack([x[test], np.ones((test.sum(), 1))])
        for i, (e, g) in enumerate(grid):
            out[i, test] = sigmoid(test_x @ design.fit(y[train], e, g))
    losses = [log_loss(row, y) for row in out]
    return grid[int(np.argmin(losses))]


def rounded(w: np.ndarray) -> np.ndarray:
    """Weights as they will be stored (float16), so CV scores what ships."""
    return np.append(w[:-1].astype(np.float16).astype(np.float64), w[-1])


def auc(scores: np.ndarray, y: np.ndarray) -> float:
    order = np.argsort(scores, kind="stable")
    ranks = np.empty(len(y))
    ranks[order] = np.arange(1, len(y) + 1)
    positives = y.sum()
    return float((ranks[y == 1].sum() - positives * (positives + 1) / 2) / (positives * (len(y) - positives)))


def rates(predicted: np.ndarray, y: np.ndarray) -> dict[str, float]:
    tp = float((predicted & y).sum())
    fp = float((predicted & ~y).sum())
    recall = tp / max(y.sum(), 1)
    false_alarm = fp / max((~y).sum(), 1)
    return {
        "recall": recall,
        "precision": tp / max(tp + fp, 1),
        "balanced_precision": recall / max(recall + false_alarm, 1e-12),  # as if half were urgent
        "false_alarms": fp,
    }


class Corpus:
    """The red-flag sets (labelled) followed by the ordinary questions (all negative)."""

    def __init__(self, items: list[dict[str, Any]], ordinary: list[str], cache: Path | None) -> None:
        self.texts = [item["text"] for item in items] + ordinary
        self.normalised = [_normalise(t) for t in self.texts]
        self.labelled = np.arange(len(self.texts)) < len(items)
        self.y = np.zeros(len(self.texts))
        self.y[: len(items)] = [1.0 if item["urgent"] else 0.0 for item in items]
        self.rules = np.array([bool(detect(t, use_model=False)) for t in self.texts[: len(items)]])
        self.vectors = embeddings(self.texts, cache)

    def features(self, train: np.ndarray) -> tuple[np.ndarray, dict[str, int]]:
        """Features of all texts, with the n-gram vocabulary of the labelled texts in `train` only."""
        vocabulary = vocabulary_of([self.normalised[i] for i in np.flatnonzero(train & self.labelled)])
        return features(self.normalised, self.vectors, vocabulary), vocabulary


def cross_validate(corpus: Corpus, k: int) -> tuple[np.ndarray, dict[str, Any]]:
    y, labelled = corpus.y, corpus.labelled
    folds = np.empty(len(y), dtype=int)
    folds[labelled] = stratified_folds(y[labelled], k, seed=0)
    folds[~labelled] = np.random.default_rng(0).permutation((~labelled).sum()) % k
    out = np.zeros(len(y))
    chosen = []
    for f in range(k):
        train, test = folds != f, folds == f
        x, _vocabulary = corpus.features(train)
        l2 = choose_l2(x[train], y[train], seed=f + 1)
        chosen.append(l2)
        w = rounded(Design(x[train]).fit(y[train], *l2))
        out[test] = sigmoid(np.hstack([x[test], np.ones((test.sum(), 1))]) @ w)
        part = test & labelled
        print(
            f"  fold {f + 1:2d}: l2 embedding {l2[0]:g}, n-grams {l2[1]:g}; red-flag sets: log loss "
            f"{log_loss(out[part], y[part]):.3f}, AUC {auc(out[part], y[part]):.3f}",
            flush=True,
        )
    p, labels = out[labelled], y[labelled]
    zh = np.array([is_chinese(t) for t in corpus.texts])[labelled]
    summary: dict[str, Any] = {"folds": k, "log_loss": round(log_loss(p, labels), 4), "auc": round(auc(p, labels), 4)}
    for name, part in (("en", ~zh), ("zh", zh)):
        summary[f"auc_{name}"] = round(auc(p[part], labels[part]), 4)
    summary["l2_chosen"] = [list(pair) for pair in chosen]
    return out, summary


def choose_threshold(
    p: np.ndarray, y: np.ndarray, rules: np.ndarray, ordinary: np.ndarray
) -> tuple[float, list[dict[str, Any]]]:
    """The threshold table over out-of-fold probabilities, and the lowest acceptable threshold."""
    table: list[dict[str, Any]] = []
    for t in THRESHOLDS:
        model = p >= t
        table.append(
            {
                "threshold": float(t),
                "model": rates(model, y),
                "combined": rates(rules | model, y),
                "ordinary_alarms": float((ordinary >= t).mean()) if len(ordinary) else 0.0,
            }
        )
    acceptable = [
        row
        for row in table
        if min(row["combined"]["precision"], row["combined"]["balanced_precision"]) >= TARGET_PRECISION
        and row["ordinary_alarms"] <= ORDINARY_ALARM_BUDGET
    ]
    best = min(acceptable, key=lambda row: row["threshold"]) if acceptable else table[-1]
    return best["threshold"], table


def evaluate(path: Path, model: RedFlagModel, cache: Path | None) -> None:
    items = load(path)
    texts = [item["text"] for item in items]
    y = np.array([bool(item["urgent"]) for item in items])
    rules = np.array([bool(detect(t, use_model=False)) for t in texts])
    p = model.probabilities([_normalise(t) for t in texts], embeddings(texts, cache))
    p[~np.array([long_enough(t) for t in texts])] = 0.0
    combined = rules | (p >= model.threshold)
    zh = np.array([is_chinese(t) for t in texts])
    print(f"\nHeld-out {path.name}: {len(items)} texts, {int(y.sum())} urgent, {int(zh.sum())} in Chinese")
    for name, predicted in (("rules alone", rules), ("rules + model", combined)):
        line = []
        for part_name, part in (("all", np.ones(len(y), bool)), ("en", ~zh), ("zh", zh)):
            r = rates(predicted[part], y[part])
            line.append(f"{part_name} recall {r['recall']:.3f} precision {r['precision']:.3f}")
        print(f"  {name:14s} " + " | ".join(line))
    for i in np.flatnonzero(combined != rules):
        label = "caught" if y[i] else "false alarm"
        print(f"  model {label} (p={p[i]:.2f}): {texts[i][:100]!r}")
    for i in np.flatnonzero(~combined & y):
        print(f"  still missed (p={p[i]:.2f}): {texts[i][:100]!r}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--folds", type=int, default=10)
    parser.add_argument("--embeddings-cache", type=Path, help="an .npz to keep embeddings between runs")
    parser.add_argument("--evaluate", type=Path, help="a held-out set to report on (never used for choices)")
    parser.add_argument("--shared-data", type=Path, default=SHARED_DATA, help="where the ordinary questions are")
    parser.add_argument("--no-ordinary", action="store_true", help="red-flag sets alone, for comparison")
    parser.add_argument("--output", type=Path, default=MODEL_PATH)
    parser.add_argument("--dry-run", action="store_true", help="print the figures, write nothing")
    args = parser.parse_args()

    items = [item for name in TRAINING_SETS for item in load(DATA / name)]
    if args.no_ordinary:
        ordinary: list[str] = []
        args.dry_run = True  # such a model flags about half of ordinary questions; never ship it
    elif not (args.shared_data / "qa_seed_en.jsonl").exists():
        sys.exit(f"{args.shared_data} has no ordinary patient questions; give --shared-data DIR")
    else:
        ordinary = ordinary_questions(args.shared_data)
    corpus = Corpus(items, ordinary, args.embeddings_cache)
    labelled = corpus.labelled
    y = corpus.y[labelled].astype(bool)
    rules = rates(corpus.rules, y)
    print(f"{len(items)} texts from {', '.join(TRAINING_SETS)}: {int(y.sum())} urgent")
    print(f"rules alone on them: recall {rules['recall']:.3f}, precision {rules['precision']:.3f}")
    print(f"{len(ordinary)} ordinary questions from {args.shared_data} as negatives (the rules flag none of them)")

    print(f"{args.folds}-fold cross-validation (L2 chosen by {INNER_FOLDS}-fold inner CV):")
    p, summary = cross_validate(corpus, args.folds)
    p = np.where([long_enough(t) for t in corpus.texts], p, 0.0)  # short texts are left to the rules
    threshold, table = choose_threshold(p[labelled], y, corpus.rules, p[~labelled])
    print(
        f"  red-flag sets pooled: log loss {summary['log_loss']}, AUC {summary['auc']}"
        f" (en {summary['auc_en']}, zh {summary['auc_zh']})"
    )
    print("  threshold  model: recall precision | rules OR model: precision at-50% false-alarms | ordinary flagged")
    for row in table:
        if round(row["threshold"] * 100) % 5 == 0 or row["threshold"] == threshold:
            m, c = row["model"], row["combined"]
            mark = "  <- chosen" if row["threshold"] == threshold else ""
            print(
                f"  {row['threshold']:.2f}       {m['recall']:.3f}  {m['precision']:.3f}    |"
                f" {c['precision']:.3f}  {c['balanced_precision']:.3f}  {int(c['false_alarms']):3d}"
                f"      | {row['ordinary_alarms']:.3f}{mark}"
            )
    chosen_row = next(row for row in table if row["threshold"] == threshold)

    everything = np.ones(len(corpus.y), dtype=bool)
    x, vocabulary = corpus.features(everything)
    l2 = choose_l2(x, corpus.y, seed=args.folds + 1)  # the same nested choice, on all texts
    w = rounded(Design(x).fit(corpus.y, *l2))
    model = RedFlagModel(
        weights=w[:-1].astype(np.float32),
        bias=float(w[-1]),
        vocabulary=vocabulary,
        threshold=threshold,
        embedding=embedding_name(),
        trained_on={
            "files": list(TRAINING_SETS),
            "texts": int(labelled.sum()),
            "urgent": int(y.sum()),
            "ordinary_negatives": len(ordinary),
            "l2": {"embedding": l2[0], "ngrams": l2[1]},
            "cross_validation": {
                **{key: value for key, value in summary.items() if key != "l2_chosen"},
                "model_at_threshold": {key: round(v, 4) for key, v in chosen_row["model"].items()},
                "combined_at_threshold": {key: round(v, 4) for key, v in chosen_row["combined"].items()},
                "ordinary_flagged_at_threshold": round(chosen_row["ordinary_alarms"], 4),
            },
            "threshold_rule": (
                f"lowest with rules-OR-model CV precision >= {TARGET_PRECISION} (raw and at 50% urgent) "
                f"and at most {ORDINARY_ALARM_BUDGET:.0%} of ordinary questions flagged"
            ),
        },
    )
    print(f"final fit on all texts: l2 embedding {l2[0]:g}, n-grams {l2[1]:g}; {len(vocabulary)} n-grams")
    print(f"threshold {threshold:.2f}")
    if args.evaluate:
        evaluate(args.evaluate, model, args.embeddings_cache)
    if args.dry_run:
        return
    args.output.write_text(
        json.dumps(model.to_dict(), ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8"
    )
    print(f"wrote {args.output} ({args.output.stat().st_size // 1024} KB)")


if __name__ == "__main__":
    main()
