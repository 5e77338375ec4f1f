"""Score `search` on question sets: `python bench/eval.py QUESTIONS.jsonl … [--holdout FILE]`.

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
from store.search import AbstainParams, NameParams, SearchParams

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
# Baselines never abstain (neither by confidence nor by the name check) and do not diversify,
# but quote by the same rules as Newsreel, so the rows compare retrieval methods rather than
# quote lengths.
NEVER: dict[str, Any] = {
    "abstain": AbstainParams(threshold=-math.inf, relevance_threshold=-math.inf),
    "names": NameParams(enabled=False),
}
NEVER_ABSTAIN: dict[str, Any] = {
    **NEVER,
    "per_video": 10,
    "complete_features": False,
}
# Diagnostic: Newsreel's ranking with each best window quoted whole (120 words, no reach into
# its neighbours): what the ranking finds, against which the passage shown is measured.
WHOLE_WINDOWS: dict[str, Any] = {**NEVER, "quote_max": 120, "quote_margin": 0}
NEWSREEL = "newsreel: passage shown (this project)"
FOCUS = "same ranking, focus alone quoted (25–60 words)"
WINDOW = "same ranking, whole windows quoted"


def search_all(
    lib: Library,
    params: SearchParams,
    questions: Sequence[dict[str, Any]],
    rerank: bool = True,
) -> list[list[dict[str, Any]]]:
    """Each question's top 10 hits as `search --json` gives them (the sparse reranker unless
    told not)."""
    searcher = lib.make_searcher(params, rerank=rerank)
    return [[h.to_json() for h in searcher.search(q["question"], k=10)] for q in questions]


def score_results(
    lib: Library,
    questions: Sequence[dict[str, Any]],
    results: Sequence[Sequence[dict[str, Any]]],
    shown: str = "quote",
) -> Scores:
    """Score hits by one of their verbatim fields: `quote` (the passage) or `focus`."""
    picked = [[{**h, "quote": h[shown]} for h in hits] for hits in results]
    videos = {str(h["video_id"]) for hits in picked for h in hits}
    texts = {}
    for vid in videos:
        vt = lib.catalog.video_text(vid)
        texts[vid] = " ".join(vt.words) if vt else ""
    return score(questions, picked, texts)


def run(
    lib: Library,
    params: SearchParams,
    questions: Sequence[dict[str, Any]],
    rerank: bool = True,
) -> Scores:
    """Search every question with `params` (and the sparse reranker unless told not) and score."""
    return score_results(lib, questions, search_all(lib, params, questions, rerank))


def read_questions(path: Path) -> list[dict[str, Any]]:
    """The questions of a JSONL file."""
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def main(argv: Sequence[str] | None = None) -> int:
    """Print the quality table for JSONL question files, and the holdout beside the first."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("questions", type=Path, nargs="+", help="JSONL question files")
    ap.add_argument("--holdout", type=Path, help="a question set written blind: scored beside"
                    " the first file (this project's rows only), never tuned on")
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
        tables[str(path)] = score_table(lib, read_questions(path), baselines=not args.no_baselines)
    if args.holdout:
        tables[str(args.holdout)] = score_table(lib, read_questions(args.holdout), False)
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
    print(side_by_side(tables))
    return 0


def side_by_side(tables: dict[str, dict[str, Scores]]) -> str:
    """This project's figures for every set in one table: the passage shown, its gap to the
    whole window (the largest over the three ranking figures) and abstention."""
    lines = [
        "Side by side (passage shown; the gap is whole window minus passage shown):\n",
        "| set | answerable | unanswerable | passage@1 | passage@5 | MRR@10 | gap to window"
        " | abstention | verbatim |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for path, rows in tables.items():
        s, w = rows[NEWSREEL], rows.get(WINDOW)
        gap = "—"
        if w is not None and s.answerable:
            worst = max(
                w.passage_at_1 - s.passage_at_1,
                w.passage_at_5 - s.passage_at_5,
                w.mrr_at_10 - s.mrr_at_10,
            )
            gap = f"{worst:+.3f}"
        ranked = (
            f"{s.passage_at_1:.3f} | {s.passage_at_5:.3f} | {s.mrr_at_10:.3f}"
            if s.answerable else "— | — | —"
        )
        abstention = f"{s.abstention:.2f}" if s.unanswerable else "—"
        lines.append(
            f"| {Path(path).name} | {s.answerable} | {s.unanswerable} | {ranked} | {gap}"
            f" | {abstention} | {s.verbatim:.0%} |"
        )
    return "\n".join(lines) + "\n"


def score_table(
    lib: Library, questions: Sequence[dict[str, Any]], baselines: bool = True
) -> dict[str, Scores]:
    """The quality table's rows for one question set: baselines and the previous method (with
    `baselines`), this one (passage shown), and its focus and whole windows quoted alone."""
    rows: dict[str, Scores] = {}
    if baselines:
        for name, knobs in BASELINES.items():
            params = replace(SearchParams(), **{**NEVER_ABSTAIN, **knobs})
            rows[name] = run(lib, params, questions, rerank=False)
        rows["previous method (fusion, no reranker)"] = run(
            lib, SearchParams(), questions, rerank=False
        )
    results = search_all(lib, SearchParams(), questions)
    rows[NEWSREEL] = score_results(lib, questions, results)
    rows[FOCUS] = score_results(lib, questions, results, shown="focus")
    if any(q.get("kind") != "none" for q in questions):
        rows[WINDOW] = run(lib, replace(SearchParams(), **WHOLE_WINDOWS), questions)
    return rows


if __name__ == "__main__":
    raise SystemExit(main())
