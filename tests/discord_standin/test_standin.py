"""End-to-end proof that an unmodified discord.py client works against the Discord stand-in."""

from __future__ import annotations

import asyncio
import io
import statistics
from collections.abc import AsyncIterator

import discord
import pytest
from discord import app_commands
from discord.ext import commands
from discord.gateway import DiscordWebSocket
from discord.http import Route

from tests.discord_standin.fixtures import running_bot
from tests.discord_standin.server import DiscordStandIn, RecordedRequest

pytestmark = pytest.mark.timeout(30)


class EchoView(discord.ui.View):
    """One button that rewrites the message it sits on."""

    def __init__(self) -> None:
        super().__init__(timeout=None)

    @discord.ui.button(label="Again", custom_id="echo:again")
    async def again(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        await interaction.response.edit_message(content="clicked", view=None)


@app_commands.command(description="Echo text back in an embed")
async def echo(interaction: discord.Interaction, text: str) -> None:
    await interaction.response.defer()
    await interaction.followup.send(embed=discord.Embed(title="echo", description=text),
                                    view=EchoView())


@echo.autocomplete("text")
async def echo_autocomplete(interaction: discord.Interaction, current: str
                            ) -> list[app_commands.Choice[str]]:
    return [app_commands.Choice(name=f"{current}!", value=f"{current}!")]


@app_commands.command(description="Think privately, then answer")
async def ping(interaction: discord.Interaction) -> None:
    await interaction.response.defer(ephemeral=True, thinking=True)
    await interaction.edit_original_response(content="pong")


@app_commands.context_menu(name="Quote")
async def quote(interaction: discord.Interaction, message: discord.Message) -> None:
    await interaction.response.send_message(f"> {message.content}", ephemeral=True)


class EchoBot(commands.Bot):
    """Tiny bot: /echo, a Quote context menu, and replies to mentions."""

    def __init__(self) -> None:
        intents = discord.Intents.default()
        intents.message_content = intents.members = True  # members: exercises op 8 chunking
        super().__init__(command_prefix=commands.when_mentioned, intents=intents,
                         guild_ready_timeout=0.1)

    async def setup_hook(self) -> None:
        self.tree.add_command(echo)
        self.tree.add_command(quote)
        self.tree.add_command(ping)
        await self.tree.sync()

    async def on_message(self, message: discord.Message) -> None:
        if self.user in message.mentions and message.author != self.user:
            await message.reply(f"hi {message.author.mention}, not <@{message.author.id + 1}>",
                                allowed_mentions=discord.AllowedMentions(
                                    everyone=False, roles=False, users=[message.author],
                                    replied_user=False))


@pytest.fixture
async def bot(discord_standin: DiscordStandIn) -> AsyncIterator[EchoBot]:
    async with running_bot(EchoBot(), discord_standin) as client:
        yield client


def is_(route: str, iid: int | None = None):
    """Predicate: a request on ``route`` (for interaction ``iid`` if given)."""
    return lambda r: r.route == route and (iid is None or r.interaction_id == iid)


async def test_handshake_and_guild(bot: EchoBot, discord_standin: DiscordStandIn) -> None:
    s = discord_standin
    assert s.gateway_connections[0] == {"v": "10", "encoding": "json", "compress": "zlib-stream"}
    identify = next(p for p in s.gateway_received if p["op"] == 2)
    assert identify["d"]["token"] == "test-token"
    assert bot.user is not None and bot.user.id == s.bot_id and bot.application_id == s.app_id
    guild = bot.get_guild(s.guild_id)
    assert guild is not None and {c.name for c in guild.text_channels} == {"general", "news"}
    assert {r.name for r in guild.roles} == {"@everyone", "Moderator"}
    assert guild.get_member(s.user_id) is not None and guild.chunked
    assert [m.id for m in await guild.query_members("ali")] == [s.user_id]  # gateway op 8
    assert {r.route for r in s.requests} >= {"me", "application", "sync"}
    heartbeat = await s.wait_for_gateway_op(1)  # the client beats at once after HELLO
    assert heartbeat["d"] is None or isinstance(heartbeat["d"], int)
    assert bot.latency < 1.0  # HEARTBEAT_ACK arrived


async def test_echo_defer_followup(bot: EchoBot, discord_standin: DiscordStandIn) -> None:
    s = discord_standin
    sync = await s.wait_for_request(is_("sync"))
    assert sync.method == "PUT" and sync.path == f"/applications/{s.app_id}/commands"
    assert {c["name"] for c in s.registered_commands[None]} == {"echo", "ping", "Quote"}

    iid = await s.send_slash_command("echo", {"text": "hello"})
    callback = await s.wait_for_request(is_("callback", iid))
    assert callback.json == {"type": 5} and callback.query == {"with_response": "1"}
    followup = await s.wait_for_request(is_("followup", iid))
    assert followup.json["embeds"][0]["description"] == "hello"
    button = followup.json["components"][0]["components"][0]
    assert button["custom_id"] == "echo:again" and button["type"] == 2
    ms = (followup.received_at - s.interaction_sent_at[iid]) * 1000
    print(f"\n/echo: interaction -> follow-up {ms:.1f} ms")


async def test_button_round_trip(bot: EchoBot, discord_standin: DiscordStandIn) -> None:
    s = discord_standin
    iid = await s.send_slash_command("echo", {"text": "x"})
    followup = await s.wait_for_request(is_("followup", iid))
    message_id = int(followup.response["id"])
    click = await s.send_button_click("echo:again", message_id)
    callback = await s.wait_for_request(is_("callback", click))
    assert callback.json["type"] == 7 and callback.json["data"]["content"] == "clicked"
    assert callback.json["data"]["components"] == []
    assert s.messages[message_id]["content"] == "clicked"


async def test_mention_reply_honours_allowed_mentions(bot: EchoBot,
                                                      discord_standin: DiscordStandIn) -> None:
    s = discord_standin
    mid = await s.send_message_create(f"<@{s.bot_id}> hello")
    reply = await s.wait_for_request(is_("channel_message"))
    assert reply.path == f"/channels/{s.channel_id}/messages"
    assert int(reply.json["message_reference"]["message_id"]) == mid
    assert reply.json["allowed_mentions"] == {"parse": [], "users": [s.user_id]}
    assert [u["id"] for u in reply.response["mentions"]] == [str(s.user_id)]


async def test_autocomplete_and_context_menu(bot: EchoBot, discord_standin: DiscordStandIn) -> None:
    s = discord_standin
    iid = await s.send_autocomplete("echo", {"text": "hel"}, focused="text")
    callback = await s.wait_for_request(is_("callback", iid))
    assert callback.json == {"type": 8, "data": {"choices": [{"name": "hel!", "value": "hel!"}]}}

    target = await s.send_message_create("quotable words")
    iid = await s.send_message_command("Quote", target)
    callback = await s.wait_for_request(is_("callback", iid))
    assert callback.json["type"] == 4 and callback.json["data"]["flags"] == 64
    assert callback.json["data"]["content"] == "> quotable words"
    assert callback.response["interaction"]["response_message_ephemeral"] is True


async def test_deferred_ephemeral_then_edit_original(bot: EchoBot,
                                                     discord_standin: DiscordStandIn) -> None:
    s = discord_standin
    iid = await s.send_slash_command("ping")
    callback = await s.wait_for_request(is_("callback", iid))
    assert callback.json == {"type": 5, "data": {"flags": 64}}
    edit = await s.wait_for_request(is_("webhook_message", iid))
    assert edit.method == "PATCH" and edit.path.endswith("/messages/@original")
    assert edit.response["content"] == "pong" and edit.response["flags"] == 64  # LOADING cleared


async def test_multipart_dm_and_unknown_route(bot: EchoBot,
                                              discord_standin: DiscordStandIn) -> None:
    s = discord_standin
    channel = bot.get_channel(s.other_channel_id)
    assert isinstance(channel, discord.TextChannel)
    msg = await channel.send("report", file=discord.File(io.BytesIO(b"abc"), "r.txt"))
    assert msg.attachments[0].filename == "r.txt" and msg.attachments[0].size == 3
    sent = await s.wait_for_request(is_("channel_message"))
    assert sent.files == {"r.txt": b"abc"} and sent.json["content"] == "report"

    user = bot.get_user(s.user_id)
    assert user is not None
    dm = await user.send("psst")
    assert dm.channel.type is discord.ChannelType.private

    with pytest.raises(discord.NotFound):
        await bot.http.request(Route("GET", "/guilds/{guild_id}/bans", guild_id=s.guild_id))
    assert s.requests[-1].route == "unknown" and s.requests[-1].status == 404


async def test_reconnect_resumes(bot: EchoBot, discord_standin: DiscordStandIn) -> None:
    s = discord_standin
    resumed = asyncio.create_task(bot.wait_for("resumed", timeout=5))
    await s.send_reconnect()
    await resumed
    assert any(p["op"] == 6 for p in s.gateway_received) and len(s.gateway_connections) == 2
    iid = await s.send_slash_command("echo", {"text": "after resume"})
    await s.wait_for_request(is_("followup", iid))


async def test_fifty_interactions_at_once(bot: EchoBot, discord_standin: DiscordStandIn) -> None:
    s = discord_standin
    ids = await asyncio.gather(*(s.send_slash_command("echo", {"text": f"n{i}"})
                                 for i in range(50)))
    followups: list[RecordedRequest] = await asyncio.gather(
        *(s.wait_for_request(is_("followup", iid), timeout=10) for iid in ids))
    assert [f.json["embeds"][0]["description"] for f in followups] == [f"n{i}" for i in range(50)]
    ms = sorted((f.received_at - s.interaction_sent_at[iid]) * 1000
                for f, iid in zip(followups, ids, strict=True))
    p50, p95 = statistics.median(ms), ms[int(0.95 * len(ms)) - 1]
    print(f"\n50 at once: p50={p50:.1f} ms p95={p95:.1f} ms max={ms[-1]:.1f} ms")
    assert p95 < 3000


async def test_patch_discord_restores_globals() -> None:
    before = Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY
    async with DiscordStandIn() as s:
        with s.patch_discord():
            assert (s.api_base, s.gateway_url) == (Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY)
    assert before == (Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY)
