"""Quality and speed of the triage checks: red flags (triage.redflags) and personal data (triage.scrub).

Prints red-flag recall and precision (and recall per kind), personal-data recall and precision
per kind (span level: a predicted span is right when it overlaps a gold span of the same kind;
exact-match recall alongside), and p50/p95 time per text of detect + scrub.

Usage: .venv/bin/python bench/triage_quality.py [--redflags FILE] [--pii FILE] [--errors] [--repeat 20]
Any JSONL file in the test-set format can be passed, e.g. a held-out set.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from triage.redflags import KINDS, detect  # noqa: E402  (needs the path above)
from triage.scrub import PLACEHOLDERS, find, scrub  # noqa: E402

DATA = ROOT / "triage" / "tests" / "data"


def load(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def ratio(part: int, whole: int) -> str:
    return f"{part / whole:.3f}" if whole else "  -  "


def is_chinese(text: str) -> bool:
    return re.search(r"[\u4e00-\u9fff]", text) is not None


def redflag_report(items: list[dict[str, Any]], show_errors: bool) -> None:
    tp = fp = fn = tn = 0
    by_language: Counter[tuple[str, str]] = Counter()
    kind_total: Counter[str] = Counter()
    kind_found: Counter[str] = Counter()
    for item in items:
        flags = detect(item["text"])
        predicted = bool(flags)
        language = "zh" if is_chinese(item["text"]) else "en"
        outcome = ("tp" if item["urgent"] else "fp") if predicted else ("fn" if item["urgent"] else "tn")
        by_language[language, outcome] += 1
        tp += outcome == "tp"
        fp += outcome == "fp"
        fn += outcome == "fn"
        tn += outcome == "tn"
        found_kinds = {flag.kind for flag in flags}
        for kind in item.get("kinds", []):
            kind_total[kind] += 1
            kind_found[kind] += kind in found_kinds
        if show_errors and outcome in ("fp", "fn"):
            detail = [(flag.kind, flag.evidence) for flag in flags] or item.get("kinds")
            print(f"  {outcome.upper()} {detail}: {item['text'][:110]!r}")
    urgent = tp + fn
    print(f"Red flags: {len(items)} texts, {urgent} urgent, {sum(is_chinese(i['text']) for i in items)} in Chinese")
    print(f"  recall    {ratio(tp, tp + fn)}   ({tp}/{tp + fn})")
    print(f"  precision {ratio(tp, tp + fp)}   ({tp}/{tp + fp})")
    print(f"  false positives {fp}, false negatives {fn}, true negatives {tn}")
    for language in ("en", "zh"):
        ltp, lfp, lfn = (by_language[language, o] for o in ("tp", "fp", "fn"))
        print(f"  {language}: recall {ratio(ltp, ltp + lfn)}  precision {ratio(ltp, ltp + lfp)}")
    print("  recall per kind (the gold kind among the flags raised):")
    for kind in KINDS:
        hit, total = kind_found[kind], kind_total[kind]
        if total:
            print(f"    {kind:14s} {ratio(hit, total)}   ({hit}/{total})")


def pii_report(items: list[dict[str, Any]], show_errors: bool) -> None:
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    exact: Counter[str] = Counter()
    gold_total: Counter[str] = Counter()
    for item in items:
        text = item["text"]
        gold = [(s["kind"], s["start"], s["end"]) for s in item["spans"]]
        predicted = [(s.kind, s.start, s.end) for s in find(text)]
        for kind, start, end in predicted:
            if any(kind == k and start < e and s < end for k, s, e in gold):
                tp[kind] += 1
            else:
                fp[kind] += 1
                if show_errors:
                    print(f"  FP {kind} {text[start:end]!r}: {text[:90]!r}")
        for kind, start, end in gold:
            gold_total[kind] += 1
            if (kind, start, end) in predicted:
                exact[kind] += 1
            if not any(kind == k and s < end and start < e for k, s, e in predicted):
                fn[kind] += 1
                if show_errors:
                    print(f"  FN {kind} {text[start:end]!r}: {text[:90]!r}")
    chinese = sum(is_chinese(i["text"]) for i in items)
    empty = sum(1 for i in items if not i["spans"])
    spans = sum(gold_total.values())
    print(f"Personal data: {len(items)} texts ({chinese} in Chinese, {empty} without personal data), {spans} spans")
    print(f"  {'kind':14s} {'recall':>7s} {'precision':>9s} {'exact':>7s}   spans")
    for kind in [*PLACEHOLDERS, "all"]:
        if kind == "all":
            t, p, n, x, g = (sum(c.values()) for c in (tp, fp, fn, exact, gold_total))
        else:
            t, p, n, x, g = tp[kind], fp[kind], fn[kind], exact[kind], gold_total[kind]
        print(f"  {kind:14s} {ratio(t, t + n):>7s} {ratio(t, t + p):>9s} {ratio(x, g):>7s}   {g}")


def timing_report(texts: list[str], repeat: int) -> None:
    for text in texts:  # warm up caches and lazy compilation
        detect(text)
        scrub(text)
    per_text = []
    for text in texts:
        runs = []
        for _ in range(repeat):
            start = time.perf_counter()
            detect(text)
            scrub(text)
            runs.append(time.perf_counter() - start)
        per_text.append(min(runs) * 1000)  # the least disturbed run: the cost of the code itself
    per_text.sort()
    p95 = per_text[int(0.95 * (len(per_text) - 1))]
    print(f"Time per text, detect + scrub ({len(texts)} texts, best of {repeat} runs each):")
    print(f"  p50 {statistics.median(per_text):.2f} ms   p95 {p95:.2f} ms   max {per_text[-1]:.2f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--redflags", type=Path, default=DATA / "redflags.jsonl")
    parser.add_argument("--pii", type=Path, default=DATA / "pii.jsonl")
    parser.add_argument("--errors", action="store_true", help="list every miss and false alarm")
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()

    redflags = load(args.redflags)
    pii = load(args.pii)
    redflag_report(redflags, args.errors)
    print()
    pii_report(pii, args.errors)
    print()
    timing_report([item["text"] for item in redflags + pii], args.repeat)


if __name__ == "__main__":
    main()
