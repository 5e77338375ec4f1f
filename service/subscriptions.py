"""Following channels: subscriptions kept in the catalog, polled with the fetcher into
`data_dir/subscriptions/`, and ingested by the same code as `newsreel ingest`.

A poll fetches every subscription (or the urls given), then ingests the folders that got new
videos in one run: a poll killed between the two loses nothing, since a marker left from before
the fetch makes the next one ingest whatever that folder holds and the catalog does not. The
archive of what yt-dlp fetched sits outside the folders it fills.
"""

from __future__ import annotations

import hashlib
import logging
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

from service.arguments import BadArgument
from store.index import PollRecord, SubscriptionRow, SubscriptionStore
from store.ingest import IngestReport
from store.sources import Fetcher, FetchResult

log = logging.getLogger("newsreel.subscriptions")

MAX_RETRY_SECONDS = 6 * 3600.0  # a failing list is retried at least this often
YOUTUBE_HOSTS = ("www.youtube.com", "youtube.com", "m.youtube.com", "youtu.be")

Ingest = Callable[[Sequence[Path]], IngestReport]


@dataclass(frozen=True)
class SubscriptionSettings:
    """`[subscriptions]` as the use cases need it."""

    root: Path  # data_dir/subscriptions
    urls: tuple[str, ...] = ()  # from the config file
    poll_minutes: float = 30.0
    give_up_hours: float = 48.0
    allowed_hosts: tuple[str, ...] = YOUTUBE_HOSTS  # for Discord members
    languages: tuple[str, ...] = ("en",)


@dataclass(frozen=True)
class Failure:
    """One thing a poll could not read: a whole list (video_id None) or one of its videos."""

    url: str
    video_id: str | None
    reason: str

    def line(self) -> str:
        """'URL: reason' or 'URL: VIDEO: reason'."""
        return f"{self.url}: {self.video_id + ': ' if self.video_id else ''}{self.reason}"


@dataclass(frozen=True)
class SourceOutcome:
    """A list's part of a poll."""

    url: str
    new: int
    error: str | None


@dataclass
class PollReport:
    """What one poll did (`newsreel fetch --json` prints `to_json()`)."""

    sources: list[SourceOutcome] = field(default_factory=list)
    failed: list[Failure] = field(default_factory=list)
    ingest: IngestReport = field(default_factory=IngestReport)
    fetch_seconds: float = 0.0
    seconds: float = 0.0

    @property
    def ingested(self) -> list[str]:
        """Video ids made searchable by this poll, sorted."""
        return sorted(self.ingest.ingested)

    @property
    def ok(self) -> bool:
        """Every list and video was read."""
        return not self.failed and not self.ingest.failed

    def summary_line(self) -> str:
        """'polled N sources, ingested N videos, failed N'."""
        return (f"polled {len(self.sources)} sources, ingested {len(self.ingested)} videos,"
                f" failed {len(self.failed)}")

    def to_json(self) -> dict[str, object]:
        """The `newsreel fetch --json` object."""
        return {
            "sources": [{"url": s.url, "new": s.new, "error": s.error} for s in self.sources],
            "ingested": self.ingested,
            "failed": [{"url": f.url, "video_id": f.video_id, "reason": f.reason}
                       for f in self.failed],
        }


@dataclass(frozen=True)
class Subscription:
    """One subscription as listed (`newsreel subscriptions --json`)."""

    url: str
    origin: str  # "config" | "added"
    last_poll: str | None
    last_error: str | None
    videos: int

    def to_json(self) -> dict[str, object]:
        """`{"url", "from", "last_poll", "last_error", "videos"}`."""
        return {"url": self.url, "from": self.origin, "last_poll": self.last_poll,
                "last_error": self.last_error, "videos": self.videos}


def check_url(url: str, allowed_hosts: Sequence[str] | None = None) -> str:
    """The url, stripped; BadArgument unless it is http(s) with a host (and, when
    `allowed_hosts` is given, one of those hosts on its default port, or an allowed
    'host:port', without a user)."""
    text = url.strip()
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        raise BadArgument(f"{text!r} is not a valid URL", "url") from None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise BadArgument(f"{text!r} is not an http(s) URL of a channel, playlist or feed", "url")
    if allowed_hosts is not None:
        # A host on its default port, or exactly 'host:port' when the operator allows that.
        host = parts.hostname.lower()
        where = host if port is None else f"{host}:{port}"
        allowed = [h.lower() for h in allowed_hosts]
        if where not in allowed or parts.username is not None:
            raise BadArgument(
                f"{host} is not a host this bot may follow from Discord (allowed: "
                f"{', '.join(allowed) or 'none'}); the operator can subscribe to it from the"
                " terminal", "url")
    return text


def source_slug(url: str) -> str:
    """A folder name for a list: readable host and path, plus a hash of the whole url."""
    parts = urlsplit(url)
    readable = re.sub(r"[^A-Za-z0-9@._-]+", "_", f"{parts.hostname or ''}{parts.path}")
    digest = hashlib.sha256(url.encode()).hexdigest()[:10]
    return f"{readable.strip('_')[:60]}-{digest}"


def iso(t: datetime) -> str:
    """The catalog's time format."""
    return t.astimezone(UTC).isoformat(timespec="seconds")


class Subscriptions:
    """Subscribe, unsubscribe, list, and poll."""

    def __init__(self, store: SubscriptionStore, fetcher: Fetcher, ingest: Ingest,
                 settings: SubscriptionSettings,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.store = store
        self.fetcher = fetcher
        self.ingest = ingest
        self.settings = settings
        self.clock = clock
        self._sync_config()

    def _sync_config(self) -> None:
        self.store.add(self.settings.urls, "config", iso(self.clock()))

    # --- subscribing ----------------------------------------------------------------------

    def listing(self) -> list[Subscription]:
        """Every subscription: the config file's, then those added, oldest first."""
        config = set(self.settings.urls)
        rows = [r for r in self.store.all() if r.origin == "added" or r.url in config]
        return [Subscription(r.url, "config" if r.url in config else r.origin, r.last_poll,
                             r.last_error, r.videos) for r in rows]

    def subscribe(self, urls: Sequence[str], *, from_discord: bool = False) -> list[str]:
        """Add subscriptions; the urls newly added. BadArgument for a url that is not http(s)
        (or, from Discord, not on an allowed host), before anything is added."""
        hosts = self.settings.allowed_hosts if from_discord else None
        checked = [check_url(u, hosts) for u in urls]
        return self.store.add(checked, "added", iso(self.clock()))

    def unsubscribe(self, url: str) -> bool:
        """Remove a subscription added at run time (its videos stay); whether there was one.
        BadArgument for one from the config file."""
        text = url.strip()
        if text in self.settings.urls:
            raise BadArgument(f"{text} comes from the config file: remove it from"
                              " [subscriptions] urls there", "url")
        return self.store.remove(text)

    def folder(self, url: str) -> Path:
        """Where a list's captions and info.json files go."""
        return self.settings.root / source_slug(url)

    def archive(self, url: str) -> Path:
        """yt-dlp's download archive of a list (beside the folders, never ingested)."""
        return self.settings.root / ".archives" / f"{source_slug(url)}.txt"

    # --- polling --------------------------------------------------------------------------

    def due(self) -> list[str]:
        """Subscriptions a scheduled poll should read now (a failing one waits its delay)."""
        now = iso(self.clock())
        return [s.url for s in self.listing()
                if (row := self.store.get(s.url)) is None or not row.next_try
                or row.next_try <= now]

    def poll(self, urls: Sequence[str] | None = None, *, due_only: bool = False) -> PollReport:
        """Fetch every subscription (or `urls`, which are not subscribed by this), then ingest
        what their folders hold that the catalog does not. Failures are in the report."""
        started = time.perf_counter()
        self._sync_config()
        if urls is None:
            targets = self.due() if due_only else [s.url for s in self.listing()]
        else:
            targets = list(dict.fromkeys(check_url(u) for u in urls))
        report = PollReport()
        folders: dict[Path, str] = {}
        for url in targets:
            if self._poll_one(url, report):
                folders[self.folder(url)] = url
        report.fetch_seconds = time.perf_counter() - started
        if folders:
            report.ingest = self.ingest(sorted(f for f in folders if f.is_dir()))
            if not report.ingest.failed:
                for url in folders.values():
                    self._unfinished(url).unlink(missing_ok=True)
            for name, reason in report.ingest.rejected:
                owner = next((u for f, u in folders.items() if Path(name).parent == f), "")
                found = re.search(r"\[([^\]]+)\]\.[^\[\]]+$", Path(name).name)
                report.failed.append(Failure(owner, found[1] if found else None,
                                             f"{Path(name).name}: {reason}"))
            if report.ingest.failed:
                report.failed.append(Failure("", None, f"ingest stopped: {report.ingest.failed}"))
        report.seconds = time.perf_counter() - started
        return report

    def _unfinished(self, url: str) -> Path:
        """Present from before a fetch until its folder was ingested: a poll that finds it
        was killed in between, and ingests the folder whatever it fetches itself."""
        return self.archive(url).with_suffix(".unfinished")

    def _poll_one(self, url: str, report: PollReport) -> bool:
        """Fetch one list; whether its folder must be ingested (new videos, or a poll killed
        before ingesting)."""
        row = self.store.get(url)
        archive = self.archive(url)
        unfinished = self._unfinished(url)
        killed = unfinished.exists()
        unfinished.parent.mkdir(parents=True, exist_ok=True)
        unfinished.touch()
        first = not archive.is_file() or archive.stat().st_size == 0
        # Videos failed last time, wait for captions, or a poll was killed midway: look at the
        # newest ones again, since stopping at the first known video would never get back to
        # an older one.
        retry = archive.with_suffix(".retry")
        revisit = killed or retry.exists() or self.store.waiting_count(url) > 0
        try:
            result = self.fetcher.fetch(url, self.folder(url), archive, first=first,
                                        revisit=revisit)
        except Exception as err:  # a bug or an odd site: this list fails, the others go on
            log.debug("fetch of %s failed", url, exc_info=True)
            result = FetchResult(url, error=f"{err.__class__.__name__}: {err}")
        now = self.clock()
        if result.failed:
            retry.parent.mkdir(parents=True, exist_ok=True)
            retry.touch()
        elif not result.error:
            retry.unlink(missing_ok=True)
        failures = [Failure(url, f.video_id, f.reason) for f in result.failed]
        failures += self._waiting(url, result, now)
        report.sources.append(SourceOutcome(url, len(result.new), result.error))
        if result.error:
            report.failed.append(Failure(url, None, result.error))
        report.failed.extend(failures)
        if row is not None:
            self._record(row, result, bool(result.failed), now)
        if killed or result.new:
            return True
        unfinished.unlink()  # nothing to ingest: this poll is complete
        return False

    def _waiting(self, url: str, result: FetchResult, now: datetime) -> list[Failure]:
        """Remember videos without captions; name once, and leave, those past give_up_hours."""
        store = self.store
        store.forget_waiting(url, result.new)
        store.note_waiting(url, result.waiting, iso(now))
        cutoff = iso(now - timedelta(hours=self.settings.give_up_hours))
        overdue = store.waiting_since(url, cutoff)
        if not overdue:
            return []
        # Archived without captions, so yt-dlp passes them by from now on.
        archive = self.archive(url)
        archive.parent.mkdir(parents=True, exist_ok=True)
        with archive.open("a", encoding="utf-8") as f:
            f.writelines(f"{key}\n" for key in overdue.values())
        store.forget_waiting(url, list(overdue))
        langs = ", ".join(self.settings.languages)
        hours = f"{self.settings.give_up_hours:g}"
        return [Failure(url, vid, f"no captions in {langs} after {hours} hours; left out")
                for vid in overdue]

    def _record(self, row: SubscriptionRow, result: FetchResult, item_failed: bool,
                now: datetime) -> None:
        failures = row.failures + 1 if result.error else 0
        next_try = None
        if result.error:
            delay = min(self.settings.poll_minutes * 60 * 2 ** (failures - 1), MAX_RETRY_SECONDS)
            next_try = iso(now + timedelta(seconds=delay))
            if row.last_error is None:  # logged once when it starts failing, not every poll
                log.warning("%s: %s (retried with a growing delay, at most every %g h)",
                            row.url, result.error, MAX_RETRY_SECONDS / 3600)
        elif row.last_error is not None:
            log.warning("%s: readable again", row.url)
        backfilled = row.backfilled or not result.error
        waiting = self.store.waiting_count(row.url)
        self.store.record_poll(row.url, PollRecord(
            iso(now), len(result.new), result.error, failures, next_try, backfilled,
            revisit=item_failed or waiting > 0, videos=row.videos + len(result.new)))
