"""Abstention stage: whether the passage we would answer with is strong enough to quote."""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class AbstainParams:
    """Thresholds calibrated on the dev questions and bench/unanswerable_questions.jsonl."""

    coverage_mix: float = 0.4
    # Without the sparse model: cosine + coverage_mix × coverage below this abstains.
    threshold: float = 0.56
    # With it: its normalised relevance joins the sum, and the bar moves up accordingly.
    relevance_mix: float = 0.1
    relevance_threshold: float = 0.80


def answer_confidence(
    dense: float,
    coverage: float,
    relevance: float | None,
    query_norm_sq: float,
    params: AbstainParams,
) -> tuple[float, float]:
    """(confidence, threshold) for the best passage; abstain when confidence < threshold.

    `dense` is the passage's cosine to the question, `coverage` the share (0–1) of the
    question's idf weight that its video contains, `relevance` its sparse dot product (None
    without the sparse model) and `query_norm_sq` the question's sparse vector dotted with
    itself: dividing by its root makes relevance comparable between short and long questions.
    A question about a story never covered still has nearest neighbours, just weak ones, in
    videos that lack its distinctive words.
    """
    base = dense + params.coverage_mix * coverage
    if relevance is None or query_norm_sq <= 0:
        return base, params.threshold
    normalised = relevance / math.sqrt(query_norm_sq)
    return base + params.relevance_mix * normalised, params.relevance_threshold
