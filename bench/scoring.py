"""The retrieval-quality definitions of the search-quality issue, as pure functions."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from store.search import is_verbatim

_ELLIPSIS = re.compile(r"…|\.\.\.")


def quote_words(quote: str) -> set[str]:
    """Distinct lowercase words of a quote, ellipses removed."""
    return set(_ELLIPSIS.sub(" ", quote).lower().split())


def answers(hit: Mapping[str, Any], question: Mapping[str, Any]) -> bool:
    """A hit answers when it is from the right video and quotes ≥ half the evidence words."""
    if hit.get("video_id") != question.get("video_id"):
        return False
    evidence = set(str(question["evidence"]).lower().split())
    if not evidence:
        return False
    return len(evidence & quote_words(str(hit.get("quote", "")))) * 2 >= len(evidence)


def first_answer_rank(hits: Sequence[Mapping[str, Any]], question: Mapping[str, Any]) -> int | None:
    """1-based rank of the first answering hit, or None."""
    for rank, hit in enumerate(hits, 1):
        if answers(hit, question):
            return rank
    return None


@dataclass(frozen=True)
class Scores:
    """One row of the quality table."""

    passage_at_1: float
    passage_at_5: float
    mrr_at_10: float
    abstention: float
    verbatim: float
    answerable: int
    unanswerable: int


def score(
    questions: Sequence[Mapping[str, Any]],
    results: Sequence[Sequence[Mapping[str, Any]]],
    transcripts: Mapping[str, str],
) -> Scores:
    """Score each question's hits (best first) against the definitions."""
    p1 = p5 = 0
    mrr = 0.0
    answerable = unanswerable = abstained = 0
    quotes = verbatim = 0
    for q, hits in zip(questions, results, strict=True):
        for h in hits:
            quotes += 1
            verbatim += is_verbatim(str(h["quote"]), transcripts.get(str(h["video_id"]), ""))
        if q.get("kind") == "none":
            unanswerable += 1
            abstained += not hits
            continue
        answerable += 1
        rank = first_answer_rank(hits[:10], q)
        if rank is not None:
            p1 += rank == 1
            p5 += rank <= 5
            mrr += 1.0 / rank
    return Scores(
        passage_at_1=p1 / max(1, answerable),
        passage_at_5=p5 / max(1, answerable),
        mrr_at_10=mrr / max(1, answerable),
        abstention=abstained / max(1, unanswerable),
        verbatim=verbatim / max(1, quotes),
        answerable=answerable,
        unanswerable=unanswerable,
    )
