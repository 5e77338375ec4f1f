"""Where filtered dense search should switch from the exact scan to the HNSW over-fetch.

`python -m bench.dense_switch DATA_DIR [--questions Q.jsonl]` on a replicated store
(bench/scale.py): for filters passing more and more chunks (one video, then date ranges over
1, 2, 4, … replicas), the milliseconds of each path for the same questions, and how often the
over-fetch found too few and fell back to Chroma's `where`. The switch (`SearchParams.exact_max`)
is the largest filter size at which the exact scan is still the cheaper path.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from app.config import Config, StoreConfig
from app.wiring import Library, build_library
from bench.ingest_bench import load_embedder
from bench.measure import p50_p95
from bench.query_bench import load_questions
from store.index import exact_top
from store.records import SearchFilters
from store.search import SearchParams, chroma_where

DEFAULT_QUESTIONS = Path("/work/shared/eval/dev_questions.jsonl")
DEPTH = SearchParams().dense_depth


def ladder(lib: Library, most: int) -> list[tuple[str, SearchFilters]]:
    """Filters of growing size: one video, then date ranges over 1, 2, 4, … replica windows."""
    rows = lib.catalog._query(
        "SELECT channel, min(published), max(published) FROM videos WHERE channel LIKE"
        " 'Replica News %' GROUP BY channel ORDER BY min(published) DESC"
    )
    video = lib.catalog.latest(1)[0].video_id
    out = [("1 video", SearchFilters(video_id=video))]
    n = 1
    while n <= min(most, len(rows)):
        newest, oldest = rows[0], rows[n - 1]
        out.append((f"{n} replica(s)", SearchFilters(since=oldest[1], until=newest[2])))
        n *= 2
    return out


def overfetch_path(lib: Library, vec: Any, filters: SearchFilters) -> bool:
    """The HNSW path as Searcher._dense runs it; True when it fell back to Chroma's `where`."""
    if lib.searcher._overfetch(vec, filters, DEPTH):
        return False
    lib.index.query(vec, DEPTH, where=chroma_where(filters))
    return True


def exact_path(lib: Library, vec: Any, filters: SearchFilters) -> None:
    """The exact scan as Searcher._dense runs it: size the filter, read the copies, rank."""
    lib.catalog.filtered_size(filters, 10**9)
    got = lib.catalog.filtered_vectors(filters, lib.index.dimension)
    assert got is not None
    exact_top(vec, got[0], got[1], DEPTH)


def measure(lib: Library, questions: Sequence[str], most: int, say: Any) -> list[dict[str, Any]]:
    """One row per filter size: chunks passing, exact ms, over-fetch ms, fallback share."""
    vecs = lib.embedder.embed(list(questions))
    lib.index.query(vecs[0], DEPTH)  # load the HNSW index before timing anything
    out = []
    for label, filters in ladder(lib, most):
        passing = lib.catalog.filtered_size(filters, 10**9)
        assert passing is not None, "the store has no copies of its vectors: run an ingest"
        exact_ms, hnsw_ms, fallbacks = [], [], 0
        for vec in vecs:
            t0 = time.perf_counter()
            exact_path(lib, vec, filters)
            t1 = time.perf_counter()
            fallbacks += overfetch_path(lib, vec, filters)
            t2 = time.perf_counter()
            exact_ms.append((t1 - t0) * 1000)
            hnsw_ms.append((t2 - t1) * 1000)
        row = {
            "filter": label,
            "chunks": passing,
            "exact_p50_ms": p50_p95(exact_ms)[0],
            "exact_p95_ms": p50_p95(exact_ms)[1],
            "overfetch_p50_ms": p50_p95(hnsw_ms)[0],
            "overfetch_p95_ms": p50_p95(hnsw_ms)[1],
            "fallback_share": round(fallbacks / len(vecs), 2),
        }
        say(json.dumps(row))
        out.append(row)
    return out


def main(argv: Sequence[str] | None = None) -> int:
    """Measure the ladder on one store and print the rows as JSON lines, then a table."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("data_dir", type=Path)
    ap.add_argument("--questions", type=Path, default=DEFAULT_QUESTIONS)
    ap.add_argument("-n", type=int, default=30, help="questions per filter")
    ap.add_argument("--most", type=int, default=64, help="replica windows at most")
    args = ap.parse_args(argv)
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    config = replace(Config(), store=StoreConfig(data_dir=args.data_dir))
    embedder, _ = load_embedder(config)
    lib = build_library(config, embedder)
    say = lambda line: print(line, file=sys.stderr, flush=True)  # noqa: E731
    say(f"load {os.getloadavg()[0]:.2f}; {lib.catalog.chunk_count():,} chunks")
    rows = measure(lib, load_questions(args.questions)[: args.n], args.most, say)
    lib.close()
    head = f"{'filter':<16}{'chunks':>9}{'exact p50/p95':>16}{'over-fetch p50/p95':>21}"
    print(f"{head}{'fallback':>10}")
    for r in rows:
        print(
            f"{r['filter']:<16}{r['chunks']:>9,}"
            f"{r['exact_p50_ms']:>8.1f} /{r['exact_p95_ms']:>6.1f}"
            f"{r['overfetch_p50_ms']:>12.1f} /{r['overfetch_p95_ms']:>6.1f}"
            f"{r['fallback_share']:>10.2f}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
