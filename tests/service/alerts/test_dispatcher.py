"""Dispatcher: exactly-once alerts and follow notifications, digests, retries, restarts."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import discord
import pytest

from app.wiring import Library
from bot.alert_sender import target_gone
from service.alerts.dispatcher import Dispatcher, DispatchSettings, TargetGone
from service.alerts.matching import Evidence, TopicMatch, TopicMatcher
from service.alerts.messages import Alert, Digest, NewVideo
from service.alerts.state import AlertStore
from tests.alert_fixtures import FakeSender, corpus_files, video_id_of


def url(alert: Alert) -> str:
    """The link of a new-video alert."""
    assert isinstance(alert, NewVideo)
    return alert.url


class StubMatcher(TopicMatcher):
    """Matches when `rule(topic, video_id)` says so; quotes the video's first words."""

    def __init__(self, library: Library, rule: Callable[[str, str], bool]) -> None:
        super().__init__(library.topic_evidence)
        self.library = library
        self.rule = rule
        self.calls = 0

    def match(self, topic: str, video_id: str) -> TopicMatch:
        self.calls += 1
        hit = self.library.searcher.context(video_id, 0, 20, extra=0)
        assert hit is not None
        ok = self.rule(topic, video_id)
        return TopicMatch(topic, video_id, ok, Evidence(hit, 0.9 if ok else 0.1, 1.0 if ok else 0))


class Rig:
    """A library (fake embedder), an alert store and a dispatcher over a fake sender."""

    def __init__(self, make_library: Callable[..., Library], tmp_path: Path, sender: FakeSender,
                 rule: Callable[[str, str], bool] = lambda t, v: False, **settings: object
                 ) -> None:
        self.tmp_path = tmp_path
        self.lib = make_library()
        self.sender = sender
        self.matcher = StubMatcher(self.lib, rule)
        self.settings = DispatchSettings(backoff_seconds=0.0, **settings)  # type: ignore[arg-type]
        self.sleeps: list[float] = []
        self.store, self.dispatcher = self.open()

    def open(self) -> tuple[AlertStore, Dispatcher]:
        """A store and dispatcher, as a (re)started bot would have them."""
        store = AlertStore.in_dir(self.tmp_path / "data")

        async def sleep(seconds: float) -> None:
            self.sleeps.append(seconds)

        return store, Dispatcher(self.lib.catalog, store, self.sender, self.matcher,
                                 self.settings, sleep=sleep)

    def restart(self) -> None:
        self.store.close()
        self.store, self.dispatcher = self.open()

    def ingest(self, *files: Path) -> list[str]:
        report = self.lib.ingest(list(files))
        assert not report.rejected
        return report.ingested

    def age(self, video_id: str, hours: float) -> None:
        """Pretend a video was ingested `hours` ago."""
        when = (datetime.now(UTC) - timedelta(hours=hours)).isoformat(timespec="seconds")
        with self.lib.catalog.transaction() as c:
            c.execute("UPDATE videos SET ingested_at=? WHERE video_id=?", (when, video_id))

    def set_since(self, table: str, hours_ago: float) -> None:
        when = (datetime.now(UTC) - timedelta(hours=hours_ago)).isoformat(timespec="seconds")
        with sqlite3.connect(self.store.path) as c:
            c.execute(f"UPDATE {table} SET " + ("since=?" if table != "follows" else
                                                "created_at=?"), (when,))


@pytest.fixture
def rig(make_library: Callable[..., Library], tmp_path: Path, sender: FakeSender) -> Rig:
    return Rig(make_library, tmp_path, sender)


def forbidden() -> discord.Forbidden:
    return discord.Forbidden(SimpleNamespace(status=403, reason="Forbidden"),  # type: ignore[arg-type]
                             {"code": 50013, "message": "Missing Permissions"})


def not_found() -> discord.NotFound:
    return discord.NotFound(SimpleNamespace(status=404, reason="Not Found"),  # type: ignore[arg-type]
                            {"code": 10003, "message": "Unknown Channel"})


async def test_each_video_is_announced_once_per_channel(rig: Rig) -> None:
    rig.store.set_guild_channel(1, 10)
    rig.store.set_guild_channel(2, 20)
    ids = rig.ingest(*corpus_files(2))
    report = await rig.dispatcher.dispatch()
    assert sorted(report.announced) == sorted([(10, [ids[0]]), (10, [ids[1]]),
                                               (20, [ids[0]]), (20, [ids[1]])])
    assert [url(s.alert) for s in rig.sender.to(10)] == [
        f"https://www.youtube.com/watch?v={i}" for i in ids]
    again = await rig.dispatcher.dispatch()
    assert again.messages == 0 and len(rig.sender.sent) == 4


async def test_a_large_batch_becomes_one_digest(make_library: Callable[..., Library],
                                                tmp_path: Path, sender: FakeSender) -> None:
    rig = Rig(make_library, tmp_path, sender, digest_after=2)
    rig.store.set_guild_channel(1, 10)
    ids = rig.ingest(*corpus_files(3))
    await rig.dispatcher.dispatch()
    [digest] = rig.sender.to(10)
    assert isinstance(digest.alert, Digest)
    assert [v.video_id for v in digest.alert.videos] == ids
    embed = digest.message.embed  # as Discord shows it
    assert embed is not None and embed.title == "3 new videos"
    assert all(f"watch?v={i}" in (embed.description or "") for i in ids)
    more = rig.ingest(*corpus_files(5)[3:])
    await rig.dispatcher.dispatch()
    assert [url(s.alert) for s in rig.sender.to(10)[1:]] == [
        f"https://www.youtube.com/watch?v={i}" for i in more]


async def test_restart_between_ingest_and_alert_sends_exactly_one(rig: Rig) -> None:
    rig.store.set_guild_channel(1, 10)
    [vid] = rig.ingest(corpus_files(1)[0])
    rig.restart()  # the bot stopped after the ingest, before any alert went out
    await rig.dispatcher.dispatch()
    assert [url(s.alert) for s in rig.sender.sent] == [
        f"https://www.youtube.com/watch?v={vid}"]
    rig.restart()  # and stopping again after the alert does not repeat it
    await rig.dispatcher.dispatch()
    assert len(rig.sender.sent) == 1


async def test_restart_announces_only_within_max_age(rig: Rig) -> None:
    rig.store.set_guild_channel(1, 10)
    old, recent = rig.ingest(*corpus_files(2))
    rig.set_since("targets", 100)
    rig.age(old, 49)
    rig.age(recent, 47)
    rig.restart()
    report = await rig.dispatcher.dispatch()
    assert report.announced == [(10, [recent])]
    assert rig.store.cursor() is not None


async def test_transient_errors_are_retried_with_backoff(
        make_library: Callable[..., Library], tmp_path: Path, sender: FakeSender) -> None:
    rig = Rig(make_library, tmp_path, sender, attempts=4)
    rig.settings = DispatchSettings(attempts=4, backoff_seconds=1.0, max_backoff_seconds=3.0)
    rig.restart()
    rig.store.set_guild_channel(1, 10)
    rig.ingest(corpus_files(1)[0])
    sender.fail[10] = [ConnectionError("reset"), TimeoutError(), OSError("down")]
    report = await rig.dispatcher.dispatch()
    assert len(sender.to(10)) == 1 and report.failed == 0
    assert rig.sleeps == [1.0, 2.0, 3.0]  # doubled, capped


async def test_give_up_for_now_then_send_on_the_next_pass(rig: Rig) -> None:
    rig.store.set_guild_channel(1, 10)
    rig.store.set_guild_channel(2, 20)
    rig.ingest(corpus_files(1)[0])
    rig.sender.fail[10] = [ConnectionError("Discord is down")] * rig.settings.attempts
    report = await rig.dispatcher.dispatch()
    assert report.failed == 1 and rig.sender.to(10) == [] and len(rig.sender.to(20)) == 1
    report = await rig.dispatcher.dispatch()
    assert len(rig.sender.to(10)) == 1 and len(rig.sender.to(20)) == 1


@pytest.mark.parametrize(
    "error", [lambda: target_gone(forbidden()), lambda: target_gone(not_found()),
              lambda: TargetGone("deleted")])
async def test_gone_or_forbidden_channel_is_disabled_not_retried(
        rig: Rig, caplog: pytest.LogCaptureFixture, error: Callable[[], Exception]) -> None:
    rig.store.set_guild_channel(1, 10)
    rig.store.set_guild_channel(2, 20)
    rig.ingest(*corpus_files(2))
    err = error()
    rig.sender.fail[10] = [err]
    with caplog.at_level(logging.WARNING, logger="newsreel.alerts"):
        report = await rig.dispatcher.dispatch()
    assert report.disabled == ["channel 10"] and rig.sender.attempts == 3  # 1 + 2 for channel 20
    assert "disabling channel 10" in caplog.text
    target = rig.store.target(10)
    assert target is not None and not target.enabled and target.disabled_reason
    assert target.disabled_reason.startswith(type(err.__cause__ or err).__name__)  # Discord's
    rig.ingest(corpus_files(3)[2])
    await rig.dispatcher.dispatch()
    assert rig.sender.to(10) == [] and len(rig.sender.to(20)) == 3


async def test_server_switched_off_gets_nothing_and_no_backlog(rig: Rig) -> None:
    rig.store.set_guild_channel(1, 10)
    rig.store.set_guild_enabled(1, False)
    [during_off] = rig.ingest(corpus_files(1)[0])
    assert (await rig.dispatcher.dispatch()).messages == 0
    rig.age(during_off, 0.1)
    rig.store.set_guild_enabled(1, True)
    [after] = rig.ingest(corpus_files(2)[1])
    report = await rig.dispatcher.dispatch()
    assert report.announced == [(10, [after])]


async def test_a_new_channel_gets_no_backlog(rig: Rig) -> None:
    [vid] = rig.ingest(corpus_files(1)[0])
    rig.age(vid, 0.1)
    rig.store.set_guild_channel(1, 10)
    assert (await rig.dispatcher.dispatch()).messages == 0


async def test_follow_notified_once_with_mention_and_link(
        make_library: Callable[..., Library], tmp_path: Path, sender: FakeSender) -> None:
    files = corpus_files(3)
    target_id = video_id_of(files[1])
    rig = Rig(make_library, tmp_path, sender, rule=lambda t, v: v == target_id)
    follow, _ = rig.store.add_follow(user_id=7, guild_id=1, channel_id=100, topic="polar bears")
    rig.ingest(*files)
    report = await rig.dispatcher.dispatch()
    assert report.notified == [(follow.id, [target_id])] and report.no_match == 2
    [sent] = sender.sent
    assert sent.kind == "channel" and sent.target == 100 and sent.message.mention == 7
    assert sent.message.content.startswith("<@7> a new video matches your follow “polar bears”")
    assert f"https://www.youtube.com/watch?v={target_id}" in sent.message.content
    calls = rig.matcher.calls
    rig.restart()
    await rig.dispatcher.dispatch()
    assert len(sender.sent) == 1 and rig.matcher.calls == calls  # decided once, for good


async def test_follow_by_dm_and_closed_dms_disable_it(
        make_library: Callable[..., Library], tmp_path: Path, sender: FakeSender) -> None:
    rig = Rig(make_library, tmp_path, sender, rule=lambda t, v: True)
    dm, _ = rig.store.add_follow(user_id=7, guild_id=1, channel_id=100, topic="news",
                                 deliver="dm")
    chan, _ = rig.store.add_follow(user_id=8, guild_id=1, channel_id=100, topic="news",
                                   scope="channel")
    sender.fail[7] = [target_gone(forbidden())]  # as the Discord sender raises it
    rig.ingest(corpus_files(1)[0])
    report = await rig.dispatcher.dispatch()
    assert report.disabled == [f"DM to user 7 (follow {dm.id})"]
    [sent] = sender.sent
    assert sent.target == 100 and sent.message.mention is None  # the channel's follow
    assert [f.id for f in rig.store.follows(enabled_only=True)] == [chan.id]


async def test_follow_ignores_videos_from_before_it(rig: Rig) -> None:
    rig.matcher.rule = lambda t, v: True
    [vid] = rig.ingest(corpus_files(1)[0])
    rig.age(vid, 0.1)
    rig.store.add_follow(user_id=7, guild_id=1, channel_id=100, topic="anything")
    assert (await rig.dispatcher.dispatch()).messages == 0
