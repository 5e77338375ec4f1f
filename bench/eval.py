"""Score `search` on a question set: `python bench/eval.py QUESTIONS.jsonl`.

Runs the project's search in-process (the same call `newsreel search --json` makes) against the
configured store, plus the baseline methods in the same run, and prints the quality table.
The store must already hold the corpus (`newsreel ingest ../shared/corpus --timings ...`).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.config import load_config
from app.logs import quiet_libraries
from app.wiring import Library, build_library
from bench.scoring import Scores, score
from store.search import AbstainParams, SearchParams

BASELINES: dict[str, dict[str, Any]] = {
    "keyword only (BM25)": {"dense_weight": 0.0, "keyword_weight": 1.0, "fuzzy": False},
    "dense only (MiniLM)": {"dense_weight": 1.0, "keyword_weight": 0.0, "fuzzy": False},
    "plain rank fusion": {
        "dense_weight": 0.0,
        "keyword_weight": 0.0,
        "rrf_weight": 1.0,
        "fuzzy": False,
    },
}
# Baselines never abstain and do not diversify, but quote by the same rules as Newsreel, so the
# rows compare retrieval methods rather than quote lengths.
NEVER: dict[str, Any] = {
    "abstain": AbstainParams(threshold=-math.inf, relevance_threshold=-math.inf)
}
NEVER_ABSTAIN: dict[str, Any] = {
    **NEVER,
    "per_video": 10,
    "complete_features": False,
}
# Diagnostic: Newsreel's ranking with each best window quoted whole (120 words): how much the
# 25–60-word quote costs against the metric.
WHOLE_WINDOWS: dict[str, Any] = {**NEVER, "quote_max": 120, "quote_margin": 0}


def run(
    lib: Library,
    params: SearchParams,
    questions: Sequence[dict[str, Any]],
    rerank: bool = True,
) -> Scores:
    """Search every question with `params` (and the sparse reranker unless told not) and score."""
    searcher = lib.make_searcher(params, rerank=rerank)
    results = [[h.to_json() for h in searcher.search(q["question"], k=10)] for q in questions]
    videos = {str(h["video_id"]) for hits in results for h in hits}
    texts = {}
    for vid in videos:
        vt = lib.catalog.video_text(vid)
        texts[vid] = " ".join(vt.words) if vt else ""
    return score(questions, results, texts)


def main(argv: Sequence[str] | None = None) -> int:
    """Print the quality table for a JSONL question file."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("questions", type=Path, nargs="+", help="JSONL question files")
    ap.add_argument("--config")
    ap.add_argument("--no-baselines", action="store_true")
    ap.add_argument("--json", action="store_true", help="print the rows as JSON")
    args = ap.parse_args(argv)
    quiet_libraries()
    lib = build_library(load_config(args.config))
    if lib.catalog.chunk_count() == 0:
        # Scoring an empty store prints a table of zeros that looks like a broken method.
        print(
            "error: the store is empty; ingest the corpus first"
            " (newsreel ingest ../shared/corpus --timings ../shared/corpus_timed)",
            file=sys.stderr,
        )
        return 2
    tables = {}
    for path in args.questions:
        questions = [json.loads(line) for line in path.read_text().splitlines() if line]
        tables[str(path)] = score_table(lib, questions, baselines=not args.no_baselines)
    if args.json:
        print(json.dumps({f: {k: v.__dict__ for k, v in t.items()} for f, t in tables.items()}))
        return 0
    for path, rows in tables.items():
        first = next(iter(rows.values()))
        print(f"{path}: {first.answerable} answerable, {first.unanswerable} unanswerable\n")
        print("| approach | passage@1 | passage@5 | MRR@10 | abstention | verbatim |")
        print("|---|---|---|---|---|---|")
        for name, s in rows.items():
            print(
                f"| {name} | {s.passage_at_1:.3f} | {s.passage_at_5:.3f} | {s.mrr_at_10:.3f}"
                f" | {s.abstention:.2f} | {s.verbatim:.0%} |"
            )
        print()
    return 0


def score_table(
    lib: Library, questions: Sequence[dict[str, Any]], baselines: bool = True
) -> dict[str, Scores]:
    """The quality table's rows for one question set: baselines, previous method, this one."""
    rows: dict[str, Scores] = {}
    if baselines:
        for name, knobs in BASELINES.items():
            params = replace(SearchParams(), **{**NEVER_ABSTAIN, **knobs})
            rows[name] = run(lib, params, questions, rerank=False)
        rows["previous method (fusion, no reranker)"] = run(
            lib, SearchParams(), questions, rerank=False
        )
    rows["newsreel (this project)"] = run(lib, SearchParams(), questions)
    if baselines:
        rows["newsreel ranking, whole windows quoted"] = run(
            lib, replace(SearchParams(), **WHOLE_WINDOWS), questions
        )
    return rows


if __name__ == "__main__":
    raise SystemExit(main())
