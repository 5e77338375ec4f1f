"""Trend latency: `newsreel trend` over a 90-day range, for the 22 labelled follow topics.

Part of `newsreel bench` (the corpus and each scale's worker call `time_trends`); alone:
`python -m bench.trend_bench DATA_DIR [--until YYYY-MM-DD] [--rounds N]`. The first pass meets
each topic for the first time (its vector, its videos' texts), as a new /trend does; later
rounds are warm.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from app.config import Config, StoreConfig
from app.wiring import Library, build_library
from bench.measure import p50_p95
from bench.measure_matching import TOPICS
from service.arguments import BadArgument
from service.coverage import CoverageRequest
from store.records import SearchFilters

TREND_DAYS = 90
TREND_TARGET_MS = 1000.0  # p95 at 1M chunks


def trend_range(lib: Library, until: str | None = None) -> tuple[str, str]:
    """The TREND_DAYS days ending at `until` (default: the newest video's date)."""
    end = until or (lib.catalog.date_span(SearchFilters()) or ("", date.today().isoformat()))[1]
    start = date.fromisoformat(end) - timedelta(days=TREND_DAYS - 1)
    return start.isoformat(), end


def time_trends(
    lib: Library, since: str, until: str, rounds: int = 2, topics: Sequence[str] = tuple(TOPICS)
) -> dict[str, Any]:
    """p50/p95 of one trend per topic over [since, until]: the first pass and warm rounds."""
    first: list[float] = []
    warm: list[float] = []
    covering: list[int] = []
    for r in range(max(1, rounds)):
        for topic in topics:
            t0 = time.perf_counter()
            try:
                found = len(lib.coverage.trend(CoverageRequest(topic, since, until)).videos)
            except BadArgument:  # nothing covers it in the range: a valid, timed answer
                found = 0
            ms = (time.perf_counter() - t0) * 1000
            (first if r == 0 else warm).append(ms)
            if r == 0:
                covering.append(found)
    p50, p95 = p50_p95(first)
    out: dict[str, Any] = {
        "trend_p50_ms": p50,
        "trend_p95_ms": p95,
        "trend_range": [since, until],
        "trend_topics": len(topics),
        "trend_covering_mean": round(sum(covering) / max(1, len(covering)), 1),
    }
    if warm:
        out["trend_warm_p50_ms"], out["trend_warm_p95_ms"] = p50_p95(warm)
    return out


def main(argv: Sequence[str] | None = None) -> int:
    """Time trends on one store and print the figures as JSON."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("data_dir", type=Path)
    ap.add_argument("--until", help="end of the 90-day range (default: the newest video)")
    ap.add_argument("--rounds", type=int, default=2)
    args = ap.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    lib = build_library(Config(store=StoreConfig(data_dir=args.data_dir)))
    try:
        lib.searcher.search("warm up the models", k=3)
        since, until = trend_range(lib, args.until)
        result = time_trends(lib, since, until, args.rounds)
        result["chunks"] = lib.catalog.chunk_count()
    finally:
        lib.close()
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
