"""Locate the closest verbatim occurrence of a half-remembered line inside a passage."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

from store.text import normalise


@dataclass(frozen=True)
class Occurrence:
    """Where a remembered line best matches: word range and similarity in [0, 1]."""

    start: int
    end: int
    similarity: float


def find_exact(words: Sequence[str], target: Sequence[str]) -> tuple[int, int] | None:
    """Word range of the first verbatim occurrence of `target` (case/punctuation-insensitive)."""
    norm_t = [normalise(w) for w in target]
    norm_t = [w for w in norm_t if w]
    if not norm_t:
        return None
    norm_w = [normalise(w) for w in words]
    n = len(norm_t)
    first = norm_t[0]
    for i in range(len(norm_w) - n + 1):
        if norm_w[i] == first and norm_w[i : i + n] == norm_t:
            return i, i + n
    return None


def closest_window(words: Sequence[str], lo: int, hi: int, target: Sequence[str]) -> Occurrence:
    """The window of words[lo:hi] most similar to `target` (word-level edit similarity)."""
    norm_t = [w for w in (normalise(x) for x in target) if w]
    n = max(1, len(norm_t))
    lo, hi = max(0, lo), min(len(words), hi)
    norm_w = [normalise(w) for w in words[lo:hi]]
    target_set = set(norm_t)
    best = Occurrence(lo, min(hi, lo + n), 0.0)
    for size in {n - 2, n, n + 2} - {0, -1, -2}:
        for i in range(0, max(1, len(norm_w) - size + 1)):
            window = norm_w[i : i + size]
            # Cheap filter first: the window must share words with the target at all.
            if not target_set.intersection(window[:3] + window[-3:]) and i % 4:
                continue
            sim = SequenceMatcher(None, norm_t, window, autojunk=False).ratio()
            if sim > best.similarity:
                best = Occurrence(lo + i, lo + i + len(window), sim)
    return best
