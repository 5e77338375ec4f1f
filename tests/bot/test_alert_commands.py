"""/follow, /unfollow, /following and /newsreel alerts through discord.py and the stand-in."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import discord
import pytest

from app.config import DiscordConfig
from app.wiring import Library, build_library
from service.alerts.state import AlertStore
from store.encoders.embedder import HashingEmbedder
from tests.alert_fixtures import newsreel, slash
from tests.discord_standin.server import ALL_PERMISSIONS, DiscordStandIn
from tests.fixtures_store import config_for

pytestmark = pytest.mark.timeout(60)


@pytest.fixture
def lib(tmp_path: Path) -> Iterator[Library]:
    config = replace(config_for(tmp_path / "data"), discord=DiscordConfig(cooldown_seconds=0))
    library = build_library(config, HashingEmbedder())
    yield library
    library.close()


def command(standin: DiscordStandIn, name: str) -> dict[str, Any]:
    return next(c for c in standin.registered_commands[None] if c["name"] == name)


async def admin_alerts(standin: DiscordStandIn, **options: Any) -> dict[str, Any]:
    """/newsreel alerts with a resolved channel option, as Discord sends it."""
    opts: list[dict[str, Any]] = []
    data: dict[str, Any] = {"id": command(standin, "newsreel")["id"], "name": "newsreel",
                            "type": 1, "options": [{"name": "alerts", "type": 1, "options": opts}]}
    if "channel" in options:
        channel = standin.channels[options["channel"]]
        opts.append({"name": "channel", "type": 7, "value": channel["id"]})
        data["resolved"] = {"channels": {channel["id"]: {**channel,
                                                         "permissions": ALL_PERMISSIONS}}}
    if "state" in options:
        opts.append({"name": "state", "type": 3, "value": options["state"]})
    iid = await standin.send_interaction(2, data)
    callback = await standin.wait_for_request(
        lambda r: r.route == "callback" and r.interaction_id == iid, timeout=10)
    reply: dict[str, Any] = callback.json["data"]
    return reply


async def test_admin_sets_the_alert_channel_and_switches_alerts(
        lib: Library, discord_standin: DiscordStandIn) -> None:
    s = discord_standin
    async with newsreel(lib, s):
        await s.wait_for_request(lambda r: r.route == "sync", timeout=10)
        group = command(s, "newsreel")
        assert int(group["default_member_permissions"]) == discord.Permissions(
            manage_guild=True).value
        assert group["dm_permission"] is False

        reply = await admin_alerts(s, channel=s.other_channel_id)
        assert reply["flags"] == 64 and f"<#{s.other_channel_id}>" in reply["content"]
        assert "**on**" in reply["content"]
        reply = await admin_alerts(s, state="off")
        assert "**off**" in reply["content"]
        reply = await admin_alerts(s)
        assert "**off**" in reply["content"] and f"<#{s.other_channel_id}>" in reply["content"]
    store = AlertStore.in_dir(lib.config.store.data_dir)
    try:
        assert [t.channel_id for t in store.targets(s.guild_id)] == [s.other_channel_id]
        assert not store.guild(s.guild_id).enabled
    finally:
        store.close()


async def test_follow_unfollow_following(lib: Library, discord_standin: DiscordStandIn,
                                         ) -> None:
    s = discord_standin
    async with newsreel(lib, s):
        await s.wait_for_request(lambda r: r.route == "sync", timeout=10)
        names = {o["name"] for o in command(s, "follow")["options"]}
        assert names == {"topic", "notify", "for_channel"}

        reply = await slash(s, "follow", {"topic": "what about the"})
        assert "meaningful word" in reply["content"] and reply["flags"] == 64
        reply = await slash(s, "follow", {"topic": "Gold price"})
        assert reply["content"].startswith("Following “Gold price”")
        reply = await slash(s, "follow", {"topic": "gold PRICE", "notify": "dm"})
        assert reply["content"].startswith("Still following") and "direct message" in reply[
            "content"]
        reply = await slash(s, "follow", {"topic": "Greenland", "for_channel": True})
        assert "this channel will be told" in reply["content"]

        listing = (await slash(s, "following", {}))["content"]
        assert "“Gold price” by DM" in listing
        assert f"“Greenland” (for the channel) in <#{s.channel_id}>" in listing
        other = (await slash(s, "following", {}, user_id=s.other_user_id))["content"]
        assert "Gold price" not in other and "Greenland" in other  # the channel's is shared

        iid = await s.send_autocomplete("unfollow", {"topic": "gr"}, focused="topic")
        callback = await s.wait_for_request(
            lambda r: r.route == "callback" and r.interaction_id == iid)
        assert [c["value"] for c in callback.json["data"]["choices"]] == ["Greenland"]

        reply = await slash(s, "unfollow", {"topic": "gold price"})
        assert reply["content"] == "No longer following “gold price”."
        reply = await slash(s, "unfollow", {"topic": "gold price"})
        assert "were not following" in reply["content"]
        reply = await slash(s, "unfollow", {"topic": "Greenland"})  # the channel's, as admin
        assert reply["content"].startswith("No longer following")
        listing = (await slash(s, "following", {}))["content"]
        assert "You follow no topics here yet" in listing
    sent = [r for r in s.requests if r.route == "callback"]
    assert all(r.json["data"].get("allowed_mentions") == {"parse": []} for r in sent
               if r.json["type"] == 4)
