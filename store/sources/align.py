"""Give the words of an untimed transcript the start times of the same words in captions.

Both texts are the same speech but differ a little (de-duplication, case, punctuation,
non-speech tags). The alignment is a patience diff: strip the common head and tail, anchor
on words that occur exactly once in both sides of the remaining range, keep the largest
order-consistent set of anchors (longest increasing subsequence), and repeat inside each gap
between anchors. Small leftover gaps go to difflib. Linear-ish in practice: the whole test
corpus (406k words) aligns in a fraction of a second.
"""

from __future__ import annotations

import difflib
from bisect import bisect_left
from collections import Counter
from collections.abc import Sequence
from itertools import pairwise

from store.text import norm_word

_DIFFLIB_MAX_CELLS = 4_096  # gaps up to ~64x64 words are cheap for difflib
_DIFFLIB_FALLBACK_CELLS = 250_000  # no unique anchor at all: still try difflib up to this
_SPARSE_ANCHORS = 50  # fewer than one strict anchor per this many words counts as bare


def _longest_increasing(pairs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Largest subset of (i, j) pairs (sorted by i) whose j also increase."""
    tails: list[int] = []  # tails[k] = smallest j ending an increasing run of length k+1
    tail_idx: list[int] = []
    back: list[int] = [-1] * len(pairs)
    for idx, (_, j) in enumerate(pairs):
        k = bisect_left(tails, j)
        if k == len(tails):
            tails.append(j)
            tail_idx.append(idx)
        else:
            tails[k] = j
            tail_idx[k] = idx
        back[idx] = tail_idx[k - 1] if k else -1
    out: list[tuple[int, int]] = []
    idx = tail_idx[-1] if tail_idx else -1
    while idx >= 0:
        out.append(pairs[idx])
        idx = back[idx]
    out.reverse()
    return out


def _unique_ngram_anchors(
    a: list[int], b: list[int], alo: int, ahi: int, blo: int, bhi: int, n: int
) -> list[tuple[int, int]]:
    """Starts (i, j) of n-grams that occur exactly once in a[alo:ahi] and in b[blo:bhi]."""
    grams_a = list(zip(*(a[alo + k : ahi] for k in range(n)), strict=False))
    grams_b = list(zip(*(b[blo + k : bhi] for k in range(n)), strict=False))
    count_a = Counter(grams_a)
    count_b = Counter(grams_b)
    pos_b = {g: blo + j for j, g in enumerate(grams_b) if count_b[g] == 1 and count_a[g] == 1}
    return [(alo + i, pos_b[g]) for i, g in enumerate(grams_a) if g in pos_b]


def _anchors(
    a: list[int], b: list[int], alo: int, ahi: int, blo: int, bhi: int
) -> list[tuple[int, int]]:
    """Candidate matches (i, j) in a range, sorted by i, to be filtered to an ordered set.

    Words that occur once on each side come first. When that leaves the range nearly bare
    (captions that kept their rolling duplicates have every word twice), words seen at most
    twice in b pair with their first occurrence: that is where they were first spoken.
    Failing both (a tiny vocabulary), unique 2- to 4-grams serve.
    """
    count_a = Counter(a[alo:ahi])
    count_b = Counter(b[blo:bhi])
    first_b: dict[int, int] = {}
    for j in range(bhi - 1, blo - 1, -1):
        first_b[b[j]] = j
    strict = [
        (i, first_b[t]) for i in range(alo, ahi) if count_b[t := a[i]] == 1 and count_a[t] == 1
    ]
    if len(strict) * _SPARSE_ANCHORS >= ahi - alo:
        return strict
    relaxed = [
        (i, first_b[t]) for i in range(alo, ahi) if 0 < count_b[t := a[i]] <= 2 and count_a[t] == 1
    ]
    if relaxed:
        return relaxed
    for n in (2, 3, 4):
        grams = _unique_ngram_anchors(a, b, alo, ahi, blo, bhi, n)
        if grams:
            return grams
    return []


def _match_indices(a: list[int], b: list[int]) -> list[int]:
    """For each token of `a`, the index of its matching token in `b`, or -1."""
    match = [-1] * len(a)
    stack = [(0, len(a), 0, len(b))]
    while stack:
        alo, ahi, blo, bhi = stack.pop()
        while alo < ahi and blo < bhi and a[alo] == b[blo]:  # common head
            match[alo] = blo
            alo += 1
            blo += 1
        while alo < ahi and blo < bhi and a[ahi - 1] == b[bhi - 1]:  # common tail
            ahi -= 1
            bhi -= 1
            match[ahi] = bhi
        if alo >= ahi or blo >= bhi:
            continue
        cells = (ahi - alo) * (bhi - blo)
        anchors = [] if cells <= _DIFFLIB_MAX_CELLS else _anchors(a, b, alo, ahi, blo, bhi)
        if not anchors:
            if cells <= _DIFFLIB_FALLBACK_CELLS:
                sm = difflib.SequenceMatcher(None, a[alo:ahi], b[blo:bhi], autojunk=False)
                for block in sm.get_matching_blocks():
                    for k in range(block.size):
                        match[alo + block.a + k] = blo + block.b + k
            continue  # a huge gap with nothing unique: leave it to interpolation
        prev_i, prev_j = alo, blo
        for i, j in _longest_increasing(anchors):
            match[i] = j
            stack.append((prev_i, i, prev_j, j))
            prev_i, prev_j = i + 1, j + 1
        stack.append((prev_i, ahi, prev_j, bhi))
    return match


def _interpolate(times: list[float | None]) -> tuple[float | None, ...]:
    """Fill gaps linearly between known times; clamp before the first and after the last."""
    known = [i for i, t in enumerate(times) if t is not None]
    if not known:
        return tuple(times)
    out = list(times)
    first, last = known[0], known[-1]
    head, tail = times[first], times[last]
    for i in range(first):
        out[i] = head
    for i in range(last + 1, len(out)):
        out[i] = tail
    for p, q in pairwise(known):
        if q - p > 1:
            tp, tq = times[p], times[q]
            assert tp is not None and tq is not None
            step = (tq - tp) / (q - p)
            for i in range(p + 1, q):
                out[i] = tp + step * (i - p)
    return tuple(out)


def align_word_starts(
    words: Sequence[str], timed_words: Sequence[str], timed_starts: Sequence[float]
) -> tuple[float | None, ...]:
    """Start second of each of `words`, taken from the matching word of a timed caption text."""
    return align_with_coverage(words, timed_words, timed_starts)[0]


def align_with_coverage(
    words: Sequence[str], timed_words: Sequence[str], timed_starts: Sequence[float]
) -> tuple[tuple[float | None, ...], float]:
    """Like align_word_starts, plus the share of `words` matched exactly (0..1): a low share
    means the captions are of another video."""
    if len(timed_words) != len(timed_starts):
        raise ValueError("timed_words and timed_starts differ in length")
    if not words:
        return (), 0.0
    vocab: dict[str, int] = {}
    a = [vocab.setdefault(norm_word(w), len(vocab)) for w in words]
    b = [vocab.setdefault(norm_word(w), len(vocab)) for w in timed_words]
    if a == b:  # same flattening on both sides: the common case for caption-made seeds
        return tuple(float(t) for t in timed_starts), 1.0
    match = _match_indices(a, b)
    times: list[float | None] = [None if j < 0 else float(timed_starts[j]) for j in match]
    matched = len(match) - match.count(-1)
    return _interpolate(times), matched / len(match)
