"""The poll use case over the real yt-dlp and a fake channel on 127.0.0.1, with a clock the test
moves: captions that never come, a failing list's growing delay, logs once per change; and the
checks of what may be subscribed to."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from app.config import SubscriptionsConfig
from app.wiring import Library, build_library
from service.arguments import BadArgument
from service.subscriptions import Subscriptions, check_url, source_slug
from store.encoders.embedder import HashingEmbedder
from tests.fake_channel import FakeChannel
from tests.fixtures_store import config_for

pytestmark = pytest.mark.timeout(60)


@pytest.fixture(autouse=True)
def _guard(network_guard: None) -> None:
    """Nothing here may reach an address other than 127.0.0.1."""


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kw: float) -> None:
        self.now += timedelta(**kw)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def lib(tmp_path: Path) -> Iterator[Library]:
    config = replace(config_for(tmp_path / "data"),
                     subscriptions=SubscriptionsConfig(give_up_hours=48, poll_minutes=30))
    library = build_library(config, HashingEmbedder())
    yield library
    library.close()


@pytest.fixture
def subs(lib: Library, clock: Clock) -> Subscriptions:
    real = lib.subscriptions
    return Subscriptions(real.store, real.fetcher, real.ingest, real.settings, clock)


def test_a_video_that_never_gets_captions_is_named_once_and_left(
        subs: Subscriptions, channel: FakeChannel, clock: Clock) -> None:
    channel.add("vid004", captions="no_track")
    subs.subscribe([channel.feed_url])
    first = subs.poll()
    assert first.ok and first.ingested == ["vid001", "vid002", "vid003"]
    clock.advance(hours=47)
    assert subs.poll().failed == []  # still waiting: not a failure
    clock.advance(hours=2)
    [named] = subs.poll().failed
    assert named.video_id == "vid004" and "no captions in en after 48 hours" in named.reason
    channel.take_requests()
    later = subs.poll()
    assert later.ok and later.failed == []  # named once, then left alone
    assert subs.store.waiting_count(channel.feed_url) == 0
    # A feed's items carry no id: yt-dlp reads the newest page, finds it archived, stops.
    assert channel.take_requests() == ["/feed.xml", "/v/vid004.html"]


def test_a_failing_list_waits_a_growing_delay_and_is_logged_once(
        subs: Subscriptions, channel: FakeChannel, clock: Clock,
        caplog: pytest.LogCaptureFixture) -> None:
    url = channel.feed_url
    subs.subscribe([url])
    channel.stop()
    caplog.set_level(logging.WARNING, "newsreel.subscriptions")
    due: Callable[[], list[str]] = subs.due
    waits = []
    for _ in range(4):
        report = subs.poll(due_only=True)
        assert [s.url for s in report.sources] == [url] and not report.ok
        polled_at = clock.now
        while True:  # the bot's schedule: every 30 minutes, a failing list only when due
            clock.advance(minutes=30)
            if due():
                break
        waits.append((clock.now - polled_at) / timedelta(minutes=1))
    assert waits == [30, 60, 120, 240]
    assert subs.poll(due_only=True).sources  # due: polled
    assert subs.poll(due_only=True).sources == []  # not due yet: left alone
    failing = [r for r in caplog.records if "Connection refused" in r.getMessage()]
    assert len(failing) == 1 and url in failing[0].getMessage()

    for _ in range(12):  # the delay stops growing at six hours
        clock.advance(hours=7)
        subs.poll(due_only=True)
    clock.advance(hours=5, minutes=59)
    assert due() == []
    clock.advance(minutes=2)
    assert due() == [url]

    channel.start()
    report = subs.poll(due_only=True)
    assert report.ok and report.ingested == ["vid001", "vid002", "vid003"]
    assert [r.getMessage() for r in caplog.records][-1] == f"{url}: readable again"
    assert len(caplog.records) == 2


def test_what_may_be_subscribed_to() -> None:
    youtube = ("www.youtube.com", "youtube.com", "m.youtube.com", "youtu.be")
    assert check_url(" https://www.youtube.com/@BBCNews/videos ", youtube) == (
        "https://www.youtube.com/@BBCNews/videos")
    for bad in ("ftp://example.com/x", "javascript:alert(1)", "www.youtube.com/@x", "http://"):
        with pytest.raises(BadArgument, match="not an http"):
            check_url(bad)
    # From Discord: only the allowed hosts, on their own port, without credentials.
    for inside in ("http://127.0.0.1:8080/feed.xml", "http://169.254.169.254/latest",
                   "https://www.youtube.com:8443/x", "https://user@www.youtube.com/x",
                   "https://youtube.com.evil.example/x"):
        with pytest.raises(BadArgument, match="not a host this bot may follow"):
            check_url(inside, youtube)
    assert check_url("http://127.0.0.1:8080/feed.xml") == "http://127.0.0.1:8080/feed.xml"
    assert check_url("http://127.0.0.1:8080/f", ["127.0.0.1:8080"]) == "http://127.0.0.1:8080/f"
    # Each list has its own folder, named readably.
    a, b = (source_slug(f"https://www.youtube.com/@{n}/videos") for n in ("BBCNews", "dwnews"))
    assert a != b and a.startswith("www.youtube.com_@BBCNews_videos-")
