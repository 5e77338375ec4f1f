"""Sends what is pending: new-video alerts to channels and follow notifications, exactly once.

Each pass reads the recently ingested videos from the catalog and the ledgers from the alert
store, works out what each target and follow has not had yet, sends it through an injected
`AlertSender` with retries and back-off, and records every success in the ledger right after
it. A target that is gone or forbidden is disabled with a log line; any other failure leaves
the work pending for the next pass, so Discord trouble never blocks ingestion or loses alerts.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Protocol

from service.alerts.matching import TopicMatch, TopicMatcher
from service.alerts.messages import Alert, Digest, FollowNotice, NewVideo, opening_excerpt
from service.alerts.state import AlertStore, Follow, GuildSettings, Outcome, Target
from store.index import Catalog
from store.records import Hit, VideoInfo

log = logging.getLogger("newsreel.alerts")


class TargetGone(Exception):
    """The channel or user cannot be reached for good (deleted, no permission, DMs closed).

    Retrying will not help: the target is disabled instead. Senders raise it for their
    platform's refusals (the Discord sender for Forbidden and NotFound, kept as the cause).
    """


class AlertSender(Protocol):
    """Where alerts go; the Discord adapter is `bot.alert_sender.DiscordAlertSender`."""

    async def send_channel(self, channel_id: int, message: Alert) -> None:
        """Post to a channel; raise TargetGone if it cannot ever work."""
        ...

    async def send_dm(self, user_id: int, message: Alert) -> None:
        """Send a direct message to a user; same errors as send_channel."""
        ...


@dataclass(frozen=True)
class DispatchSettings:
    """How alerts are grouped, how far back a restart looks, and how sends are retried."""

    digest_after: int = 5  # more pending videos than this for one channel: one digest
    max_age_hours: float = 48.0
    attempts: int = 4
    backoff_seconds: float = 1.0  # doubled after each failed attempt
    max_backoff_seconds: float = 30.0
    cursor_slack_seconds: float = 300.0  # re-read a little before the cursor: cheap, and safe


@dataclass
class DispatchReport:
    """What one pass did."""

    announced: list[tuple[int, list[str]]] = field(default_factory=list)  # (channel, videos)
    notified: list[tuple[int, list[str]]] = field(default_factory=list)  # (follow id, videos)
    no_match: int = 0
    disabled: list[str] = field(default_factory=list)
    failed: int = 0  # sends given up for this pass (still pending)

    @property
    def messages(self) -> int:
        """Messages posted in this pass."""
        return len(self.announced) + len(self.notified)


@dataclass(frozen=True)
class Snapshot:
    """What a pass works from, read in one go off the event loop."""

    now: str
    videos: list[VideoInfo]
    targets: list[Target]
    guilds: dict[int, GuildSettings]
    follows: list[Follow]
    announced: set[tuple[str, int]]
    notified: set[tuple[str, int]]


def iso_hours_before(now: str, hours: float) -> str:
    """An ISO time `hours` before `now`, in the catalog's format."""
    t = datetime.fromisoformat(now) - timedelta(hours=hours)
    return t.astimezone(UTC).isoformat(timespec="seconds")


def pending_for_target(snap: Snapshot, target: Target) -> list[VideoInfo]:
    """Videos a channel has not been told about yet, oldest first."""
    guild = snap.guilds.get(target.guild_id)
    if guild is not None and not guild.enabled:
        return []
    since = max(target.since, guild.since if guild else "")
    return [v for v in snap.videos
            if v.ingested_at >= since and (v.video_id, target.channel_id) not in snap.announced]


def pending_for_follow(snap: Snapshot, follow: Follow) -> list[VideoInfo]:
    """Videos not yet checked against a follow, oldest first."""
    return [v for v in snap.videos
            if v.ingested_at >= follow.created_at and (v.video_id, follow.id) not in snap.notified]


class Dispatcher:
    """Finds pending alerts and sends them; one pass at a time."""

    def __init__(
        self,
        catalog: Catalog,
        store: AlertStore,
        sender: AlertSender,
        matcher: TopicMatcher,
        settings: DispatchSettings | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.catalog = catalog
        self.store = store
        self.sender = sender
        self.matcher = matcher
        self.settings = settings or DispatchSettings()
        self._sleep = sleep
        self._lock = asyncio.Lock()

    async def dispatch(self) -> DispatchReport:
        """One pass over everything pending; concurrent calls queue up behind each other."""
        async with self._lock:
            report = DispatchReport()
            snap = await asyncio.to_thread(self._snapshot)
            if not snap.videos:
                return report
            # Channels and followers are independent: a slow or failing one must not hold up
            # the others, so each gets its own task (its own sends stay in order).
            jobs = [self._announce(snap, t, report) for t in snap.targets]
            jobs += [self._notify_follows(snap, report)]
            await asyncio.gather(*jobs)
            await asyncio.to_thread(self._advance_cursor, snap)
            return report

    # --- reading --------------------------------------------------------------------------

    def _snapshot(self) -> Snapshot:
        now = datetime.now(UTC).isoformat(timespec="seconds")
        start = iso_hours_before(now, self.settings.max_age_hours)
        cursor = self.store.cursor()
        if cursor:
            start = max(start, iso_hours_before(cursor, self.settings.cursor_slack_seconds / 3600))
        videos = self.catalog.ingested_since(start)
        ids = [v.video_id for v in videos]
        return Snapshot(
            now=now, videos=videos,
            targets=self.store.targets(enabled_only=True),
            guilds=self.store.guilds(),
            follows=self.store.follows(enabled_only=True),
            announced=self.store.announced(ids) if ids else set(),
            notified=self.store.notified(ids) if ids else set(),
        )

    def _advance_cursor(self, snap: Snapshot) -> None:
        # Up to the oldest video that still has work (a target whose sends failed, say), else
        # up to the newest one seen. Works only as a bound: the ledgers decide what is sent.
        ids = [v.video_id for v in snap.videos]
        announced, notified = self.store.announced(ids), self.store.notified(ids)
        targets = self.store.targets(enabled_only=True)
        follows = self.store.follows(enabled_only=True)
        after = Snapshot(snap.now, snap.videos, targets, self.store.guilds(), follows,
                         announced, notified)
        open_ = {v.video_id for t in targets for v in pending_for_target(after, t)}
        open_ |= {v.video_id for f in follows for v in pending_for_follow(after, f)}
        waiting = [v.ingested_at for v in snap.videos if v.video_id in open_]
        cursor = min(waiting) if waiting else max(v.ingested_at for v in snap.videos)
        if cursor != self.store.cursor():
            self.store.set_cursor(cursor)
            # Follows x videos would grow without end; misses older than the window are moot.
            self.store.prune_no_match(iso_hours_before(snap.now, 2 * self.settings.max_age_hours))

    # --- new-video alerts -----------------------------------------------------------------

    async def _announce(self, snap: Snapshot, target: Target, report: DispatchReport) -> None:
        pending = pending_for_target(snap, target)
        if not pending:
            return
        where = f"channel {target.channel_id}"
        if len(pending) > self.settings.digest_after:
            batches = [(pending, "digest")]
        else:
            batches = [([v], "video") for v in pending]
        for videos, kind in batches:
            message = await asyncio.to_thread(self._announcement, videos, kind)
            outcome, reason = await self._deliver(
                partial(self.sender.send_channel, target.channel_id, message), where)
            if outcome == "gone":
                await asyncio.to_thread(self.store.disable_target, target.channel_id, reason)
                report.disabled.append(where)
                return
            if outcome == "failed":
                report.failed += 1
                return  # keep the order: the rest waits for the next pass
            ids = [v.video_id for v in videos]
            await asyncio.to_thread(self.store.mark_announced, ids, target.channel_id, kind)
            report.announced.append((target.channel_id, ids))

    def _announcement(self, videos: Sequence[VideoInfo], kind: str) -> Alert:
        if kind == "digest":
            return Digest(tuple(videos))
        text = self.catalog.video_text(videos[0].video_id)
        return NewVideo(videos[0], opening_excerpt(text.words) if text else "")

    # --- follows --------------------------------------------------------------------------

    async def _notify_follows(self, snap: Snapshot, report: DispatchReport) -> None:
        work = {f.id: pending_for_follow(snap, f) for f in snap.follows}
        if not any(work.values()):
            return
        matches = await asyncio.to_thread(self._match_all, snap.follows, work)
        decisions: list[tuple[str, int, Outcome, float | None]] = []
        sends = []
        for follow in snap.follows:
            hits: list[Hit] = []
            for video in work[follow.id]:
                m = matches[(follow.topic, video.video_id)]
                if m.matched and m.hit is not None:
                    hits.append(m.hit)
                else:
                    decisions.append((video.video_id, follow.id, "no_match", m.similarity))
            if hits:
                sends.append(self._send_follow(follow, hits, matches, report))
        report.no_match += len(decisions)
        if decisions:
            await asyncio.to_thread(self.store.mark_notified, decisions)
        await asyncio.gather(*sends)

    def _match_all(self, follows: Sequence[Follow], work: dict[int, list[VideoInfo]]
                   ) -> dict[tuple[str, str], TopicMatch]:
        # Many followers share topics: each (topic, video) is searched once per pass.
        out: dict[tuple[str, str], TopicMatch] = {}
        for follow in follows:
            for video in work[follow.id]:
                key = (follow.topic, video.video_id)
                if key not in out:
                    out[key] = self.matcher.match(follow.topic, video.video_id)
                    m = out[key]
                    log.debug("follow %r vs %s: matched=%s similarity=%.3f", follow.topic,
                              video.video_id, m.matched, m.similarity)
        return out

    async def _send_follow(self, follow: Follow, hits: list[Hit],
                           matches: dict[tuple[str, str], TopicMatch],
                           report: DispatchReport) -> None:
        mention = follow.user_id if follow.scope == "user" else None
        message = FollowNotice(follow.topic, tuple(hits), mention)
        send: Callable[[], Awaitable[None]]
        if follow.deliver == "dm":
            where = f"DM to user {follow.user_id} (follow {follow.id})"
            send = partial(self.sender.send_dm, follow.user_id, message)
        else:
            where = f"channel {follow.channel_id} (follow {follow.id})"
            send = partial(self.sender.send_channel, follow.channel_id, message)
        outcome, reason = await self._deliver(send, where)
        if outcome == "gone":
            await asyncio.to_thread(self.store.disable_follow, follow.id, reason)
            report.disabled.append(where)
        elif outcome == "failed":
            report.failed += 1
        else:
            decisions: list[tuple[str, int, Outcome, float | None]] = [
                (h.video_id, follow.id, "sent", matches[(follow.topic, h.video_id)].similarity)
                for h in hits
            ]
            await asyncio.to_thread(self.store.mark_notified, decisions)
            report.notified.append((follow.id, [h.video_id for h in hits]))

    # --- sending --------------------------------------------------------------------------

    async def _deliver(self, send: Callable[[], Awaitable[None]], where: str
                       ) -> tuple[str, str]:
        """('sent' | 'gone' (disable the target) | 'failed' (retry on a later pass), reason)."""
        s = self.settings
        delay = s.backoff_seconds
        reason = ""
        for attempt in range(1, max(1, s.attempts) + 1):
            try:
                await send()
                return "sent", ""
            except TargetGone as err:
                cause = err.__cause__ or err  # the platform's own refusal, when there is one
                reason = f"{cause.__class__.__name__}: {cause}"[:300]
                log.warning("alerts: disabling %s: %s", where, reason)
                return "gone", reason
            except Exception as err:
                reason = f"{err.__class__.__name__}: {err}"[:300]
                if attempt >= s.attempts:
                    break
                log.info("alerts: sending to %s failed (%s); retrying in %.1fs", where, reason,
                         delay)
                await self._sleep(delay)
                delay = min(delay * 2, s.max_backoff_seconds)
        log.warning("alerts: sending to %s failed %d times (%s); will retry on the next pass",
                    where, s.attempts, reason)
        return "failed", reason
