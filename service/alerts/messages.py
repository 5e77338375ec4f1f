"""What an alert says, as plain data: a new video, a digest of many, a follow notification.

Each front end renders these (Discord: `bot.alert_messages`); nothing here knows a platform.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from store.links import video_url
from store.records import Hit, VideoInfo
from store.search import ELLIPSIS

EXCERPT_WORDS = 40
TOPIC_CHARS = 100


@dataclass(frozen=True)
class NewVideo:
    """One new video, with the opening words of its transcript (verbatim)."""

    info: VideoInfo
    excerpt: str

    @property
    def url(self) -> str:
        """The video's link."""
        return video_url(self.info.video_id, self.info.url)


@dataclass(frozen=True)
class Digest:
    """Many new videos at once, oldest first."""

    videos: tuple[VideoInfo, ...]


@dataclass(frozen=True)
class FollowNotice:
    """New videos matching a followed topic: the matching passage of each, and whom to ping
    (the follower for a user's follow, nobody for a channel's)."""

    topic: str
    hits: tuple[Hit, ...]
    mention: int | None = None


Alert = NewVideo | Digest | FollowNotice


def opening_excerpt(words: Sequence[str], max_words: int = EXCERPT_WORDS) -> str:
    """The first words of a transcript, verbatim, with an ellipsis when there is more."""
    head = " ".join(words[:max_words])
    return head + ELLIPSIS if len(words) > max_words else head
