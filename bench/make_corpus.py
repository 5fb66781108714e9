"""Build a benchmark archive of N published Q&As from the real text in ../shared/data/.

Output lines are shaped like qa_seed_en.jsonl (plus a `department` slug), ready for
`manage.py import_qa`. Departments follow the question counts of departments.json. Question texts
come from qa_seed_en, iCliniq, MQP, RQE, MedQuAD and the Chinese toyhom set; answers from qa_seed_en,
MedQuAD and toyhom. Once the distinct texts are used up, texts repeat under new ids (the report says
how many are distinct).

Usage: python bench/make_corpus.py 10000 /tmp/corpus-10k.jsonl [--data ../shared/data]
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import sys
from collections.abc import Iterator
from pathlib import Path

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def _lines(path: Path) -> Iterator[dict]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield json.loads(line)


def load_pools(data: Path) -> tuple[list[tuple[str, str]], list[str]]:
    """(title, question) pairs and answer texts, each distinct."""
    questions: dict[str, str] = {}
    answers: dict[str, None] = {}
    for row in _lines(data / "qa_seed_en.jsonl"):
        questions.setdefault(row["question"], row["title"])
        for answer in row["answers"]:
            if answer.get("text"):
                answers.setdefault(answer["text"], None)
    for row in _lines(data / "icliniq_specialty_dev.jsonl"):
        questions.setdefault(row["question"], row.get("title") or row["question"][:80])
    for name in ("mqp_dev.jsonl", "rqe_dev.jsonl"):
        for row in _lines(data / name):
            for key in ("question_1", "question_2"):
                questions.setdefault(row[key], row[key][:80])
    for row in _lines(data / "medquad.jsonl.gz"):
        questions.setdefault(row["question"], row["question"])
        answers.setdefault(row["answer"][:3000], None)
    for row in _lines(data / "toyhom_internal_medicine_zh.jsonl.gz"):
        questions.setdefault(row["question"], row["title"])
        answers.setdefault(row["answer"], None)
    return [(title, question) for question, title in questions.items()], list(answers)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("count", type=int)
    parser.add_argument("output", type=Path)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    if not (args.data / "departments.json").exists():
        sys.exit(f"{args.data} does not hold the shared data (departments.json missing)")

    rng = random.Random(args.seed)
    departments = json.loads((args.data / "departments.json").read_text(encoding="utf-8"))
    slugs = [d["slug"] for d in departments]
    weights = [d["ehospital_questions"] for d in departments]
    questions, answers = load_pools(args.data)
    rng.shuffle(questions)
    with args.output.open("w", encoding="utf-8") as out:
        for i in range(args.count):
            title, question = questions[i % len(questions)]
            line = {
                "id": f"bench-{i}",
                "source": "bench",
                "department": rng.choices(slugs, weights)[0],
                "title": title[:150],
                "question": question,
                "answers": [{"author": f"Dr Bench {i % 400}", "text": rng.choice(answers)}],
            }
            out.write(json.dumps(line, ensure_ascii=False) + "\n")
    print(
        f"wrote {args.count} Q&As to {args.output}: {min(args.count, len(questions))} distinct questions, "
        f"{len(answers)} distinct answers to draw from"
    )


if __name__ == "__main__":
    main()
