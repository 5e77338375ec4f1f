"""Alerts on Discord: /follow, /unfollow, /following, /newsreel alerts, and the background work.

Background work starts once the bot is ready: the configured alert channels are registered,
the inbox watcher (`[alerts] inboxes`) runs, and each ingest batch starts a dispatch pass in its
own task, so a slow or failing Discord never holds up ingestion. A `tasks.loop` poll catches
ingests by other processes and retries failed sends.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import TYPE_CHECKING, Literal

import discord
from discord import app_commands
from discord.ext import commands, tasks

from bot.alerts.dispatcher import Dispatcher, DispatchSettings, TargetGone
from bot.alerts.matching import TopicMatcher
from bot.alerts.messages import TOPIC_CHARS, Outgoing
from bot.alerts.state import AlertStore, Follow, topic_key
from bot.alerts.watcher import InboxWatcher
from bot.cogs import NO_MENTIONS, NewsreelClient, Notice
from bot.discord_limits import escape_markdown, one_line, truncate_message, truncate_words
from store.ingest import IngestReport
from store.text import content_terms

if TYPE_CHECKING:
    from bot.alerts.dispatcher import AlertSender

log = logging.getLogger("newsreel.alerts")

MAX_FOLLOWS = 25  # per user (or channel) and server: enough to be useful, too few to abuse
POLL_SECONDS = 5.0  # how often to look for videos ingested by another process (`newsreel ingest`)
RETRY_SECONDS = 30.0  # a pass at least this often, for sends that failed earlier


class DiscordAlertSender:
    """AlertSender over discord.py; gone channels and closed DMs become TargetGone."""

    def __init__(self, client: discord.Client) -> None:
        self.client = client

    async def send_channel(self, channel_id: int, message: Outgoing) -> None:
        """Post to a channel by id (cached or not); raises TargetGone when it cannot ever work."""
        channel = self.client.get_channel(channel_id) or self.client.get_partial_messageable(
            channel_id)
        if not isinstance(channel, discord.abc.Messageable):
            raise TargetGone(f"channel {channel_id} cannot hold messages")
        try:
            await self._send(channel, message)
        except (discord.Forbidden, discord.NotFound) as err:
            raise target_gone(err) from err

    async def send_dm(self, user_id: int, message: Outgoing) -> None:
        """Send a direct message; raises TargetGone when the user's DMs are closed (Forbidden)."""
        try:
            dm = await self.client.create_dm(discord.Object(id=user_id))
            await self._send(dm, message)
        except (discord.Forbidden, discord.NotFound) as err:
            raise target_gone(err) from err

    @staticmethod
    async def _send(where: discord.abc.Messageable, message: Outgoing) -> None:
        if message.embed is not None:
            await where.send(content=message.content or None, embed=message.embed,
                             allowed_mentions=message.allowed_mentions)
        else:
            await where.send(content=message.content, allowed_mentions=message.allowed_mentions)


def target_gone(err: discord.Forbidden | discord.NotFound) -> TargetGone:
    """Discord's refusal as the alert logic's TargetGone; the cause keeps Discord's reason."""
    gone = TargetGone(str(err))
    gone.__cause__ = err
    return gone


def check_topic(topic: str) -> str:
    """The topic as stored, or a Notice saying why it cannot be followed."""
    topic = one_line(topic)
    if not content_terms(topic):
        raise Notice("Give a topic with at least one meaningful word, e.g. `floods in Mozambique`.")
    if len(topic) > TOPIC_CHARS:
        raise Notice(f"Keep the topic under {TOPIC_CHARS} characters.")
    return topic


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

    def __init__(self, bot: NewsreelClient, sender: AlertSender | None = None,
                 *, stable_seconds: float = 0.5) -> None:
        self.bot = bot
        library = bot.library
        alerts = bot.config.alerts
        self.store = AlertStore.in_dir(library.config.store.data_dir)
        self.matcher = TopicMatcher(library.searcher, alerts.follow_threshold)
        self.dispatcher = Dispatcher(
            library.catalog, self.store, sender or DiscordAlertSender(bot), self.matcher,
            DispatchSettings(digest_after=alerts.digest_after, max_age_hours=alerts.max_age_hours),
        )
        self.watcher = (
            InboxWatcher(library, alerts.inboxes, self._on_ingested,
                         stable_seconds=stable_seconds, rescan_seconds=alerts.rescan_seconds)
            if alerts.inboxes else None
        )
        self._dispatches: set[asyncio.Task[None]] = set()
        self._watch_task: asyncio.Task[None] | None = None
        self._last_ingest: str | None = None
        self._last_pass = -RETRY_SECONDS

    # --- lifecycle ------------------------------------------------------------------------

    async def cog_load(self) -> None:
        """Start the background work (both parts wait for the bot to be ready)."""
        self.poll.start()
        if self.watcher is not None:
            self._watch_task = asyncio.create_task(self._run_watcher(), name="newsreel-inbox")

    async def cog_unload(self) -> None:
        """Stop the background work and close the alert store."""
        self.poll.cancel()
        tasks_ = [t for t in (self._watch_task, *self._dispatches) if t is not None]
        for task in tasks_:
            task.cancel()
        await asyncio.gather(*tasks_, return_exceptions=True)
        self.store.close()

    @tasks.loop(seconds=POLL_SECONDS)
    async def poll(self) -> None:
        """A pass when another process ingested (`newsreel ingest`), and now and then anyway
        (sends that failed earlier); the first one catches up on the time the bot was down."""
        try:
            latest = await asyncio.to_thread(self.bot.library.catalog.get_state, "last_ingest")
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
        for channel_id in self.bot.config.alerts.channel_ids:
            channel = self.bot.get_channel(channel_id)
            guild = getattr(channel, "guild", None)
            await asyncio.to_thread(self.store.add_config_channel, channel_id,
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
        clean = check_topic(topic)
        assert interaction.guild_id is not None and interaction.channel_id is not None
        if for_channel and not interaction.permissions.manage_guild:
            raise Notice("Following for a whole channel needs the Manage Server permission.")
        scope: Literal["user", "channel"] = "channel" if for_channel else "user"
        owner = interaction.channel_id if for_channel else interaction.user.id
        existing = await asyncio.to_thread(
            self.store.follows, guild_id=interaction.guild_id, scope=scope,
            user_id=None if for_channel else owner, channel_id=owner if for_channel else None)
        if len(existing) >= MAX_FOLLOWS and topic_key(clean) not in {
                topic_key(f.topic) for f in existing}:
            raise Notice(f"That's {MAX_FOLLOWS} topics already; /unfollow one first.")
        follow, created = await asyncio.to_thread(
            self.store.add_follow, user_id=interaction.user.id, guild_id=interaction.guild_id,
            channel_id=interaction.channel_id, topic=clean,
            deliver="dm" if notify == "dm" and not for_channel else "channel", scope=scope)
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
        removed = await asyncio.to_thread(
            self.store.remove_follow, guild_id=interaction.guild_id, scope="user",
            owner=interaction.user.id, topic=topic)
        if not removed and interaction.permissions.manage_guild:
            removed = await asyncio.to_thread(
                self.store.remove_follow, guild_id=interaction.guild_id, scope="channel",
                owner=interaction.channel_id, topic=topic)
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
        if interaction.guild_id is None:
            return []
        mine = await asyncio.to_thread(self.store.follows, guild_id=interaction.guild_id,
                                       scope="user", user_id=interaction.user.id)
        channel = await asyncio.to_thread(self.store.follows, guild_id=interaction.guild_id,
                                          scope="channel", channel_id=interaction.channel_id)
        return mine + channel

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
            await asyncio.to_thread(self.store.set_guild_channel, guild.id, channel.id)
            me = guild.me
            if me is not None:
                perms = channel.permissions_for(me)
                if not (perms.send_messages and perms.embed_links):
                    notes.append(f"⚠ I can't post embeds in {channel.mention} yet: give me "
                                 "Send Messages and Embed Links there.")
        if state is not None:
            await asyncio.to_thread(self.store.set_guild_enabled, guild.id, state == "on")
        text = "\n".join([await self._settings_text(guild.id), *notes])
        await interaction.response.send_message(truncate_message(text), ephemeral=True,
                                                allowed_mentions=NO_MENTIONS)

    async def _settings_text(self, guild_id: int) -> str:
        settings = await asyncio.to_thread(self.store.guild, guild_id)
        targets = await asyncio.to_thread(self.store.targets, guild_id)
        lines = [f"New-video alerts are **{'on' if settings.enabled else 'off'}** here."]
        if not targets:
            lines.append("No alert channel yet: `/newsreel alerts channel:#news`.")
        for t in targets:
            how = "set here" if t.source == "admin" else "from the bot's config"
            reason = escape_markdown(t.disabled_reason or "")
            off = "" if t.enabled else f" — **disabled**: {reason}"
            lines.append(f"• <#{t.channel_id}> ({how}){off}")
        lines.append(f"More than {self.dispatcher.settings.digest_after} new videos at once "
                     "become one digest.")
        return "\n".join(lines)
