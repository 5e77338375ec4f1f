"""Choose the verbatim span of a passage that best answers a question, and check verbatim-ness."""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

from store.text import normalise

ELLIPSIS = "…"


@lru_cache(maxsize=1 << 16)  # quoting stems the same few thousand words on every search
def stem(word: str) -> str:
    """A light suffix-stripping stem so 'searched', 'searches' and 'search' meet."""
    w = normalise(word)
    if w.endswith("'s"):
        w = w[:-2]
    for suffix in ("ingly", "edly", "ing", "ies", "ied", "es", "ed", "ly", "s"):
        if w.endswith(suffix) and len(w) - len(suffix) >= 3:
            return w[: -len(suffix)] + ("y" if suffix in ("ies", "ied") else "")
    return w


@dataclass(frozen=True)
class Span:
    """A word range [start, end) of a video and how well it matches the question."""

    start: int
    end: int
    score: float


def best_span(
    words: Sequence[str],
    lo: int,
    hi: int,
    weights: Mapping[str, float],
    min_len: int = 25,
    max_len: int = 55,
    lead_ins: tuple[int, ...] = (2, 6),
    related: Mapping[str, float] | None = None,
) -> Span:
    """The sub-span of words[lo:hi] (min_len..max_len words) covering the most question weight.

    `weights` maps stems to importance (e.g. idf). A term counts once per span, so a span that
    touches every part of the question beats one that repeats a single word. `related` maps
    other lower-cased words to a smaller weight: the relevance model's expansion of the
    question ("destroyed" for "homes lost"), which tips the choice toward the span that answers.
    """
    lo, hi = max(0, lo), min(len(words), hi)
    if hi - lo <= max_len:
        # Short passage: widen to the minimum length around it so the quote is readable.
        pad = max(0, min_len - (hi - lo))
        a = max(0, lo - pad // 2)
        b = min(len(words), max(hi, a + min_len))
        return Span(a, b, _coverage([stem(w) for w in words[a:b]], weights))
    stems = [stem(w) for w in words[lo:hi]]
    hits = [i for i, s in enumerate(stems) if s in weights]
    # Only matched and related words score, so each window is judged from those few positions
    # (found by bisection) rather than by re-reading its 25–60 words: ~1 ms a hit otherwise.
    lowered = [w.lower() for w in words[lo:hi]]
    rel = [i for i, w in enumerate(lowered) if related and w in related]
    best = Span(lo, lo + max_len, -1.0)
    # Candidate windows start at each matched word (and a little before it), which is where
    # the best span must begin if it is to contain that word without waste.
    starts = sorted({max(0, h - back) for h in hits for back in lead_ins} | {0})
    for s0 in starts:
        for length in (max_len, (min_len + max_len) // 2):
            e0 = min(len(stems), s0 + length)
            s1 = max(0, e0 - length)
            inside = hits[bisect_left(hits, s1) : bisect_left(hits, e0)]
            score = _coverage([stems[i] for i in inside], weights) + _density(inside)
            if related:
                near = rel[bisect_left(rel, s1) : bisect_left(rel, e0)]
                score += sum(related[w] for w in {lowered[i] for i in near})
            if score > best.score:
                best = Span(lo + s1, lo + e0, score)
    return best


def _coverage(stems: Sequence[str], weights: Mapping[str, float]) -> float:
    return sum(weights[s] for s in set(stems) if s in weights)


def _density(positions: Sequence[int]) -> float:
    # Tie-breaker: prefer the span whose matches sit closer together (the answer, not the edges).
    if len(positions) < 2:
        return 0.0
    return 0.01 * len(positions) / (1 + positions[-1] - positions[0])


def render_quote(words: Sequence[str], start: int, end: int) -> str:
    """The verbatim words[start:end], with an ellipsis on each side that was cut."""
    body = " ".join(words[start:end])
    left = ELLIPSIS if start > 0 else ""
    right = ELLIPSIS if end < len(words) else ""
    return f"{left}{body}{right}"


_WS = re.compile(r"\s+")


def is_verbatim(quote: str, transcript_text: str) -> bool:
    """True when every ellipsis-separated part of the quote occurs in the transcript."""
    haystack = _WS.sub(" ", transcript_text).strip()
    parts = [_WS.sub(" ", p).strip() for p in quote.replace("...", ELLIPSIS).split(ELLIPSIS)]
    parts = [p for p in parts if p]
    return bool(parts) and all(p in haystack for p in parts)


def bold_terms(quote: str, stems: set[str]) -> str:
    """Wrap words whose stem matches the question in Discord bold markers."""
    out = []
    for w in quote.split(" "):
        core = w.strip(ELLIPSIS)
        if core and stem(core) in stems:
            out.append(w.replace(core, f"**{core}**", 1))
        else:
            out.append(w)
    return " ".join(out)
