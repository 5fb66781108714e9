"""More Info figures: import speed of the reference library, draft time per question, citation share.

Imports ../shared/data/medquad.jsonl.gz into a throwaway SQLite database (or DATABASE_URL if set),
embeds the articles, answers questions from ../shared/data/qa_seed_en.jsonl with their archived replies,
drafts More Info for each with the default (extractive) generator, approves every draft as a doctor of
the department would, and prints:

- import speed (articles/s, without embedding, which a task does after the import) and embedding speed;
- draft time per question, p50 and p95 (matching the library plus composing the draft);
- how many questions got a draft, sentences per draft and per section;
- the share of draft and of approved sentences that cite a source (must be 100%);
- the 1-minute load average around the timed drafts (the machine may be shared).

Embedding all 16,407 articles takes a few minutes on an idle 2-core machine; `--vectors-from DB.sqlite3`
reuses the vectors of a database that already has the library embedded (same model), matched by
source and external id, and reports the embedding speed on a sample instead.

Usage: .venv/bin/python bench/moreinfo_bench.py [--questions 50] [--articles N] [--vectors-from PATH] [--show 2]
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data"
sys.path.insert(0, str(ROOT))


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, round(share * len(ordered)) - 1)]


def copy_vectors(path: Path, ids: list[int]) -> list[int]:
    """Store the vectors another database holds for the same articles; return the ids still without one."""
    import sqlite3

    from moreinfo.models import ArticleEmbedding, ReferenceArticle

    with sqlite3.connect(path) as other:
        rows = other.execute(
            "SELECT a.source, a.external_id, e.model_name, e.model_version, e.vector FROM moreinfo_articleembedding e "
            "JOIN moreinfo_referencearticle a ON a.id = e.article_id"
        ).fetchall()
    found = {(source, external): (name, version, vector) for source, external, name, version, vector in rows}
    here = {(a.source, a.external_id): a.pk for a in ReferenceArticle.objects.filter(pk__in=ids)}
    copies = [
        ArticleEmbedding(article_id=pk, model_name=found[key][0], model_version=found[key][1], vector=found[key][2])
        for key, pk in here.items()
        if key in found
    ]
    ArticleEmbedding.objects.bulk_create(copies, batch_size=1000)
    copied = {c.article_id for c in copies}
    print(f"vectors: {len(copied)} copied from {path}")
    return [pk for pk in ids if pk not in copied] or ids


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--questions", type=int, default=50)
    parser.add_argument("--articles", type=int, default=0, help="import only the first N lines (0: all)")
    parser.add_argument("--show", type=int, default=1, help="print this many drafts in full")
    parser.add_argument("--vectors-from", type=Path, help="a SQLite database with the library already embedded")
    parser.add_argument(
        "--embed-sample", type=int, default=512, help="articles embedded to time it (with --vectors-from)"
    )
    args = parser.parse_args()
    library, seed = DATA / "medquad.jsonl.gz", DATA / "qa_seed_en.jsonl"
    if not library.exists() or not seed.exists():
        sys.exit(f"needs {library} and {seed} (the shared data folder is absent)")

    tmp = tempfile.TemporaryDirectory()
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{tmp.name}/bench.sqlite3")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    import gzip

    from django.core.management import call_command
    from django.utils import timezone

    from departments.models import Department
    from moreinfo import services
    from moreinfo.generators import ExtractiveGenerator
    from moreinfo.matching import index, scorer_name
    from moreinfo.models import DraftSentence, MoreInfo, ReferenceArticle
    from questions.importer import import_batch, parse_line
    from questions.models import Question

    call_command("migrate", verbosity=0)
    path = library
    if args.articles:
        path = Path(tmp.name) / "library.jsonl"
        with gzip.open(library, "rt", encoding="utf-8") as source, path.open("w", encoding="utf-8") as out:
            for number, line in enumerate(source):
                if number == args.articles:
                    break
                out.write(line)

    before = ReferenceArticle.objects.count()
    start = time.perf_counter()
    call_command("import_reference", str(path), "--no-embed", verbosity=0, stdout=io.StringIO(), stderr=io.StringIO())
    seconds = time.perf_counter() - start
    imported = ReferenceArticle.objects.count() - before
    print(f"import: {imported} articles in {seconds:.1f} s = {imported / seconds:.0f} articles/s (without embedding)")
    start = time.perf_counter()
    summary = io.StringIO()
    call_command("import_reference", str(path), "--no-embed", verbosity=0, stdout=summary, stderr=io.StringIO())
    print(f"import again: {time.perf_counter() - start:.1f} s; {summary.getvalue().strip()}")

    ids = list(ReferenceArticle.objects.filter(embedding__isnull=True).order_by("pk").values_list("pk", flat=True))
    if args.vectors_from:
        ids = copy_vectors(args.vectors_from, ids)[: args.embed_sample]
    start = time.perf_counter()
    for offset in range(0, len(ids), 512):
        services.articles_embed(article_ids=ids[offset : offset + 512])
    seconds = time.perf_counter() - start
    print(f"embedding: {len(ids)} articles in {seconds:.1f} s = {len(ids) / max(seconds, 1e-9):.1f} articles/s")
    index.refresh(force=True)

    entries = []
    with seed.open(encoding="utf-8") as handle:
        for line in handle:
            entries.append(parse_line(line))
            if len(entries) == args.questions:
                break
    department = Department.objects.get(slug="family-medicine")
    question_ids, _ = import_batch(entries, department=department, doctors={})
    questions = list(Question.objects.filter(pk__in=question_ids).order_by("pk"))

    generator = ExtractiveGenerator()
    services.more_info_refresh(question=questions[0], generator=generator)  # loads the model; not timed
    load_before = os.getloadavg()[0]
    timings = []
    for question in questions:
        start = time.perf_counter()
        services.more_info_refresh(question=question, generator=generator)
        timings.append((time.perf_counter() - start) * 1000)
    load_after = os.getloadavg()[0]
    drafts = list(MoreInfo.objects.filter(question__in=questions, status=MoreInfo.Status.REVIEW))
    sentences = DraftSentence.objects.filter(more_info__in=drafts).prefetch_related("sources")
    cited = sum(1 for s in sentences if s.sources.all())
    sections = Counter(s.section for s in sentences)
    print(
        f"drafts ({generator.name} generator, matching by {scorer_name()}): {len(questions)} questions, "
        f"draft time p50 {statistics.median(timings):.0f} ms, p95 {percentile(timings, 0.95):.0f} ms "
        f"(1-minute load average {load_before:.2f} before, {load_after:.2f} after, on {os.cpu_count()} cores)"
    )
    related = MoreInfo.objects.filter(question__in=questions).exclude(related=[]).count()
    print(
        f"  {related}/{len(questions)} questions matched reference articles; {len(drafts)} got a draft; "
        f"{len(sentences)} sentences ({len(sentences) / max(len(drafts), 1):.1f} per draft); "
        f"by section: {dict(sections)}"
    )
    urgent = len({s.more_info_id for s in sentences if s.section == "urgent"})
    print(f"  drafts with a 'when to seek care urgently' section: {urgent}/{len(drafts)}")
    print(f"  draft sentences citing a source: {cited}/{len(sentences)} = {cited / max(len(sentences), 1):.1%}")

    approved = 0
    public_sentences = public_cited = 0
    for more_info in drafts:
        doctor = more_info.question.replies.get().doctor
        services.more_info_approve(more_info=more_info, doctor=doctor)
        approved += 1
    for more_info in MoreInfo.objects.filter(question__in=questions, status=MoreInfo.Status.APPROVED):
        numbers = len(more_info.public["sources"])
        for section in more_info.public["sections"]:
            for sentence in section["sentences"]:
                public_sentences += 1
                public_cited += bool(sentence["sources"]) and all(1 <= n <= numbers for n in sentence["sources"])
    print(
        f"  approved drafts: {approved}; their sentences citing a source: {public_cited}/{public_sentences} = "
        f"{public_cited / max(public_sentences, 1):.1%}"
    )

    for more_info in drafts[: args.show]:
        print(f"\n--- {more_info.question.display_title} (at {timezone.now():%H:%M})")
        print("related:", "; ".join(r["question"] for r in more_info.related))
        for sentence in more_info.sentences.prefetch_related("sources"):
            print(f"  [{sentence.section}] {sentence.text} <- {[a.question for a in sentence.sources.all()]}")


if __name__ == "__main__":
    main()
