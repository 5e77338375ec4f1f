"""YouTube links to a moment of a video."""

from __future__ import annotations

# Open a little before the quoted words so the viewer hears the sentence start.
LEAD_IN_S = 2


def youtube_url(video_id: str, start_s: float | None = None) -> str:
    """`https://www.youtube.com/watch?v=ID`, with `&t=Ns` when the start is known."""
    url = f"https://www.youtube.com/watch?v={video_id}"
    if start_s is None:
        return url
    return f"{url}&t={max(0, int(start_s) - LEAD_IN_S)}s"


def format_timestamp(seconds: float) -> str:
    """`m:ss` or `h:mm:ss`."""
    s = int(seconds)
    h, rem = divmod(s, 3600)
    m, sec = divmod(rem, 60)
    return f"{h}:{m:02d}:{sec:02d}" if h else f"{m}:{sec:02d}"
