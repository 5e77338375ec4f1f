"""Every quote `search --json` gives for the dev questions is verbatim (whole shared corpus)."""

from __future__ import annotations

import json
import math
from dataclasses import replace
from pathlib import Path

import pytest

from app.wiring import Library
from bench.scoring import first_answer_rank, score
from store.search.quotes import is_verbatim
from tests.fixtures_store import SHARED

QUESTIONS = SHARED / "eval" / "dev_questions.jsonl"
UNANSWERABLE = Path(__file__).resolve().parents[2] / "bench" / "unanswerable_questions.jsonl"

pytestmark = pytest.mark.skipif(not QUESTIONS.exists(), reason="../shared is not beside the repo")


def test_every_dev_quote_is_verbatim_and_quality_holds(full_library: Library) -> None:
    questions = [json.loads(x) for x in Path(QUESTIONS).read_text().splitlines() if x]
    results = []
    texts: dict[str, str] = {}
    for q in questions:
        hits = [h.to_json() for h in full_library.searcher.search(q["question"], k=10)]
        results.append(hits)
        for h in hits:
            vid = str(h["video_id"])
            if vid not in texts:
                vt = full_library.catalog.video_text(vid)
                assert vt is not None
                texts[vid] = " ".join(vt.words)
            assert is_verbatim(str(h["quote"]), texts[vid]), h
            # The passage shown holds its window (at most 120 words); the focus is inside it.
            assert len(str(h["quote"]).split()) <= 120 and str(h["focus"]) in str(h["quote"]), h
    scores = score(questions, results, texts)
    assert scores.verbatim == 1.0
    # Floors under the measured figures (BENCHMARKS.md): a regression, not noise, fails.
    assert scores.passage_at_5 >= 0.7 and scores.abstention >= 0.75


def test_abstaining_costs_no_first_answer_on_the_dev_set(full_library: Library) -> None:
    questions = [json.loads(x) for x in Path(QUESTIONS).read_text().splitlines() if x]
    params = full_library.searcher.params
    # Neither the confidence bar nor the name check (a video that says none of the question's
    # names) may hide an answer the user would otherwise see first.
    never = full_library.make_searcher(
        replace(
            params,
            abstain=replace(params.abstain, threshold=-math.inf, relevance_threshold=-math.inf),
            names=replace(params.names, enabled=False),
        )
    )
    hidden = []
    for q in questions:
        if q["kind"] == "none":
            continue
        unguarded = [h.to_json() for h in never.search(q["question"], k=5)]
        rank = first_answer_rank(unguarded, q)
        if rank is not None and not full_library.searcher.search(q["question"], k=5):
            hidden.append((rank, q["question"]))
    # Calibrated trade-off (BENCHMARKS.md): one answer found only at rank 5 may be hidden, an
    # answer the user would see first never.
    assert len(hidden) <= 1 and all(rank > 1 for rank, _ in hidden), hidden


def test_questions_about_stories_never_covered_get_no_answer(full_library: Library) -> None:
    questions = [json.loads(x) for x in UNANSWERABLE.read_text().splitlines() if x]
    assert len(questions) >= 30 and all(q["kind"] == "none" for q in questions)
    answered = [q["question"] for q in questions if full_library.searcher.search(q["question"])]
    assert len(answered) <= 0.1 * len(questions), answered
