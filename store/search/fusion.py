"""Fusing dense and keyword candidate lists into one ranking."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Candidate:
    """A chunk with its fused score and the evidence behind it."""

    id: str
    score: float
    dense: float  # raw cosine similarity, 0 when the dense side did not return it
    keyword: float  # raw BM25, 0 when the keyword side did not return it
    relevance: float = 0.0  # the reranker's raw score (SPLADE dot product), 0 when not reranked


def fuse(
    dense: Sequence[tuple[str, float]],
    keyword: Sequence[tuple[str, float]],
    dense_weight: float = 0.5,
    keyword_weight: float = 0.5,
    rrf_weight: float = 0.0,
    rrf_k: int = 60,
) -> list[Candidate]:
    """Weighted sum of per-query normalised scores (plus optional rank fusion), best first.

    Dense similarities are rescaled between the list's worst and best; BM25 scores are divided
    by the best, so a weak keyword list (few terms matched) stays weak instead of being
    stretched to 1 the way min-max would.
    """
    d_norm = _minmax(dense)
    k_norm = {i: s / keyword[0][1] for i, s in keyword} if keyword and keyword[0][1] > 0 else {}
    d_raw = dict(dense)
    k_raw = dict(keyword)
    d_rank = {i: r for r, (i, _) in enumerate(dense)}
    k_rank = {i: r for r, (i, _) in enumerate(keyword)}
    out = []
    for cid in d_raw.keys() | k_raw.keys():
        score = dense_weight * d_norm.get(cid, 0.0) + keyword_weight * k_norm.get(cid, 0.0)
        if rrf_weight:
            rrf = sum(1.0 / (rrf_k + ranks[cid] + 1) for ranks in (d_rank, k_rank) if cid in ranks)
            score += rrf_weight * rrf * rrf_k / 2
        out.append(Candidate(cid, score, d_raw.get(cid, 0.0), k_raw.get(cid, 0.0)))
    out.sort(key=lambda c: (-c.score, c.id))
    return out


def _minmax(pairs: Sequence[tuple[str, float]]) -> dict[str, float]:
    if not pairs:
        return {}
    hi = max(s for _, s in pairs)
    lo = min(s for _, s in pairs)
    span = hi - lo
    if span <= 1e-9:
        return {i: 1.0 for i, _ in pairs}
    return {i: (s - lo) / span for i, s in pairs}
