"""Followed channels in the running bot, through discord.py and the local Discord stand-in, with
a fake channel on 127.0.0.1 read by the real yt-dlp: the bot fills an empty store, announces a
video that appears while it runs (and notifies a matching follow), answers /ask while a poll is
under way, repeats nothing after a restart; /newsreel subscribe is for Manage Server only, and
only for the allowed hosts."""

from __future__ import annotations

import asyncio
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import discord
import pytest

from app.config import AlertsConfig, Config, DiscordConfig, SubscriptionsConfig
from app.wiring import build_library
from store.encoders.embedder import HashingEmbedder, SentenceTransformerEmbedder
from tests.alert_fixtures import BANGLADESH, arrivals, newsreel, slash
from tests.discord_standin.server import ALL_PERMISSIONS, DiscordStandIn, RecordedRequest
from tests.fake_channel import FakeChannel
from tests.fixtures_store import config_for

POLL_MINUTES = 0.05  # 3 s


@pytest.fixture(autouse=True)
def _guard(network_guard: None) -> None:
    """Nothing here may reach an address other than 127.0.0.1 (Discord is the stand-in)."""


def bot_config(data: Path, news_channel: int, **subscriptions: Any) -> Config:
    return replace(
        config_for(data), discord=DiscordConfig(cooldown_seconds=0),
        alerts=AlertsConfig(channel_ids=(news_channel,), digest_after=5),
        subscriptions=SubscriptionsConfig(poll_minutes=POLL_MINUTES, **subscriptions))


def posts(standin: DiscordStandIn, channel_id: int) -> list[RecordedRequest]:
    return [r for r in standin.requests if r.route == "channel_message" and r.method == "POST"
            and r.path == f"/channels/{channel_id}/messages" and r.status == 200]


def transcript_text(path: Path, words: int = 250) -> str:
    doc = path.read_text(encoding="utf-8").split("<doc>", 1)[1].split("</doc>", 1)[0]
    return " ".join(doc.split()[:words])


async def admin(standin: DiscordStandIn, sub: str, permissions: str = ALL_PERMISSIONS,
                **options: str) -> dict[str, Any]:
    """/newsreel <sub> as Discord sends a subcommand, from a member with `permissions`."""
    group = next(c for c in standin.registered_commands[None] if c["name"] == "newsreel")
    data = {"id": group["id"], "name": "newsreel", "type": 1, "options": [
        {"name": sub, "type": 1,
         "options": [{"name": k, "type": 3, "value": v} for k, v in options.items()]}]}
    iid = await standin.send_interaction(2, data, permissions=permissions)
    callback = await standin.wait_for_request(
        lambda r: r.route == "callback" and r.interaction_id == iid, timeout=10)
    reply: dict[str, Any] = callback.json["data"]
    return reply


@pytest.mark.timeout(60)
async def test_subscribe_from_discord_needs_manage_server_and_an_allowed_host(
        tmp_path: Path, discord_standin: DiscordStandIn, channel: FakeChannel) -> None:
    s = discord_standin
    host = f"127.0.0.1:{channel.port}"
    lib = build_library(bot_config(tmp_path / "data", s.other_channel_id,
                                   allowed_hosts=("www.youtube.com", host)), HashingEmbedder())
    member = str(discord.Permissions(view_channel=True, send_messages=True).value)
    try:
        async with newsreel(lib, s):
            await s.wait_for_request(lambda r: r.route == "sync", timeout=10)
            reply = await admin(s, "subscribe", member, url=channel.feed_url)
            assert reply["flags"] == 64 and "Manage Server" in reply["content"]
            reply = await admin(s, "subscriptions", member)
            assert "Manage Server" in reply["content"]
            for elsewhere in ("http://127.0.0.1:1/feed.xml", "http://169.254.169.254/latest",
                              "https://youtube.com.example.net/@x"):
                reply = await admin(s, "subscribe", url=elsewhere)
                assert reply["flags"] == 64 and "not a host this bot may follow" in reply[
                    "content"]
            reply = await admin(s, "subscribe", url="file:///etc/passwd")
            assert "not an http(s) URL" in reply["content"]
            assert lib.subscriptions.listing() == []

            reply = await admin(s, "subscribe", url=channel.feed_url)
            assert reply["content"].startswith("Following <")
            async with asyncio.timeout(30):  # the new subscription is polled at once
                while len(lib.catalog.latest(10)) < 3:  # noqa: ASYNC110
                    await asyncio.sleep(0.1)
            reply = await admin(s, "subscriptions")
            assert channel.feed_url in reply["content"] and "3 videos" in reply["content"]
            reply = await admin(s, "unsubscribe", url=channel.feed_url)
            assert reply["content"].startswith("No longer following")
        assert lib.subscriptions.listing() == [] and len(lib.catalog.latest(10)) == 3
    finally:
        lib.close()


@pytest.mark.model
@pytest.mark.timeout(180)
async def test_the_bot_polls_announces_and_notifies_once(
        tmp_path: Path, real_embedder: SentenceTransformerEmbedder,
        discord_standin: DiscordStandIn) -> None:
    s = discord_standin
    channel = FakeChannel()
    for i in range(1, 7):
        channel.add(f"vid{i:03d}")
    channel.start()
    config = bot_config(tmp_path / "data", s.other_channel_id, urls=(channel.feed_url,))
    lib = build_library(config, real_embedder)  # an empty store: the bot fills it
    interval = POLL_MINUTES * 60
    try:
        async with newsreel(lib, s):
            # The first poll's backfill is one digest, not six posts.
            digest = await s.wait_for_request(lambda r: r.route == "channel_message" and r.path
                                              .endswith(f"/{s.other_channel_id}/messages"),
                                              timeout=60)
            assert digest.json["embeds"][0]["title"] == "6 new videos"
            reply = await slash(s, "follow", {"topic": "Bangladesh election"})
            assert "mention you here" in reply["content"]

            # A slow site: this poll takes seconds; /ask is answered meanwhile.
            channel.state.delay = 1.5
            channel.take_requests()
            channel.add("vid007", title="Bangladesh's biggest elections since independence",
                        text=transcript_text(arrivals(BANGLADESH)[0]))
            added = time.perf_counter()
            async with asyncio.timeout(3 * interval):
                while not channel.state.requests:  # noqa: ASYNC110
                    await asyncio.sleep(0.05)
            iid = await s.send_slash_command("ask", {"question": "who won the vote"})
            answer = await s.wait_for_request(
                lambda r: r.route == "followup" and r.interaction_id == iid, timeout=30)

            page = channel.page_url("vid007")
            alert = await s.wait_for_request(
                lambda r: r.route == "channel_message" and page in str(r.json), timeout=60)
            note = await s.wait_for_request(
                lambda r: r.route == "channel_message" and "<@" in str(r.json), timeout=60)
            channel.state.delay = 0.0
            await asyncio.sleep(2 * interval)  # a repeat would have come by now
        print(f"\nvideo added -> announced {alert.received_at - added:.1f}s"
              f" (poll every {interval:.0f}s, 1.5 s a request); /ask answered"
              f" {answer.received_at - added:.1f}s")
        assert answer.received_at < alert.received_at  # answered while the poll was running
        assert alert.received_at - added < 2 * interval + 4 * 1.5 + 10  # within two polls
        news = posts(s, s.other_channel_id)
        assert [p.json["embeds"][0].get("url") for p in news[1:]] == [page]  # once
        assert note.path.endswith(f"/{s.channel_id}/messages")
        assert note.json["content"].startswith(f"<@{s.user_id}> a new video matches")
        assert page in note.json["content"]

        # Restarted: nothing is fetched twice or announced again.
        async with newsreel(lib, s):
            await asyncio.sleep(2 * interval)
        assert len(posts(s, s.other_channel_id)) == len(news)
        assert len(posts(s, s.channel_id)) == 1
        assert sorted(v.video_id for v in lib.catalog.latest(20)) == [
            f"vid{i:03d}" for i in range(1, 8)]
    finally:
        lib.close()
        channel.stop()
