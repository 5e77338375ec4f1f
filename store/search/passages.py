"""Passage stage: the verbatim passage shown for a window, holding the part that best matches."""

from __future__ import annotations


def passage_around(
    focus: tuple[int, int],
    window: tuple[int, int],
    n_words: int,
    min_len: int = 25,
    max_len: int = 120,
) -> tuple[int, int]:
    """The word range [a, b) shown for a window whose best-matching part is `focus`.

    The whole window (what the ranking judged), widened to take in the focus where it reaches
    past the window's edge, then cut to `max_len` words without cutting the focus: the side
    that reaches further from the focus loses words first. Too short a passage (a short video's
    last window) is widened to `min_len` words. Ranges are word indices, clipped to [0, n_words).
    """
    f0, f1 = max(0, focus[0]), min(n_words, focus[1])
    a, b = max(0, min(window[0], f0)), min(n_words, max(window[1], f1))
    if b - a > max_len:
        room = max(0, max_len - (f1 - f0))
        before, after = f0 - a, b - f1
        keep_before = min(before, max(room // 2, room - after))
        a, b = f0 - keep_before, min(b, f1 + room - keep_before)
        if f1 - f0 > max_len:  # a focus longer than a passage: its start is what matters
            a, b = f0, f0 + max_len
    if b - a < min_len:
        pad = min_len - (b - a)
        a = max(0, a - pad // 2)
        b = min(n_words, max(b, a + min_len))
        a = max(0, min(a, b - min_len))
    return a, b
