"""Train the consumer-question-to-FAQ scorer (search/pairs.py, kind "faq") and write search/faq_model.json.

Data, all from ../shared/data (nothing of it lands in the repository):
- rqe_dev.jsonl: labelled (consumer question, FAQ question) pairs. Its "amia2016_train" part is clinicians'
  questions against their own short forms (plain cosine solves it); its "amia2016_test" part (302 pairs)
  is real consumer questions, long and messy, like the held-out set. We call that part "real".
- medquad.jsonl.gz: FAQ questions with their focus and question type, from which we build synthetic hard
  pairs: a consumer-style question about focus F asking for answer type T (story sentences from
  qa_seed_en.jsonl around it, dropped words, typos) against an FAQ on (F, T) (positive), on F with another
  type (negative) and on another focus with type T (negative).
- rqe_dev's clinician questions made messier the same way ("augmented").

Figures printed (grouped by consumer question, so one question's pairs never straddle train and test):
1. plain rqe_dev, 10-fold CV, every part of the training data used in the training folds;
2. "real" part alone, 10-fold CV where the training folds also hold all the other data;
3. "real" part scored by a model that never saw any of it (trained on everything else);
4. a held-out synthetic set built with another random seed (other stories, other focuses), and the
   augmented rqe pairs, scored by a model trained without them.
Then it fits on everything and writes the model.

Usage: .venv/bin/python bench/train_faq_scorer.py [--synthetic 500] [--augmented 300] [--embeddings-cache FILE.npz]
       [--output search/faq_model.json] [--dry-run]
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import re
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from train_pair_scorer import accuracy, best_threshold, fit, folds_of, log_loss, significant  # noqa: E402

from search.embeddings import MODEL_NAME, MODEL_VERSION, embed  # noqa: E402
from search.pairs import (  # noqa: E402
    FAQ_FEATURE_NAMES,
    FAQ_LEXICAL_FEATURES,
    FAQ_MODEL_FORMAT,
    FAQ_MODEL_PATH,
    FaqScorer,
    TermWeights,
    sentences,
)

DATA = ROOT.parent / "shared" / "data"
L2 = 1e-3

Pair = dict[str, Any]

# medquad's question types folded into the answer types of search/pairs.py.
MEDQUAD_TYPE = {
    "information": "information",
    "symptoms": "symptoms",
    "causes": "causes",
    "treatment": "treatment",
    "considerations": "treatment",
    "exams and tests": "diagnosis",
    "prevention": "prevention",
    "outlook": "outlook",
    "stages": "outlook",
    "inheritance": "genetics",
    "genetic changes": "genetics",
    "frequency": "frequency",
    "susceptibility": "frequency",
    "research": "research",
    "complications": "complications",
}
# Our own wordings: how FAQ pages title each answer type, and how consumers ask for it.
FAQ_WORDING = {
    "information": ["What is {f}?", "What is {f} and what does it mean for me?", "Do you have information about {f}?"],
    "symptoms": ["What are the symptoms of {f}?", "What are the signs of {f}?", "How do I know if I have {f}?"],
    "causes": ["What causes {f}?", "Why do people get {f}?", "What are the causes of {f}?"],
    "treatment": [
        "How is {f} treated?",
        "Is there a cure for {f}?",
        "How to get rid of {f}?",
        "What can I do to feel better with {f}?",
        "What medicines treat {f}?",
    ],
    "diagnosis": ["How is {f} diagnosed?", "What tests are used to find {f}?"],
    "prevention": ["Can {f} be prevented?", "How can I lower my risk of {f}?"],
    "outlook": ["What is the prognosis for {f}?", "Will {f} get better with time?", "What are the stages of {f}?"],
    "genetics": ["Is {f} inherited?", "Does {f} run in families?"],
    "frequency": ["Who is at risk for {f}?", "Who gets {f}?", "How common is {f}?"],
    "research": ["What are researchers learning about {f}?", "Are there clinical trials for {f}?"],
    "complications": ["What are the complications of {f}?", "What problems can {f} cause?"],
}
CONSUMER_WORDING = {
    "information": [
        "I want more information on {f}.",
        "Please send me information about {f}",
        "can you tell me about {f}",
        "what exactly is {f}? my doctor mentioned it",
        "I would like to learn more about {f}, thanks",
    ],
    "symptoms": [
        "what are the signs of {f}?",
        "how would I know if I have {f}",
        "is this a symptom of {f}?",
        "could these be signs of {f}",
    ],
    "causes": ["what causes {f}?", "why did I get {f}", "what could be the reason for my {f}", "how do you get {f}?"],
    "treatment": [
        "is there any treatment for {f}?",
        "how can i cure {f}",
        "what medicine should I take for {f}",
        "how do I get rid of {f}?",
        "what can be done for {f}",
        "what are my options for {f}?",
    ],
    "diagnosis": ["what test can tell if I have {f}?", "how do doctors diagnose {f}", "can a blood test show {f}?"],
    "prevention": ["how can I prevent {f}?", "can {f} be prevented?", "how do I avoid getting {f} again"],
    "outlook": ["what is the life expectancy with {f}?", "will my {f} go away?", "will {f} get worse over time?"],
    "genetics": ["is {f} hereditary?", "will my children inherit {f}?", "is {f} genetic", "can I pass {f} to my kids"],
    "frequency": ["how common is {f}?", "who is at risk of {f}", "am I at risk for {f}?"],
    "research": ["is there any new research on {f}?", "are there clinical trials for {f} I can join?"],
    "complications": ["what complications can {f} lead to?", "can {f} cause other problems?"],
}
OPENINGS = ["Hi.", "Hello doctor,", "Dear sir,", "Please help.", "Thank you.", "Hello, my name is NAME.", "", "", ""]


def load_jsonl(path: Path) -> list[dict]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


class Messer:
    """Makes a clean question look like a consumer's: story sentences around it, dropped words, typos."""

    def __init__(self, stories: list[str], rng: random.Random) -> None:
        self.stories = stories
        self.rng = rng

    def typo(self, word: str) -> str:
        if len(word) < 5:
            return word
        i, kind = self.rng.randrange(1, len(word) - 1), self.rng.random()
        if kind < 0.4:
            return word[:i] + word[i + 1 :]
        if kind < 0.7:
            return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
        return word[:i] + word[i] + word[i:]

    def noise(self, text: str, keep: str) -> str:
        rng = self.rng
        tokens = text.split()
        if rng.random() < 0.5:
            tokens = [self.typo(w) if rng.random() < 0.12 else w for w in tokens]
        if rng.random() < 0.3:
            tokens = [w for w in tokens if rng.random() > 0.1 or w.lower() in keep.lower()]
        out = " ".join(tokens)
        if rng.random() < 0.3:
            out = out.lower()
        elif rng.random() < 0.05:
            out = out.upper()
        return out

    def around(self, ask: str, subject: str = "") -> str:
        rng = self.rng
        parts = [subject + "." if subject and rng.random() < 0.4 else "", rng.choice(OPENINGS)]
        parts += [rng.choice(self.stories) for _ in range(rng.choice([0, 1, 1, 2, 3]))]
        parts.insert(rng.randint(1, len(parts)), ask) if rng.random() < 0.4 else parts.append(ask)
        if rng.random() < 0.3:
            parts.append(rng.choice(self.stories))
        return " ".join(p for p in parts if p)


def story_sentences(seed_questions: list[str]) -> list[str]:
    """Statements (not questions) from real patient questions: the personal story around an ask."""
    return [
        s.strip()
        for q in seed_questions
        for s in re.split(r"(?<=[.!])\s+", q)
        if 4 <= len(s.split()) <= 25 and "?" not in s
    ]


def synthetic_pairs(medquad: list[dict], stories: list[str], count: int, seed: int) -> list[Pair]:
    rng = random.Random(seed)
    messer = Messer(stories, rng)
    by_focus: dict[str, dict[str, list[str]]] = {}
    for row in medquad:
        focus, kind = row["focus"].strip(), MEDQUAD_TYPE.get(row["question_type"])
        if kind and len(focus) <= 50 and "What I need to know" not in focus:
            by_focus.setdefault(focus, {}).setdefault(kind, []).append(row["question"])
    focuses = sorted(f for f, kinds in by_focus.items() if len(kinds) >= 3)
    rng.shuffle(focuses)
    # Seeds split the focuses, so a held-out synthetic set never asks about a focus seen in training.
    focuses = focuses[: len(focuses) // 2] if seed % 2 == 0 else focuses[len(focuses) // 2 :]
    by_word: dict[str, list[str]] = {}
    for focus in focuses:
        for word in focus.lower().split():
            if len(word) > 3:
                by_word.setdefault(word, []).append(focus)

    def faq(focus: str, kind: str) -> str:
        if rng.random() < 0.4 and kind in by_focus[focus]:
            return rng.choice(by_focus[focus][kind])
        return rng.choice(FAQ_WORDING[kind]).format(f=focus)

    pairs: list[Pair] = []
    for n in range(count):
        focus = rng.choice(focuses)
        kind = rng.choice(sorted(by_focus[focus]) if rng.random() < 0.7 else sorted(FAQ_WORDING))
        name = focus if rng.random() < 0.7 else focus.lower()
        consumer = messer.noise(messer.around(rng.choice(CONSUMER_WORDING[kind]).format(f=name), focus), focus)
        group = f"synthetic-{seed}-{n}"
        other_kind = rng.choice([k for k in FAQ_WORDING if k != kind])
        # Half the other-focus negatives share a word with the focus ("ataxia"), the hard kind.
        near = [f for w in focus.lower().split() if len(w) > 3 for f in by_word.get(w, []) if f != focus]
        other_focus = rng.choice(near) if near and rng.random() < 0.5 else rng.choice(focuses)
        pairs += [
            {"question_1": consumer, "question_2": faq(focus, kind), "label": 1, "group": group},
            {"question_1": consumer, "question_2": faq(focus, other_kind), "label": 0, "group": group},
            {"question_1": consumer, "question_2": faq(other_focus, kind), "label": 0, "group": group},
        ]
    return pairs


def augmented_pairs(rows: list[dict], stories: list[str], count: int, seed: int) -> list[Pair]:
    """rqe_dev's clinician pairs with the consumer side made messy (same labels)."""
    rng = random.Random(seed)
    messer = Messer(stories, rng)
    by_question: dict[str, list[dict]] = {}
    for row in rows:
        if row["split"] == "amia2016_train":
            by_question.setdefault(row["question_1"], []).append(row)
    chosen = rng.sample(sorted(by_question), min(count, len(by_question)))
    pairs: list[Pair] = []
    for question in chosen:
        messy = messer.noise(messer.around(question), "")
        for row in by_question[question]:
            pairs.append(
                {"question_1": messy, "question_2": row["question_2"], "label": row["label"], "group": question}
            )
    return pairs


class Embeddings:
    """Unit vectors of texts, kept in an optional .npz between runs (the sets take minutes to embed)."""

    def __init__(self, cache: Path | None) -> None:
        self.cache = cache
        self.known: dict[str, np.ndarray] = {}
        if cache and cache.exists():
            stored = np.load(cache, allow_pickle=False)
            self.known = dict(zip(stored["texts"].tolist(), stored["vectors"], strict=True))

    def ensure(self, texts: Sequence[str]) -> None:
        missing = [t for t in dict.fromkeys(texts) if t not in self.known]
        if not missing:
            return
        start = time.perf_counter()
        self.known.update(zip(missing, embed(missing), strict=True))
        print(f"embedded {len(missing)} texts in {time.perf_counter() - start:.0f} s", flush=True)
        if self.cache:
            texts_all = list(self.known)
            np.savez(self.cache, texts=np.array(texts_all), vectors=np.stack([self.known[t] for t in texts_all]))


def features(scorer: FaqScorer, pairs: list[Pair], vectors: Embeddings) -> np.ndarray:
    texts = [t for p in pairs for t in (str(p["question_1"]), str(p["question_2"]), *sentences(str(p["question_1"])))]
    vectors.ensure(texts)
    return scorer.features([(str(p["question_1"]), str(p["question_2"])) for p in pairs], vectors.known)


class Model:
    """Standardised, L2-regularised logistic regression; classes weighted to count equally."""

    def __init__(self, x: np.ndarray, y: np.ndarray) -> None:
        self.means = x.mean(axis=0)
        self.scales = x.std(axis=0) + 1e-6
        z = (x - self.means) / self.scales
        # Equal class weight by duplication-free resampling: repeat the minority class's rows.
        positives, negatives = np.flatnonzero(y == 1), np.flatnonzero(y == 0)
        minority, majority = sorted([positives, negatives], key=len)
        extra = np.resize(minority, len(majority) - len(minority)) if len(minority) else minority
        rows = np.concatenate([np.arange(len(y)), extra])
        self.weights, self.bias = fit(z[rows], y[rows], np.full(x.shape[1], L2))

    def predict(self, x: np.ndarray) -> np.ndarray:
        logits = ((x - self.means) / self.scales) @ self.weights + self.bias
        return 1.0 / (1.0 + np.exp(-np.clip(logits, -30, 30)))


def report(name: str, p: np.ndarray, y: np.ndarray, cosine: np.ndarray) -> dict[str, float]:
    figures = {
        "at_0.5": round(accuracy(p, y, 0.5), 4),
        "best_threshold": round(best_threshold(p, y)[0], 4),
        "cosine_best_threshold": round(best_threshold(cosine, y)[0], 4),
        "log_loss": round(log_loss(p, y), 4),
        "pairs": len(y),
    }
    print(
        f"  {name:<44} acc@0.5 {figures['at_0.5']:.4f}  best-threshold {figures['best_threshold']:.4f}  "
        f"(plain cosine best-threshold {figures['cosine_best_threshold']:.4f}, {len(y)} pairs)",
        flush=True,
    )
    return figures


def grouped_cv(x: np.ndarray, y: np.ndarray, groups: list[str], evaluated: np.ndarray, k: int = 10) -> np.ndarray:
    """Out-of-fold scores of the `evaluated` rows. Other rows train every fold, except those sharing a
    group with the test fold (an augmented copy of a test question must not be trained on)."""
    folds = folds_of([g for g, e in zip(groups, evaluated, strict=True) if e], k, seed=0)
    fold_of = dict(zip([g for g, e in zip(groups, evaluated, strict=True) if e], folds, strict=True))
    fold = np.array([fold_of.get(g, -1) for g in groups])
    out = np.zeros(len(y))
    for f in range(k):
        train, test = fold != f, (fold == f) & evaluated
        out[test] = Model(x[train], y[train]).predict(x[test])
    return out[evaluated]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--synthetic", type=int, default=500, help="synthetic consumer questions (3 pairs each)")
    parser.add_argument("--augmented", type=int, default=300, help="rqe clinician questions made messy")
    parser.add_argument("--embeddings-cache", type=Path, help="an .npz to keep embeddings between runs")
    parser.add_argument("--output", type=Path, default=FAQ_MODEL_PATH)
    parser.add_argument("--dry-run", action="store_true", help="print the figures, write nothing")
    args = parser.parse_args()
    for name in ("rqe_dev.jsonl", "medquad.jsonl.gz", "qa_seed_en.jsonl"):
        if not (DATA / name).exists():
            sys.exit(f"{DATA / name} not found: this script trains on ../shared/data")

    rqe = load_jsonl(DATA / "rqe_dev.jsonl")
    medquad = load_jsonl(DATA / "medquad.jsonl.gz")
    seed_questions = [row["question"] for row in load_jsonl(DATA / "qa_seed_en.jsonl")]
    stories = story_sentences(seed_questions)
    # IDF from unlabelled questions only: patient questions and FAQ questions.
    idf = TermWeights.from_documents(seed_questions + [row["question"] for row in medquad])
    scorer = FaqScorer.__new__(FaqScorer)
    scorer.idf = idf
    vectors = Embeddings(args.embeddings_cache)

    sets: dict[str, list[Pair]] = {
        "rqe": [{**r, "group": r["question_1"]} for r in rqe],
        "synthetic": synthetic_pairs(medquad, stories, args.synthetic, seed=0),
        "augmented": augmented_pairs(rqe, stories, args.augmented, seed=0),
        "synthetic_heldout": synthetic_pairs(medquad, stories, args.synthetic // 2, seed=1),
        "augmented_heldout": augmented_pairs(rqe, stories, args.augmented // 2, seed=1),
    }
    x = {name: features(scorer, pairs, vectors) for name, pairs in sets.items()}
    y = {name: np.array([float(p["label"]) for p in pairs]) for name, pairs in sets.items()}
    g = {name: [str(p["group"]) for p in pairs] for name, pairs in sets.items()}
    real = np.array([r["split"] == "amia2016_test" for r in rqe])
    cos = {name: m[:, 0] for name, m in x.items()}

    train_names = ("rqe", "synthetic", "augmented")
    x_all = np.vstack([x[n] for n in train_names])
    y_all = np.concatenate([y[n] for n in train_names])
    g_all = [grp for n in train_names for grp in g[n]]
    is_rqe = np.concatenate([np.full(len(y[n]), n == "rqe") for n in train_names])
    is_real = np.concatenate([real if n == "rqe" else np.zeros(len(y[n]), bool) for n in train_names])

    print("accuracy (consumer question, FAQ question):")
    figures = {}
    p = grouped_cv(x_all, y_all, g_all, is_rqe)
    figures["rqe_dev_cv"] = report("1. plain rqe_dev, 10-fold grouped CV", p, y["rqe"], cos["rqe"])
    # Without its random-FAQ negatives (part3) the real part is closer to the held-out set's difficulty.
    same_topic = np.array([r["pair_type"] != "part3" for r in rqe])[real]
    p = grouped_cv(x_all, y_all, g_all, is_real)
    figures["real_cv"] = report("2. real consumer part, 10-fold grouped CV", p, y["rqe"][real], cos["rqe"][real])
    figures["real_cv_same_topic"] = report(
        "   the same, without random-FAQ negatives",
        p[same_topic],
        y["rqe"][real][same_topic],
        cos["rqe"][real][same_topic],
    )
    model = Model(x_all[~is_real], y_all[~is_real])
    p = model.predict(x["rqe"][real])
    figures["real_unseen"] = report("3. real consumer part, never trained on", p, y["rqe"][real], cos["rqe"][real])
    figures["real_unseen_same_topic"] = report(
        "   the same, without random-FAQ negatives",
        p[same_topic],
        y["rqe"][real][same_topic],
        cos["rqe"][real][same_topic],
    )
    model = Model(x_all, y_all)
    for name in ("synthetic_heldout", "augmented_heldout"):
        figures[name] = report(f"4. {name}", model.predict(x[name]), y[name], cos[name])
    if args.dry_run:
        return

    document = {
        "format": FAQ_MODEL_FORMAT,
        "kind": "faq",
        "description": "Logistic regression over (consumer question, FAQ question) features; see search/pairs.py.",
        "embedding_model": MODEL_NAME,
        "embedding_version": MODEL_VERSION,
        "trained_on": {name: len(sets[name]) for name in train_names} | {"l2": L2},
        "evaluation": figures,
        "features": list(FAQ_FEATURE_NAMES),
        "means": significant(model.means),
        "scales": significant(model.scales),
        "weights": significant(model.weights),
        "bias": float(f"{model.bias:.6g}"),
        "idf": idf.to_json(),
    }
    args.output.write_text(json.dumps(document, separators=(",", ":")) + "\n", encoding="utf-8")
    named = dict(zip(FAQ_LEXICAL_FEATURES, model.weights, strict=False))
    print("standardised weights: " + ", ".join(f"{k} {w:+.2f}" for k, w in named.items()))
    print(f"wrote {args.output} ({args.output.stat().st_size / 1024:.0f} KB, {len(idf.idf)} IDF terms)")


if __name__ == "__main__":
    main()
