"""What the cogs share: safe replies, failures turned into short notices, known channels."""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, cast

import discord
from discord import app_commands
from discord.ext import commands

from bot.arguments import BadArgument, channel_choices
from bot.discord_limits import truncate_message, truncate_words
from bot.render_discord import INDEX_UNAVAILABLE, SOMETHING_WENT_WRONG, cooldown_notice
from store.catalog import Catalog
from store.errors import IndexUnavailableError

if TYPE_CHECKING:
    from bot.config import Config
    from bot.cooldown import Cooldown
    from bot.wiring import Library

log = logging.getLogger("newsreel.bot")

# Nothing the bot posts may ping anyone: quotes and questions can contain "@everyone".
NO_MENTIONS = discord.AllowedMentions.none()


class NewsreelClient(commands.Bot):
    """What the cogs see of the bot: discord.py's Bot plus Newsreel's services.

    `bot.discord_app.NewsreelBot` fills these in; the cogs are typed against this class so that
    they never import the module that loads them.
    """

    library: Library
    config: Config
    cooldown: Cooldown
    channels: ChannelDirectory


class Notice(Exception):
    """A short message for the user who triggered a command; not a fault of the bot."""


def newsreel(interaction: discord.Interaction) -> NewsreelClient:
    """The bot an interaction arrived at."""
    return cast("NewsreelClient", interaction.client)


def check_cooldown(bot: NewsreelClient, user: discord.abc.User) -> None:
    """Raise a Notice when `user` searched less than the configured cooldown ago."""
    wait = bot.cooldown.retry_after(user.id)
    if wait:
        raise Notice(cooldown_notice(wait))


def explain(error: BaseException, what: str) -> str:
    """The short text a user gets for a failure; the bot's own faults are logged in full."""
    if isinstance(error, BadArgument | Notice):
        return str(error)
    if isinstance(error, IndexUnavailableError):
        log.warning("%s: %s", what, error)
        return INDEX_UNAVAILABLE
    log.error("%s failed", what, exc_info=error)
    return SOMETHING_WENT_WRONG


async def send_notice(interaction: discord.Interaction, text: str) -> None:
    """Tell only the user behind `interaction`, whatever state its response is in."""
    text = truncate_message(text)
    response = interaction.response
    try:
        if not response.is_done():
            await response.send_message(text, ephemeral=True, allowed_mentions=NO_MENTIONS)
            return
        if response.type is discord.InteractionResponseType.deferred_channel_message:
            # The first follow-up after a defer *becomes* the "thinking…" message and keeps its
            # visibility, which may be public. Finish that message and remove it, so that the
            # notice goes out as a new, private one.
            await interaction.edit_original_response(content="…")
            await interaction.delete_original_response()
        await interaction.followup.send(text, ephemeral=True, allowed_mentions=NO_MENTIONS)
    except discord.HTTPException as err:  # e.g. the interaction expired meanwhile
        log.warning("could not send a notice to %s: %s", interaction.user.id, err)


@asynccontextmanager
async def answering(interaction: discord.Interaction, what: str) -> AsyncIterator[None]:
    """Any failure inside the block becomes a short private notice (and a log line if ours)."""
    try:
        yield
    except Exception as err:
        await send_notice(interaction, explain(err, what))


class ChannelDirectory:
    """Channel names of the ingested videos, read off the event loop and kept fresh.

    Commands check a typed channel against the names as last read, because that check has to
    happen before the interaction is acknowledged (so a mistake can be answered privately).
    """

    def __init__(
        self, catalog: Catalog, max_age: float = 30.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._catalog = catalog
        self._max_age = max_age
        self._clock = clock
        self._read_at = -math.inf
        self._refreshing: asyncio.Task[tuple[str, ...]] | None = None
        self.names: tuple[str, ...] = ()

    async def refresh(self) -> tuple[str, ...]:
        """Read the names now (in a thread)."""
        self.names = tuple(await asyncio.to_thread(self._catalog.channels))
        self._read_at = self._clock()
        return self.names

    def known(self) -> tuple[str, ...]:
        """The names as last read; a re-read starts in the background when they are old."""
        stale = self._clock() - self._read_at > self._max_age
        if stale and (self._refreshing is None or self._refreshing.done()):
            self._refreshing = asyncio.get_running_loop().create_task(self.refresh())
        return self.names


async def channel_autocomplete(
    interaction: discord.Interaction, current: str
) -> list[app_commands.Choice[str]]:
    """Autocomplete for `channel` options: the known channels matching what was typed."""
    names = channel_choices(current, newsreel(interaction).channels.known())
    return [app_commands.Choice(name=truncate_words(n, 100), value=n) for n in names]

