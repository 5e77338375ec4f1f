"""The frozen dataclasses every layer passes around."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Transcript:
    """One video's transcript: metadata plus its words, with per-word start seconds when known."""

    video_id: str
    title: str
    channel: str
    published: str  # ISO date, YYYY-MM-DD; '' when unknown
    words: tuple[str, ...]
    word_starts: tuple[float | None, ...] | None = None  # same length as words
    source: str = ""  # file it came from, for messages
    thumbnail: str = ""
    url: str = ""  # the video's page (yt-dlp webpage_url); '' = the YouTube video with this id

    @property
    def text(self) -> str:
        """The whole transcript as one line of words."""
        return " ".join(self.words)

    @property
    def programme(self) -> str:
        """The programme named after the last '|' of the title (e.g. 'BBC Newscast')."""
        head, sep, tail = self.title.rpartition("|")
        return tail.strip() if sep and head else ""

    @property
    def is_timed(self) -> bool:
        """True when at least some words have a start time."""
        return self.word_starts is not None and any(s is not None for s in self.word_starts)


@dataclass(frozen=True)
class Chunk:
    """A window of words from one transcript; its id is `<video_id>:<first word index>`."""

    video_id: str
    start_word: int
    end_word: int  # exclusive
    text: str
    start_s: float | None = None

    @property
    def id(self) -> str:
        """Deterministic id, so re-ingest is an upsert."""
        return chunk_id(self.video_id, self.start_word)


def chunk_id(video_id: str, start_word: int) -> str:
    """The id of the chunk of `video_id` that starts at word `start_word`."""
    return f"{video_id}:{start_word}"


@dataclass(frozen=True)
class VideoInfo:
    """Catalog metadata of one ingested video."""

    video_id: str
    title: str
    channel: str
    published: str
    n_words: int
    timed: bool
    ingested_at: str = ""
    source: str = ""
    url: str = ""  # the video's page; '' = the YouTube video with this id


@dataclass(frozen=True)
class SearchFilters:
    """Restrictions on which videos a search may return."""

    channel: str | None = None
    since: str | None = None  # YYYY-MM-DD inclusive
    until: str | None = None  # YYYY-MM-DD inclusive
    video_id: str | None = None

    @property
    def active(self) -> bool:
        """True when any filter is set."""
        return any((self.channel, self.since, self.until, self.video_id))


@dataclass(frozen=True)
class Hit:
    """One answer passage: a verbatim quote from a video with a link to its moment."""

    video_id: str
    title: str
    channel: str
    published: str
    quote: str
    start_s: float | None
    url: str
    score: float
    start_word: int = 0
    end_word: int = 0
    approximate_time: bool = False
    matched_terms: tuple[str, ...] = field(default_factory=tuple)
    # The part of the passage that best matches the question, emphasised where it is shown:
    # words [focus_start, focus_end) of the video, inside [start_word, end_word); `focus` is
    # those words verbatim ("" when no part is singled out).
    focus_start: int = 0
    focus_end: int = 0
    focus: str = ""

    def to_json(self) -> dict[str, object]:
        """The contract shape of a hit in `search --json`: `quote` is the whole passage shown,
        `focus` its emphasised verbatim part (a substring of `quote`)."""
        return {
            "video_id": self.video_id,
            "title": self.title,
            "channel": self.channel,
            "published": self.published or None,  # None: the date is unknown
            "quote": self.quote,
            "focus": self.focus,
            "start_s": self.start_s,
            "url": self.url,
            "score": round(self.score, 4),
        }


@dataclass(frozen=True)
class ChunkRow:
    """A chunk as the catalog knows it, with its text and video metadata."""

    id: str
    video_id: str
    start_word: int
    end_word: int
    start_s: float | None
    text: str


@dataclass(frozen=True)
class VideoText:
    """A video's full word list and per-word start seconds, for quoting and context."""

    video_id: str
    words: tuple[str, ...]
    word_starts: tuple[float | None, ...] | None
