"""End to end through discord.py and the local Discord stand-in, with the real model:
files dropped into the inbox of a running bot become alerts and follow notifications."""

from __future__ import annotations

import asyncio
import time
from dataclasses import replace
from pathlib import Path

import pytest

from app.bot_wiring import alerts_cog
from app.config import AlertsConfig, Config, DiscordConfig
from app.wiring import build_library
from bot.alert_sender import DiscordAlertSender
from bot.client import NewsreelBot
from service.alerts.dispatcher import DispatchSettings
from service.alerts.messages import Alert
from service.alerts.state import AlertStore
from store.encoders.embedder import SentenceTransformerEmbedder
from tests.alert_fixtures import (
    BANGLADESH,
    ISLAMABAD_BLAST,
    ISLAMIC_STATE_MOSQUE,
    arrivals,
    drop,
    newsreel,
    slash,
    video_id_of,
)
from tests.discord_standin.server import DiscordStandIn, RecordedRequest
from tests.fixtures_store import config_for

pytestmark = [pytest.mark.model, pytest.mark.timeout(120)]

def bot_config(data: Path, inbox: Path, news_channel: int) -> Config:
    inbox.mkdir(parents=True, exist_ok=True)
    return replace(config_for(data), discord=DiscordConfig(cooldown_seconds=0), alerts=AlertsConfig(
        inboxes=(inbox,), channel_ids=(news_channel,), digest_after=5, rescan_seconds=2.0))


def posts(standin: DiscordStandIn, channel_id: int) -> list[RecordedRequest]:
    return [r for r in standin.requests if r.route == "channel_message" and r.method == "POST"
            and r.path == f"/channels/{channel_id}/messages" and r.status == 200]


def dm_channel_of(standin: DiscordStandIn, user_id: int) -> int | None:
    for cid, c in standin.channels.items():
        if [int(u["id"]) for u in c.get("recipients", [])] == [user_id]:
            return cid
    return None


def link(path: Path) -> str:
    return f"https://www.youtube.com/watch?v={video_id_of(path)}"


async def test_ten_files_one_digest_and_the_right_follow_notifications(
        tmp_path: Path, real_embedder: SentenceTransformerEmbedder,
        discord_standin: DiscordStandIn) -> None:
    s = discord_standin
    inbox = tmp_path / "inbox"
    lib = build_library(bot_config(tmp_path / "data", inbox, s.other_channel_id), real_embedder)
    try:
        async with newsreel(lib, s):
            await s.wait_for_request(lambda r: r.route == "sync", timeout=10)
            reply = await slash(s, "follow", {"topic": "mosque bombing in Islamabad"})
            assert reply["flags"] == 64 and "mention you here" in reply["content"]
            reply = await slash(s, "follow", {"topic": "Bangladesh election", "notify": "dm"},
                                user_id=s.other_user_id)
            assert "direct message" in reply["content"]
            await slash(s, "follow", {"topic": "polar bears"}, user_id=s.other_user_id)
            listing = await slash(s, "following", {})
            assert "mosque bombing in Islamabad" in listing["content"]

            started = drop(arrivals(), inbox)
            digest = await s.wait_for_request(
                lambda r: r.route == "channel_message" and r.path.endswith(
                    f"/{s.other_channel_id}/messages"), timeout=60)
            alice = await s.wait_for_request(
                lambda r: r.route == "channel_message" and "<@" in str(
                    (r.json or {}).get("content")), timeout=60)
            bob = await s.wait_for_request(
                lambda r: r.route == "channel_message" and r.path.endswith(
                    f"/{dm_channel_of(s, s.other_user_id)}/messages"), timeout=60)
            await asyncio.sleep(3.0)  # anything extra would have come by now (rescan is 2 s)
        print(f"\nten files written -> digest posted {digest.received_at - started:.2f}s, "
              f"follow notifications {alice.received_at - started:.2f}s / "
              f"{bob.received_at - started:.2f}s")
    finally:
        lib.close()

    [only] = posts(s, s.other_channel_id)  # one digest, not ten alerts
    embed = only.json["embeds"][0]
    assert embed["title"] == "10 new videos"
    assert all(f"watch?v={video_id_of(p)})" in embed["description"] for p in arrivals())
    assert only.json["allowed_mentions"] == {"parse": []}

    [note] = posts(s, s.channel_id)  # alice's follow, where she followed
    assert note.json["content"].startswith(f"<@{s.user_id}> 2 new videos match your follow")
    assert note.json["allowed_mentions"] == {"parse": [], "users": [s.user_id]}
    assert [u["id"] for u in note.response["mentions"]] == [str(s.user_id)]
    assert link(arrivals(ISLAMIC_STATE_MOSQUE)[0]) in note.json["content"]
    assert link(arrivals(ISLAMABAD_BLAST)[0]) in note.json["content"]

    dm = dm_channel_of(s, s.other_user_id)
    assert dm is not None
    [bobs] = posts(s, dm)  # Bangladesh by DM; polar bears: nothing
    assert bobs.json["content"].startswith(f"<@{s.other_user_id}> a new video matches")
    assert link(arrivals(BANGLADESH)[0]) in bobs.json["content"]
    assert bobs.json["allowed_mentions"] == {"parse": [], "users": [s.other_user_id]}


async def test_restart_between_ingest_and_alert_posts_exactly_one(
        tmp_path: Path, real_embedder: SentenceTransformerEmbedder,
        discord_standin: DiscordStandIn,
) -> None:
    s = discord_standin
    inbox = tmp_path / "inbox"
    data = tmp_path / "data"
    lib = build_library(bot_config(data, inbox, s.other_channel_id), real_embedder)
    first, second, third = arrivals(BANGLADESH, ISLAMABAD_BLAST, ISLAMIC_STATE_MOSQUE)
    try:
        # 1. Discord fails every send: the file is still ingested, the alert stays pending.
        failures: list[float] = []

        class Unreachable(DiscordAlertSender):
            async def send_channel(self, channel_id: int, message: Alert) -> None:
                failures.append(time.perf_counter())
                raise ConnectionError("Discord is unreachable")

        def unreachable(client: NewsreelBot) -> Unreachable:
            return Unreachable(client)

        fast = DispatchSettings(digest_after=5, attempts=2, backoff_seconds=0.05)
        async with newsreel(lib, s, alerts_cog(lib, unreachable, fast)):
            drop([first], inbox)
            async with asyncio.timeout(60):
                while lib.catalog.video(video_id_of(first)) is None or not failures:  # noqa: ASYNC110
                    await asyncio.sleep(0.05)
        assert posts(s, s.other_channel_id) == []  # stopped between ingest and alert

        # 2. Restarted: the pending alert goes out, once.
        async with newsreel(lib, s):
            await s.wait_for_request(lambda r: r.route == "channel_message", timeout=30)
            # ...and a new file while running: time from written to posted.
            started = drop([second], inbox)
            posted = await s.wait_for_request(
                lambda r: r.route == "channel_message" and link(second) in str(r.json), timeout=60)
            print(f"\none file written -> alert posted {posted.received_at - started:.2f}s")
            await asyncio.sleep(2.5)
        urls = [r.json["embeds"][0]["url"] for r in posts(s, s.other_channel_id)]
        assert urls == [link(first), link(second)]

        # 3. Restarted again: nothing is repeated. The news channel is deleted meanwhile:
        # the next alert gets 404 from Discord and the target is disabled, not retried.
        del s.channels[s.other_channel_id]
        async with newsreel(lib, s):
            drop([third], inbox)
            await s.wait_for_request(lambda r: r.route == "channel_message" and r.status == 404,
                                     timeout=60)
            await asyncio.sleep(2.5)
        assert [r.json["embeds"][0]["url"] for r in posts(s, s.other_channel_id)] == urls
        failed = [r for r in s.requests if r.route == "channel_message" and r.status == 404]
        assert len(failed) == 1
    finally:
        lib.close()
    store = AlertStore.in_dir(data)
    target = store.target(s.other_channel_id)
    store.close()
    assert target is not None and not target.enabled and "NotFound" in (target.disabled_reason
                                                                        or "")
