"""Building a Hit: the one place a quoted word range becomes a passage with its link."""

from __future__ import annotations

from store.links import video_url
from store.records import Hit, VideoInfo, VideoText
from store.search.quotes import render_quote


def make_hit(
    info: VideoInfo,
    text: VideoText,
    start: int,
    end: int,
    score: float,
    matched_terms: tuple[str, ...] = (),
    focus: tuple[int, int] | None = None,
) -> Hit:
    """The passage words[start:end] of a video, quoted verbatim, linked to its first word's time;
    `focus`: the word range [a, b) inside it to emphasise (clipped to the passage)."""
    start_s = text.word_starts[start] if text.word_starts is not None else None
    fa, fb = (max(start, focus[0]), min(end, focus[1])) if focus else (start, start)
    return Hit(
        video_id=info.video_id,
        title=info.title,
        channel=info.channel,
        published=info.published,
        quote=render_quote(text.words, start, end),
        start_s=None if start_s is None else round(start_s, 1),
        url=video_url(info.video_id, info.url, start_s),
        score=score,
        start_word=start,
        end_word=end,
        matched_terms=matched_terms,
        focus_start=fa,
        focus_end=max(fa, fb),
        focus=" ".join(text.words[fa:fb]),
    )
