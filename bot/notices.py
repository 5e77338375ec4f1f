"""The one error path of every command: failures become a short private notice, never a traceback.

`Notice` and `service.arguments.BadArgument` carry a message for the user; an unavailable index
gets a fixed line; anything else is the bot's own fault, logged in full, with an apology.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import discord

from bot.cooldown import Cooldown
from bot.discord_limits import truncate_message
from bot.render_discord import INDEX_UNAVAILABLE, SOMETHING_WENT_WRONG, cooldown_notice
from service.arguments import BadArgument
from store.errors import IndexUnavailableError

log = logging.getLogger("newsreel.bot")

# Nothing the bot posts may ping anyone: quotes and questions can contain "@everyone".
NO_MENTIONS = discord.AllowedMentions.none()


class Notice(Exception):
    """A short message for the user who triggered a command; not a fault of the bot."""


def check_cooldown(cooldown: Cooldown, user: discord.abc.User) -> None:
    """Raise a Notice when `user` searched less than the configured cooldown ago."""
    wait = cooldown.retry_after(user.id)
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
