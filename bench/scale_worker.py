"""Measure one store in a fresh process: warm query latency, filtered latency, memory, hot spots.

`python -m bench.scale_worker DATA_DIR --questions Q.jsonl [--server HOST:PORT] --out FILE`
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

from app.config import Config, ModelConfig, StoreConfig
from app.wiring import Library, build_library
from bench.ingest_bench import load_embedder, load_sparse
from bench.measure import p50_p95, rss_mb
from bench.query_bench import load_questions, mean_breakdown, searcher_fn, time_each, traced
from bench.signals import exit_on_termination
from bench.trend_bench import time_trends, trend_range
from store.records import SearchFilters


def timed_ms(fn: Any) -> float:
    """Milliseconds one call takes."""
    t0 = time.perf_counter()
    fn()
    return round((time.perf_counter() - t0) * 1000, 1)


def first_after_warm_up(lib: Library, question: str) -> dict[str, float]:
    """In a fresh process: Library.warm_up (as the bot runs it before it says it is ready),
    then the first question, each timed."""
    warm = timed_ms(lib.warm_up)
    first = timed_ms(lambda: lib.searcher.search(question, k=5))
    return {"warm_up_ms": warm, "first_query_after_warm_up_ms": first}


def measure(
    lib: Library,
    questions: Sequence[str],
    filters: dict[str, SearchFilters],
    rounds: int,
    budget_s: float,
    say: Any,
) -> dict[str, Any]:
    """The scale figures of one opened library."""
    detail: dict[str, Any] = {}
    # The first search loads the HNSW index and the keyword vocabulary: cold costs, shown apart.
    detail["first_query_ms"] = timed_ms(lambda: lib.searcher.search(questions[0], k=5))
    detail["chunk_count_ms"] = timed_ms(lib.catalog.chunk_count)
    detail["vocabulary_load_ms"] = timed_ms(lib.catalog.term_counts)
    say(f"  first query {detail['first_query_ms']} ms; first pass over {len(questions)} questions")
    # The first pass meets each question's terms for the first time (per-term document counts
    # are cached by the searcher), as a new question would; it is also the warm-up.
    first = time_each(searcher_fn(lib), questions)
    detail["first_pass_p50_ms"], detail["first_pass_p95_ms"] = p50_p95(first)
    for f in filters.values():
        lib.searcher.search(questions[0], k=5, filters=f)  # the filtered paths' first call
    kinds = {"plain": searcher_fn(lib), **{n: searcher_fn(lib, f) for n, f in filters.items()}}
    ms: dict[str, list[float]] = {name: [] for name in kinds}
    spent: dict[str, dict[str, list[float]]] = {name: {} for name in kinds}
    started = time.perf_counter()
    done = 0
    # At least one full round; more while the time budget lasts (a slow store gets fewer).
    # Every round is traced (microseconds per call), which shows where the time goes.
    while done < rounds and (
        done == 0 or time.perf_counter() - started < budget_s * done / (done + 1)
    ):
        say(f"  warm round {done + 1}")
        for name, fn in kinds.items():
            with traced(lib) as calls:
                ms[name] += time_each(fn, questions)
            for call, values in calls.items():
                spent[name].setdefault(call, []).extend(values)
        done += 1
    p50, p95 = p50_p95(ms["plain"])
    filtered = [x for name in filters for x in ms[name]]
    f50, f95 = p50_p95(filtered)
    for name in filters:
        detail[f"{name}_p50_ms"], detail[f"{name}_p95_ms"] = p50_p95(ms[name])
    rss = rss_mb()
    say(f"  p50 {p50} ms p95 {p95} ms, filtered p95 {f95} ms, rss {rss} MB")
    detail["filtered_p50_ms"] = f50
    detail["rounds"] = done
    detail["samples"] = len(ms["plain"])
    detail["breakdown_ms"] = {name: mean_breakdown(spent[name], ms[name]) for name in kinds}
    return {
        "query_p50_ms": p50,
        "query_p95_ms": p95,
        "filtered_p95_ms": f95,
        "rss_mb": rss,
        "detail": detail,
    }


def main(argv: Sequence[str] | None = None) -> int:
    """Open the store, load the model, measure, write the JSON result to --out."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("data_dir", type=Path)
    ap.add_argument("--questions", type=Path, required=True)
    ap.add_argument("--server", help="HOST:PORT of a chroma server holding the vectors")
    ap.add_argument("--channel", help="channel filter for the filtered queries")
    ap.add_argument("--since", help="date-range filter start")
    ap.add_argument("--until", help="date-range filter end")
    ap.add_argument("--model", default=ModelConfig.name)
    ap.add_argument("--dtype", default=ModelConfig.dtype)
    ap.add_argument("--batch-size", type=int, default=ModelConfig.batch_size)
    ap.add_argument(
        "--query-runtime", choices=("onnx", "torch"), default=ModelConfig.query_runtime
    )
    ap.add_argument("--rounds", type=int, default=2, help="warm rounds at most")
    ap.add_argument(
        "--budget-s",
        type=float,
        default=240.0,
        help="no further warm round is started when it would exceed this",
    )
    ap.add_argument(
        "--first-after-warm-up",
        action="store_true",
        help="only warm the store up and time the first question after it",
    )
    ap.add_argument("--label", default="store")
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args(argv)
    exit_on_termination()

    def say(line: str) -> None:
        print(f"[{args.label}] {line}", file=sys.stderr, flush=True)

    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    store = StoreConfig(data_dir=args.data_dir)
    if args.server:
        host, _, port = args.server.rpartition(":")
        store = replace(store, mode="server", chroma_host=host, chroma_port=int(port))
    config = replace(
        Config(),
        store=store,
        model=ModelConfig(
            args.model, args.dtype, args.batch_size, query_runtime=args.query_runtime
        ),
    )
    embedder, _ = load_embedder(config)
    sparse = load_sparse(config)
    base_rss = rss_mb()
    lib = build_library(config, embedder, sparse)
    filters: dict[str, SearchFilters] = {}
    if args.channel:
        filters["channel"] = SearchFilters(channel=args.channel)
    if args.since or args.until:
        filters["date_range"] = SearchFilters(since=args.since, until=args.until)
    questions = load_questions(args.questions)
    if args.first_after_warm_up:
        first = first_after_warm_up(lib, questions[0])
        say(f"  warm-up {first['warm_up_ms']} ms, then first query"
            f" {first['first_query_after_warm_up_ms']} ms")
        lib.close()
        args.out.write_text(json.dumps(first))
        return 0
    say(f"{lib.catalog.chunk_count():,} chunks; model loaded (rss {base_rss} MB)")
    result = measure(lib, questions, filters, args.rounds, args.budget_s, say)
    result["detail"]["rss_before_store_mb"] = base_rss
    # A trend over the 90 days ending where the date filter ends (one replica's window).
    since, until = trend_range(lib, args.until)
    trend = time_trends(lib, since, until, rounds=1)
    say(f"  trend p50 {trend['trend_p50_ms']} ms p95 {trend['trend_p95_ms']} ms ({since}..{until})")
    result.update(trend)
    lib.close()
    args.out.write_text(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
