"""Coverage over time and across channels: date ranges, buckets, series and the summary line.

Pure functions over dataclasses: the use case (`service.coverage_finder`) decides which videos
cover a topic; this module only counts them by day or week and says what the counts show.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Literal

from service.arguments import BadArgument
from store.records import Hit

Bucket = Literal["day", "week"]

DEFAULT_DAYS = 90  # a trend without `since` shows the store's last 90 days
DAILY_MAX_DAYS = 62  # a longer range is counted by week: ~60 bars is what a chart can show
MAX_DAYS = 731  # two years by week is ~105 points; longer says nothing a chart can show


@dataclass(frozen=True)
class CoverageRequest:
    """A topic within an optional date range (YYYY-MM-DD, inclusive) and channel."""

    topic: str
    since: str | None = None
    until: str | None = None
    channel: str | None = None


@dataclass(frozen=True)
class CoveredVideo:
    """One video that passed the topic test, with the passage that made it pass."""

    video_id: str
    title: str
    channel: str
    published: str  # YYYY-MM-DD
    hit: Hit | None  # the matching passage (verbatim)
    similarity: float  # cosine of the topic and "title. passage"


@dataclass(frozen=True)
class DateRange:
    """The range a trend counts over, after defaults and clamping to the store's dates."""

    since: str
    until: str
    clamped: bool = False  # the asked-for range reached beyond the dates ingested

    @property
    def days(self) -> int:
        """Days in the range, both ends included."""
        return (date.fromisoformat(self.until) - date.fromisoformat(self.since)).days + 1


@dataclass(frozen=True)
class Trend:
    """How many videos of each channel covered a topic, per bucket of the range."""

    topic: str
    since: str
    until: str
    bucket: Bucket
    series: dict[str, list[tuple[str, int]]]  # channel → [(bucket start, videos)], every bucket
    videos: tuple[CoveredVideo, ...]  # oldest first
    clamped: bool = False

    @property
    def channels_covering(self) -> list[str]:
        """Channels with at least one covering video, most videos first."""
        totals = Counter(v.channel for v in self.videos)
        return [c for c, _ in sorted(totals.items(), key=lambda kv: (-kv[1], kv[0]))]

    def busiest(self) -> tuple[str, int] | None:
        """(bucket start, videos) of the bucket with most videos over all channels (earliest
        on a tie); None when nothing covered the topic."""
        totals: Counter[str] = Counter()
        for points in self.series.values():
            for day, n in points:
                totals[day] += n
        best = max(sorted(totals.items()), key=lambda kv: kv[1], default=None)
        return best if best and best[1] > 0 else None

    def busiest_range(self) -> tuple[str, str] | None:
        """(since, until) of the busiest bucket: one day, or the week from its Monday."""
        best = self.busiest()
        if best is None:
            return None
        start = date.fromisoformat(best[0])
        end = start if self.bucket == "day" else start + timedelta(days=6)
        return max(best[0], self.since), min(end.isoformat(), self.until)

    def to_json(self) -> dict[str, object]:
        """The `trend --json` object."""
        return {
            "topic": self.topic,
            "since": self.since,
            "until": self.until,
            "bucket": self.bucket,
            "series": {c: [[d, n] for d, n in pts] for c, pts in self.series.items()},
            "videos": [v.video_id for v in self.videos],
        }


@dataclass(frozen=True)
class ChannelCoverage:
    """What one channel said about a topic: its best passage, or None when it did not cover it."""

    channel: str
    best: CoveredVideo | None
    videos: int  # covering videos of this channel in the range


@dataclass(frozen=True)
class Comparison:
    """Each channel's best passage on a topic, side by side."""

    topic: str
    since: str
    until: str
    channels: tuple[ChannelCoverage, ...] = field(default_factory=tuple)

    def to_json(self) -> dict[str, object]:
        """The `compare --json` object."""
        return {
            "topic": self.topic,
            "since": self.since,
            "until": self.until,
            "channels": {
                c.channel: None if c.best is None or c.best.hit is None else {
                    **c.best.hit.to_json(), "videos": c.videos}
                for c in self.channels
            },
        }


def plan_range(
    since: str | None, until: str | None, first: str, last: str
) -> DateRange:
    """The range to count over: defaults (the store's last DEFAULT_DAYS), clamped to the store's
    dates `first`..`last`; BadArgument when nothing was ingested in it or it is too long."""
    end = until or last
    start = since or _shift(end, -(DEFAULT_DAYS - 1))
    if start > last or end < first:
        raise BadArgument(
            f"Nothing was ingested between {start} and {end}: the videos run from {first}"
            f" to {last}."
        )
    clamped = DateRange(max(start, first), min(end, last))
    # A default start before the first video is no range the user chose: not "clamped".
    asked = DateRange(since or clamped.since, end)
    clamped = DateRange(clamped.since, clamped.until, clamped != asked)
    if clamped.days > MAX_DAYS:
        raise BadArgument(
            f"That range holds {clamped.days} days of videos ({clamped.since} to"
            f" {clamped.until}); chart at most {MAX_DAYS} days at a time, e.g. `since`"
            f" {_shift(clamped.until, -(DEFAULT_DAYS - 1))}."
        )
    return clamped


def choose_bucket(days: int) -> Bucket:
    """Days for a range up to DAILY_MAX_DAYS long, weeks beyond."""
    return "day" if days <= DAILY_MAX_DAYS else "week"


def bucket_start(day: str, bucket: Bucket) -> str:
    """The bucket a YYYY-MM-DD date falls in: the day itself, or its week's Monday."""
    if bucket == "day":
        return day
    d = date.fromisoformat(day)
    return (d - timedelta(days=d.weekday())).isoformat()


def bucket_starts(since: str, until: str, bucket: Bucket) -> list[str]:
    """Every bucket of the range, in order (weeks from the Monday of `since`'s week)."""
    step = 1 if bucket == "day" else 7
    day = date.fromisoformat(bucket_start(since, bucket))
    end = date.fromisoformat(until)
    out = []
    while day <= end:
        out.append(day.isoformat())
        day += timedelta(days=step)
    return out


def count_series(
    videos: Iterable[CoveredVideo], channels: Sequence[str], since: str, until: str,
    bucket: Bucket,
) -> dict[str, list[tuple[str, int]]]:
    """Videos per channel and bucket, zeros included, for `channels` (in that order) and any
    channel of `videos` not among them."""
    counts: Counter[tuple[str, str]] = Counter()
    names = list(channels)
    for v in videos:
        counts[(v.channel, bucket_start(v.published, bucket))] += 1
        if v.channel not in names:
            names.append(v.channel)
    starts = bucket_starts(since, until, bucket)
    return {c: [(s, counts[(c, s)]) for s in starts] for c in names}


def make_trend(
    topic: str, span: DateRange, channels: Sequence[str], videos: Iterable[CoveredVideo]
) -> Trend:
    """The trend of the covering videos over the range, one series per channel."""
    kept = sorted(
        (v for v in videos if span.since <= v.published <= span.until),
        key=lambda v: (v.published, v.channel, v.video_id),
    )
    bucket = choose_bucket(span.days)
    series = count_series(kept, channels, span.since, span.until, bucket)
    return Trend(topic, span.since, span.until, bucket, series, tuple(kept), span.clamped)


def make_comparison(
    topic: str, span: DateRange, channels: Sequence[str], videos: Iterable[CoveredVideo]
) -> Comparison:
    """Each channel's closest covering passage (None for a channel that did not cover it)."""
    by_channel: dict[str, list[CoveredVideo]] = {c: [] for c in channels}
    for v in videos:
        if v.hit is not None:
            by_channel.setdefault(v.channel, []).append(v)
    rows = [
        ChannelCoverage(
            c, max(vs, key=lambda v: (v.similarity, v.published)) if vs else None, len(vs))
        for c, vs in by_channel.items()
    ]
    # Channels that covered the topic first (most videos first), then those that did not.
    rows.sort(key=lambda r: (r.best is None, -r.videos, r.channel))
    return Comparison(topic, span.since, span.until, tuple(rows))


def summary_line(trend: Trend) -> str:
    """One line: how many videos from how many channels, the range, the busiest bucket."""
    n, covering = len(trend.videos), trend.channels_covering
    videos = f"{n} video{'s' if n != 1 else ''}"
    channels = f"{len(covering)} channel{'s' if len(covering) != 1 else ''}"
    line = f"{trend.topic}: {videos} from {channels}, {trend.since} → {trend.until}"
    best = trend.busiest()
    if best is not None:
        what = "day" if trend.bucket == "day" else "week of"
        line += f"; busiest {what} {best[0]} with {best[1]}"
    return line


def nothing_found(topic: str, span: DateRange, channel: str | None = None) -> str:
    """The sentence for a topic that no video in the range covers (instead of an empty chart)."""
    where = f" from {channel}" if channel else ""
    return (
        f"No video{where} between {span.since} and {span.until} covers “{topic}”: try another"
        " wording or a wider range."
    )


def _shift(day: str, days: int) -> str:
    return (date.fromisoformat(day) + timedelta(days=days)).isoformat()
