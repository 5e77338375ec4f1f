"""Localisation stage: inside one video, find the windows that hold what the question asks."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from store.sparse import SparseVector


@dataclass(frozen=True)
class Window:
    """One chunk window of a video, with its stored sparse vector (None if it has none yet)."""

    id: str
    start_word: int
    end_word: int
    vector: SparseVector | None


def localise(
    query: SparseVector,
    windows: Sequence[Window],
    relevance_scale: float,
    reranked: Mapping[str, float] | None = None,
    local_weight: float = 1.0,
    presence: float = 1.0,
) -> list[tuple[Window, float]]:
    """A video's windows, best first: relevance plus question terms weighed by in-video rarity.

    Inside one video the story's name is in every window and says nothing about which one
    answers: the local term weighs each question term by its idf among the video's windows, so
    "homes destroyed", said once, beats "Mozambique floods", said throughout.
    The base score is the reranker's score for windows that were candidates (`reranked`, by id)
    and relevance / `relevance_scale` (the reranker's sparse term) for the others. Scores are
    unitless; windows without a vector have relevance 0.
    """
    if not windows:
        return []
    # Only the question's terms matter: a windows × query-terms matrix of the windows' weights.
    matrix = np.zeros((len(windows), len(query)), dtype=np.float32)
    vectors = [(row, w.vector) for row, w in enumerate(windows) if w.vector is not None]
    if vectors and len(query):
        # All windows' terms at once, placed by bisection in the question's sorted ids: one
        # numpy pass per video instead of one set intersection per window.
        ids = np.concatenate([v.ids for _, v in vectors])
        weights = np.concatenate([v.weights for _, v in vectors])
        rows = np.repeat([row for row, _ in vectors], [len(v) for _, v in vectors])
        at = np.minimum(np.searchsorted(query.ids, ids), len(query) - 1)
        shared = query.ids[at] == ids
        matrix[rows[shared], at[shared]] = weights[shared]
    relevance = matrix @ query.weights
    n = len(windows)
    # A term is 'in' a window when said there, not when it is only a faint expansion.
    df = (matrix >= presence).sum(axis=0)
    local = matrix @ (query.weights * np.log1p((n - df + 0.5) / (df + 0.5)))
    top = float(local.max())
    scores = relevance / (relevance_scale or 1.0)
    for row, w in enumerate(windows):
        if reranked and w.id in reranked:
            scores[row] = reranked[w.id]
    if top > 0:
        scores = scores + local_weight * local / top
    order = sorted(range(len(windows)), key=lambda i: (-scores[i], windows[i].start_word))
    return [(windows[i], float(scores[i])) for i in order]


def pick_windows(ranked: Sequence[tuple[Window, float]], limit: int) -> list[Window]:
    """The best `limit` windows that do not overlap each other, best first."""
    chosen: list[Window] = []
    for w, _ in ranked:
        if all(w.end_word <= c.start_word or w.start_word >= c.end_word for c in chosen):
            chosen.append(w)
            if len(chosen) >= limit:
                break
    return chosen
