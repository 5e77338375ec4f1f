"""Links to a video and to a moment of it."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

# Open a little before the quoted words so the viewer hears the sentence start.
LEAD_IN_S = 2


def youtube_url(video_id: str, start_s: float | None = None) -> str:
    """`https://www.youtube.com/watch?v=ID`, with `&t=Ns` when the start is known."""
    url = f"https://www.youtube.com/watch?v={video_id}"
    if start_s is None:
        return url
    return f"{url}&t={_link_second(start_s)}s"


def _link_second(start_s: float) -> int:
    return max(0, int(start_s) - LEAD_IN_S)


def is_youtube(url: str) -> bool:
    """True for a YouTube page url, and for '' (a video known only by its YouTube id)."""
    if not url:
        return True
    host = (urlsplit(url).hostname or "").lower()
    return host == "youtu.be" or host == "youtube.com" or host.endswith(".youtube.com")


def video_url(video_id: str, page_url: str = "", start_s: float | None = None) -> str:
    """Link to a video's moment: its stored page (yt-dlp `webpage_url`; '' = the YouTube video
    `video_id`), with `t=` only where the site reads it (YouTube); other sites get the page."""
    if not page_url:
        return youtube_url(video_id, start_s)
    query = urlsplit(page_url).query
    if start_s is None or not is_youtube(page_url) or "t" in parse_qs(query):
        return page_url
    sep = "&" if query else "?"
    return f"{page_url}{sep}t={_link_second(start_s)}s"


def shown_date(published: str) -> str:
    """A publication date for display: YYYY-MM-DD, or 'date unknown'."""
    return published or "date unknown"


def format_timestamp(seconds: float) -> str:
    """`m:ss` or `h:mm:ss`."""
    s = int(seconds)
    h, rem = divmod(s, 3600)
    m, sec = divmod(rem, 60)
    return f"{h}:{m:02d}:{sec:02d}" if h else f"{m}:{sec:02d}"
