"""Alerts on Discord: /follow, /unfollow, /following, /newsreel alerts, and the background work.

Background work starts once the bot is ready: the configured alert channels are registered,
the inbox watcher (`[alerts] inboxes`) and the poll of followed channels run, and each ingest
batch starts a dispatch pass in its own task, so a slow or failing Discord never holds up
ingestion. A `tasks.loop` poll catches ingests by other processes and retries failed sends.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence
from typing import Literal

import discord
from discord import app_commands
from discord.ext import commands, tasks

from bot.client import NewsreelBot
from bot.discord_limits import escape_markdown, truncate_message
from bot.notices import NO_MENTIONS, Notice
from bot.services import (
    AnswerServices,
    Dispatching,
    FollowServices,
    Inbox,
    Poller,
    SubscriptionServices,
)
from service.alerts.messages import TOPIC_CHARS
from service.alerts.state import Follow
from service.follows import AlertSettings, AlertSettingsRequest, FollowRequest, UnfollowRequest
from service.text import one_line, truncate_words
from store.ingest import IngestReport

log = logging.getLogger("newsreel.alerts")

POLL_SECONDS = 5.0  # how often to look for videos ingested by another process (`newsreel ingest`)
RETRY_SECONDS = 30.0  # a pass at least this often, for sends that failed earlier


def describe_follow(follow: Follow) -> str:
    """One line of /following."""
    topic = escape_markdown(follow.topic)
    where = "by DM" if follow.deliver == "dm" else f"in <#{follow.channel_id}>"
    who = " (for the channel)" if follow.scope == "channel" else ""
    off = "" if follow.enabled else f" — **off**: {escape_markdown(follow.disabled_reason or '')}"
    return f"• “{topic}”{who} {where}{off}"


class AlertsCog(commands.Cog, name="Alerts"):
    """Topic follows and new-video alerts."""

    newsreel_group = app_commands.Group(
        name="newsreel", description="Newsreel settings for this server",
        default_permissions=discord.Permissions(manage_guild=True), guild_only=True,
    )

    def __init__(self, bot: NewsreelBot, follows: FollowServices, dispatcher: Dispatching,
                 watcher: Inbox | None, answers: AnswerServices,
                 config_channels: Sequence[int] = (),
                 subscriptions: SubscriptionServices | None = None,
                 poller: Poller | None = None) -> None:
        self.bot = bot
        self.follows = follows
        self.dispatcher = dispatcher
        self.watcher = watcher
        if watcher is not None:
            watcher.on_ingested = self._on_ingested
        self.answers = answers
        self.config_channels = tuple(config_channels)
        self.subscriptions = subscriptions
        self.poller = poller
        if poller is not None:
            poller.on_ingested = self._on_ingested
        self._dispatches: set[asyncio.Task[None]] = set()
        self._watch_task: asyncio.Task[None] | None = None
        self._poll_task: asyncio.Task[None] | None = None
        self._last_ingest: str | None = None
        self._last_pass = -RETRY_SECONDS

    # --- lifecycle ------------------------------------------------------------------------

    async def cog_load(self) -> None:
        """Start the background work (both parts wait for the bot to be ready)."""
        self.poll.start()
        if self.watcher is not None:
            self._watch_task = asyncio.create_task(self._run_watcher(), name="newsreel-inbox")
        if self.poller is not None:
            self._start_polling(only_if_subscribed=True)

    async def cog_unload(self) -> None:
        """Stop the background work and close the alert store."""
        self.poll.cancel()
        tasks_ = [t for t in (self._watch_task, self._poll_task, *self._dispatches)
                  if t is not None]
        for task in tasks_:
            task.cancel()
        await asyncio.gather(*tasks_, return_exceptions=True)
        self.follows.close()

    @tasks.loop(seconds=POLL_SECONDS)
    async def poll(self) -> None:
        """A pass when another process ingested (`newsreel ingest`), and now and then anyway
        (sends that failed earlier); the first one catches up on the time the bot was down."""
        try:
            latest = await asyncio.to_thread(self.answers.last_ingest)
        except Exception:
            log.exception("alerts: cannot read the catalog")
            return
        if latest != self._last_ingest or time.monotonic() - self._last_pass >= RETRY_SECONDS:
            self._last_ingest = latest
            await self._dispatch()

    @poll.before_loop
    async def _before_poll(self) -> None:
        await self.bot.wait_until_ready()
        await self._register_config_channels()

    async def _register_config_channels(self) -> None:
        for channel_id in self.config_channels:
            channel = self.bot.get_channel(channel_id)
            guild = getattr(channel, "guild", None)
            await asyncio.to_thread(self.follows.add_config_channel, channel_id,
                                    guild.id if guild else 0)

    async def _run_watcher(self) -> None:
        assert self.watcher is not None
        await self.bot.wait_until_ready()
        for folder in self.watcher.dirs:
            if not folder.is_dir():
                log.warning("inbox folder %s did not exist: creating it", folder)
                await asyncio.to_thread(folder.mkdir, parents=True, exist_ok=True)
        log.info("watching %s for new transcripts", ", ".join(map(str, self.watcher.dirs)))
        try:
            await self.watcher.run()
        except Exception:  # alerts for what else gets ingested (`newsreel ingest`) go on
            log.exception("inbox watcher stopped")

    def _start_polling(self, only_if_subscribed: bool = False) -> None:
        if self._poll_task is None or self._poll_task.done():
            self._poll_task = asyncio.create_task(self._run_poller(only_if_subscribed),
                                                  name="newsreel-subscriptions")
        elif self.poller is not None:
            self.poller.wake()

    async def _run_poller(self, only_if_subscribed: bool) -> None:
        assert self.poller is not None
        await self.bot.wait_until_ready()
        subs = self.subscriptions
        # No subscription, no polling: /newsreel subscribe starts it.
        if only_if_subscribed and subs is not None and not await asyncio.to_thread(subs.listing):
            return
        try:
            await self.poller.run()
        except Exception:  # the rest of the bot goes on
            log.exception("subscription poller stopped")

    async def _on_ingested(self, report: IngestReport) -> None:
        if report.ingested:
            # Its own task: the watcher goes back to the inbox at once, whatever Discord does.
            task = asyncio.create_task(self._dispatch(), name="newsreel-alerts-dispatch")
            self._dispatches.add(task)
            task.add_done_callback(self._dispatches.discard)

    async def _dispatch(self) -> None:
        self._last_pass = time.monotonic()
        try:
            report = await self.dispatcher.dispatch()
        except Exception:
            log.exception("alert dispatch failed; retrying on the next pass")
            return
        if report.messages or report.disabled:
            log.info("alerts: %d announcement(s), %d follow notification(s), %d disabled",
                     len(report.announced), len(report.notified), len(report.disabled))

    # --- follows --------------------------------------------------------------------------

    @app_commands.command(name="follow",
                          description="Be notified when a new video matches a topic.")
    @app_commands.describe(
        topic="What to follow, e.g. 'floods in Mozambique'",
        notify="Where to notify you: here in this channel (default) or by direct message",
        for_channel="Follow for this whole channel instead of yourself (needs Manage Server)",
    )
    @app_commands.guild_only()
    async def follow(self, interaction: discord.Interaction,
                     topic: app_commands.Range[str, 1, TOPIC_CHARS],
                     notify: Literal["here", "dm"] = "here", for_channel: bool = False) -> None:
        """Follow a topic for yourself (mentioned here or by DM) or for this channel."""
        assert interaction.guild_id is not None and interaction.channel_id is not None
        request = FollowRequest(
            user_id=interaction.user.id, guild_id=interaction.guild_id,
            channel_id=interaction.channel_id, topic=topic, by_dm=notify == "dm",
            for_channel=for_channel, may_manage=interaction.permissions.manage_guild)
        result = await asyncio.to_thread(self.follows.follow, request)
        follow, created = result.follow, result.created
        label = escape_markdown(follow.topic)
        if for_channel:
            where = "this channel will be told"
        elif follow.deliver == "dm":
            where = "I'll send you a direct message"
        else:
            where = "I'll mention you here"
        verb = "Following" if created else "Still following"
        await interaction.response.send_message(
            truncate_message(f"{verb} “{label}”: {where} when a new video matches."),
            ephemeral=True, allowed_mentions=NO_MENTIONS)

    @app_commands.command(name="unfollow", description="Stop following a topic.")
    @app_commands.describe(topic="The topic, as shown by /following")
    @app_commands.guild_only()
    async def unfollow(self, interaction: discord.Interaction,
                       topic: app_commands.Range[str, 1, TOPIC_CHARS]) -> None:
        """Remove your follow of a topic (or this channel's, with Manage Server)."""
        assert interaction.guild_id is not None and interaction.channel_id is not None
        removed = await asyncio.to_thread(self.follows.unfollow, UnfollowRequest(
            interaction.user.id, interaction.guild_id, interaction.channel_id, topic,
            interaction.permissions.manage_guild))
        label = escape_markdown(one_line(topic))
        text = (f"No longer following “{label}”." if removed
                else f"You were not following “{label}” here; see /following.")
        await interaction.response.send_message(truncate_message(text), ephemeral=True,
                                                allowed_mentions=NO_MENTIONS)

    @unfollow.autocomplete("topic")
    async def unfollow_topics(self, interaction: discord.Interaction, current: str
                              ) -> list[app_commands.Choice[str]]:
        """Your followed topics (and this channel's) that contain what was typed."""
        follows = await self._visible_follows(interaction)
        typed = current.lower().strip()
        topics = dict.fromkeys(f.topic for f in follows if typed in f.topic.lower())
        return [app_commands.Choice(name=truncate_words(t, 100), value=t[:100])
                for t in list(topics)[:25]]

    @app_commands.command(name="following", description="The topics you (and this channel) follow.")
    @app_commands.guild_only()
    async def following(self, interaction: discord.Interaction) -> None:
        """List your follows in this server and this channel's."""
        follows = await self._visible_follows(interaction)
        if not follows:
            text = "You follow no topics here yet. Try `/follow topic:floods in Mozambique`."
        else:
            text = "\n".join(["Followed topics:", *(describe_follow(f) for f in follows)])
        await interaction.response.send_message(truncate_message(text), ephemeral=True,
                                                allowed_mentions=NO_MENTIONS)

    async def _visible_follows(self, interaction: discord.Interaction) -> list[Follow]:
        return await asyncio.to_thread(self.follows.visible, interaction.guild_id,
                                       interaction.user.id, interaction.channel_id)

    # --- server settings ------------------------------------------------------------------

    @newsreel_group.command(name="alerts",
                            description="New-video alerts: where they go, on or off.")
    @app_commands.describe(channel="Post new-video alerts in this channel",
                           state="Switch this server's new-video alerts on or off")
    async def alerts(self, interaction: discord.Interaction,
                     channel: discord.TextChannel | None = None,
                     state: Literal["on", "off"] | None = None) -> None:
        """Set the alert channel and/or switch alerts on or off; shows the settings."""
        guild = interaction.guild
        if guild is None:
            raise Notice("This works in a server only.")
        if not interaction.permissions.manage_guild:
            raise Notice("Changing alert settings needs the Manage Server permission.")
        notes: list[str] = []
        if channel is not None:
            me = guild.me
            if me is not None:
                perms = channel.permissions_for(me)
                if not (perms.send_messages and perms.embed_links):
                    notes.append(f"⚠ I can't post embeds in {channel.mention} yet: give me "
                                 "Send Messages and Embed Links there.")
        settings = await asyncio.to_thread(self.follows.settings, AlertSettingsRequest(
            guild.id, channel.id if channel is not None else None,
            None if state is None else state == "on"))
        text = "\n".join([settings_text(settings), *notes])
        await interaction.response.send_message(truncate_message(text), ephemeral=True,
                                                allowed_mentions=NO_MENTIONS)


    # --- subscriptions (followed channels) -------------------------------------------------

    def _subscriptions(self, interaction: discord.Interaction) -> SubscriptionServices:
        if interaction.guild is None:
            raise Notice("This works in a server only.")
        if not interaction.permissions.manage_guild:
            raise Notice("Following channels needs the Manage Server permission.")
        if self.subscriptions is None:
            raise Notice("Following channels is not available on this bot.")
        return self.subscriptions

    @newsreel_group.command(name="subscribe",
                            description="Follow a YouTube channel or playlist: its new videos "
                                        "become searchable and are announced.")
    @app_commands.describe(url="e.g. https://www.youtube.com/@BBCNews/videos")
    async def subscribe(self, interaction: discord.Interaction,
                        url: app_commands.Range[str, 1, 500]) -> None:
        """Subscribe the bot to a list of videos on an allowed host."""
        subs = self._subscriptions(interaction)
        added = await asyncio.to_thread(subs.subscribe, [url], from_discord=True)
        label = escape_markdown(url.strip())
        if added:
            text = f"Following <{label}>: its newest videos come in at the next poll."
            if self.poller is not None:
                self._start_polling()
        else:
            text = f"Already following <{label}>."
        await interaction.response.send_message(truncate_message(text), ephemeral=True,
                                                allowed_mentions=NO_MENTIONS)

    @newsreel_group.command(name="unsubscribe",
                            description="Stop following a channel (its videos stay searchable).")
    @app_commands.describe(url="The URL, as /newsreel subscriptions shows it")
    async def unsubscribe(self, interaction: discord.Interaction,
                          url: app_commands.Range[str, 1, 500]) -> None:
        """Remove a subscription added at run time."""
        subs = self._subscriptions(interaction)
        removed = await asyncio.to_thread(subs.unsubscribe, url)
        label = escape_markdown(url.strip())
        text = (f"No longer following <{label}>; its videos stay searchable." if removed
                else f"Not following <{label}>; see /newsreel subscriptions.")
        await interaction.response.send_message(truncate_message(text), ephemeral=True,
                                                allowed_mentions=NO_MENTIONS)

    @newsreel_group.command(name="subscriptions", description="The channels this bot follows.")
    async def list_subscriptions(self, interaction: discord.Interaction) -> None:
        """List the subscriptions and their last poll."""
        subs = self._subscriptions(interaction)
        listing = await asyncio.to_thread(subs.listing)
        if not listing:
            text = "No channels followed yet: `/newsreel subscribe url:…`."
        else:
            lines = ["Followed channels:"]
            for s in listing:
                state = (f"failing: {one_line(s.last_error)}" if s.last_error
                         else f"last poll {s.last_poll[:16].replace('T', ' ')} UTC"
                         if s.last_poll else "not polled yet")
                origin = " (from the config)" if s.origin == "config" else ""
                lines.append(f"• <{escape_markdown(s.url)}>{origin}: {s.videos} videos, {state}")
            text = "\n".join(lines)
        await interaction.response.send_message(truncate_message(text), ephemeral=True,
                                                allowed_mentions=NO_MENTIONS)


def settings_text(settings: AlertSettings) -> str:
    """The server's alert settings, for /newsreel alerts."""
    lines = [f"New-video alerts are **{'on' if settings.guild.enabled else 'off'}** here."]
    if not settings.targets:
        lines.append("No alert channel yet: `/newsreel alerts channel:#news`.")
    for t in settings.targets:
        how = "set here" if t.source == "admin" else "from the bot's config"
        reason = escape_markdown(t.disabled_reason or "")
        off = "" if t.enabled else f" — **disabled**: {reason}"
        lines.append(f"• <#{t.channel_id}> ({how}){off}")
    lines.append(f"More than {settings.digest_after} new videos at once become one digest.")
    return "\n".join(lines)
