"""What a fetch of a list of videos gives back, and the fetcher's Protocol: plain types, so that
what uses a fetcher does not load yt-dlp (`store.sources.fetcher` does)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol


@dataclass(frozen=True)
class ItemFailure:
    """A video of the list that could not be read this time (tried again next pass)."""

    video_id: str | None  # None when yt-dlp's message does not say which
    reason: str


@dataclass
class FetchResult:
    """What one pass over a list did."""

    url: str
    error: str | None = None  # the list itself could not be read (one line)
    new: list[str] = field(default_factory=list)  # video ids archived by this pass
    waiting: dict[str, str] = field(default_factory=dict)  # id → archive key: no captions yet
    failed: list[ItemFailure] = field(default_factory=list)
    seconds: float = 0.0


class Fetcher(Protocol):
    """Fetches the videos of a list not in its archive (`YtdlpFetcher`)."""

    def fetch(self, url: str, folder: Path, archive: Path, *, first: bool,
              revisit: bool) -> FetchResult:
        """One pass; `first`: the newest `backfill` only; `revisit`: look at them all again
        (videos that failed earlier) instead of stopping at the first one known."""
        ...
