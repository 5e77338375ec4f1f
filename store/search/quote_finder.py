"""Locate the closest verbatim occurrence of a half-remembered line inside a passage."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

from store.text import normalise

# People remember "cannot" where the speaker said "can't" (and the reverse): both sides are
# compared with contractions spelt out, so a contraction costs nothing.
_WHOLE = {
    "can't": ("can", "not"),
    "cannot": ("can", "not"),
    "won't": ("will", "not"),
    "shan't": ("shall", "not"),
    "ain't": ("is", "not"),
    "let's": ("let", "us"),
}
_SUFFIXES = (
    ("n't", "not"),
    ("'re", "are"),
    ("'ll", "will"),
    ("'ve", "have"),
    ("'m", "am"),
    ("'d", "would"),
)


@dataclass(frozen=True)
class Occurrence:
    """Where a remembered line best matches: word range and similarity in [0, 1]."""

    start: int
    end: int
    similarity: float


def comparable(word: str) -> tuple[str, ...]:
    """A word as compared with a remembered line: lower case, no edge punctuation, contractions
    spelt out ("can't" → can, not); () for a word that is only punctuation."""
    w = normalise(word)
    if w in _WHOLE:
        return _WHOLE[w]
    for suffix, full in _SUFFIXES:
        if w.endswith(suffix) and len(w) > len(suffix):
            return (w[: -len(suffix)], full)
    return (w,) if w else ()


def _expanded(words: Sequence[str]) -> tuple[list[str], list[int]]:
    tokens: list[str] = []
    origin: list[int] = []
    for i, word in enumerate(words):
        for t in comparable(word):
            tokens.append(t)
            origin.append(i)
    return tokens, origin


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
    """The run of words[lo:hi] most similar to `target`: word-level edit similarity (0–1) after
    contractions are spelt out, so a word or two changed, dropped or contracted still scores
    high. The range returned is in `words` indices."""
    lo, hi = max(0, lo), min(len(words), hi)
    t_tokens, _ = _expanded(target)
    w_tokens, origin = _expanded(words[lo:hi])
    n = max(1, len(t_tokens))
    best = Occurrence(lo, min(hi, lo + len(target)), 0.0)
    if not w_tokens:
        return best
    target_set = set(t_tokens)
    matcher = SequenceMatcher(None, autojunk=False)
    matcher.set_seq2(t_tokens)  # SequenceMatcher caches what it knows about seq2
    for size in sorted({max(1, n - 2), n, n + 2}):
        for i in range(0, max(1, len(w_tokens) - size + 1)):
            window = w_tokens[i : i + size]
            # Cheap filter first: the window must share words with the target at all.
            if not target_set.intersection(window[:3] + window[-3:]) and i % 4:
                continue
            matcher.set_seq1(window)
            sim = matcher.ratio()
            if sim > best.similarity:
                last = origin[min(len(origin), i + len(window)) - 1]
                best = Occurrence(lo + origin[i], lo + last + 1, sim)
    return best
