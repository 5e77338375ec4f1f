"""Diversify stage: turn ranked windows into passages, at most a few per video."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from store.records import ChunkRow
from store.search.fusion import Candidate
from store.search.localise import Window, localise, pick_windows
from store.sparse import SparseVector


@dataclass(frozen=True)
class Region:
    """Neighbouring chunk windows of one video merged into one passage."""

    video_id: str
    start_word: int
    end_word: int
    score: float
    dense: float  # the video's best window's cosine similarity to the question
    anchor_start: int  # the window the quote is taken from
    anchor_end: int
    relevance: float = 0.0  # the video's best window's relevance-model score


def diversify(
    fused: Sequence[Candidate], rows: dict[str, ChunkRow], per_video: int, limit: int
) -> list[Region]:
    """Best-first regions: overlapping windows merged, at most `per_video` per video."""
    regions: list[Region] = []
    per: dict[str, int] = {}
    for cand in fused:
        row = rows.get(cand.id)
        if row is None:
            continue  # vector without a searchable catalog row (pending or stale)
        merged = False
        for i, r in enumerate(regions):
            if (
                r.video_id == row.video_id
                and row.start_word <= r.end_word
                and row.end_word >= r.start_word
            ):
                # The better window stays the anchor the quote is taken from.
                regions[i] = replace(
                    r,
                    start_word=min(r.start_word, row.start_word),
                    end_word=max(r.end_word, row.end_word),
                )
                merged = True
                break
        if merged:
            continue
        if per.get(row.video_id, 0) >= per_video:
            continue
        per[row.video_id] = per.get(row.video_id, 0) + 1
        regions.append(
            Region(
                row.video_id,
                row.start_word,
                row.end_word,
                cand.score,
                cand.dense,
                row.start_word,
                row.end_word,
                cand.relevance,
            )
        )
        if len(regions) >= limit:
            break
    return regions


def localised_regions(
    ranked: Sequence[Candidate],
    rows: dict[str, ChunkRow],
    windows_of: Callable[[str], Sequence[Window]],
    query: SparseVector,
    per_video: int,
    limit: int,
) -> list[Region]:
    """Passages best first: each video keeps the scores of its best candidates, up to
    `per_video` of them, and localisation decides which of its windows carry those scores.

    Every window of a video competes, not only those that were candidates, so the one holding
    the detail asked about can win over the one that only names the story; a video earns a
    second passage only with a second candidate of its own, so a result page still spans
    several videos.
    """
    by_video: dict[str, list[Candidate]] = {}
    for cand in ranked:
        row = rows.get(cand.id)
        if row is not None:
            by_video.setdefault(row.video_id, []).append(cand)
    scale = max((c.relevance for cands in by_video.values() for c in cands), default=0.0)
    reranked = {c.id: c.score for c in ranked}
    slots = sorted(
        (
            (c.score, order, video_id, c)
            for order, (video_id, cands) in enumerate(by_video.items())
            for c in cands[:per_video]
        ),
        key=lambda x: (-x[0], x[1]),
    )[:limit]
    picked: dict[str, list[Window]] = {}
    regions: list[Region] = []
    for score, _, video_id, _cand in slots:
        if video_id not in picked:
            ranking = localise(query, windows_of(video_id), scale, reranked)
            picked[video_id] = pick_windows(ranking, per_video)
        if not picked[video_id]:
            continue
        w = picked[video_id].pop(0)
        best = by_video[video_id][0]
        regions.append(
            Region(
                video_id,
                w.start_word,
                w.end_word,
                score,
                best.dense,
                w.start_word,
                w.end_word,
                best.relevance,
            )
        )
    return regions
