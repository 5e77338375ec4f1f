"""The Discord client of `newsreel run`: the bot, its command tree, and its async start-up.

Intents: only `guilds` (the guilds and channels commands run in) and `guild_messages` (to see
messages that @mention the bot). No privileged intent: Discord includes the content of
messages that mention the bot, and of the message a message command is used on, without
`message_content`; and interactions carry the member who used them, without `members`.

Everything the bot uses is passed in (discord.py's `examples/advanced_startup.py` shape): the
composition root (`app.serve`) builds the services and the cogs' factories; `setup_hook` does
the async start-up.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.channels import ChannelDirectory
from bot.cooldown import Cooldown
from bot.notices import explain, send_notice
from bot.services import AnswerServices
from store.errors import NewsreelError

CogFactory = Callable[["NewsreelBot"], commands.Cog]  # called in setup_hook with the bot

# What the bot needs in a channel: interactions need no permission, replies to mentions do.
PERMISSIONS = discord.Permissions(
    view_channel=True, send_messages=True, send_messages_in_threads=True, embed_links=True,
    read_message_history=True,
)


def minimal_intents() -> discord.Intents:
    """`guilds` and `guild_messages` only; see the module docstring for why that is enough."""
    intents = discord.Intents.none()
    intents.guilds = True
    intents.guild_messages = True
    return intents


def invite_url(application_id: int) -> str:
    """The URL that adds the bot to a server with its commands and the permissions it needs."""
    return discord.utils.oauth_url(
        application_id, permissions=PERMISSIONS, scopes=("bot", "applications.commands"))


class NewsreelTree(app_commands.CommandTree[discord.Client]):
    """The command tree; failures no command handled become a private notice and a log line."""

    async def on_error(
        self, interaction: discord.Interaction, error: app_commands.AppCommandError
    ) -> None:
        """Log the failure and tell the user briefly (never a traceback in the channel)."""
        original = error.original if isinstance(error, app_commands.CommandInvokeError) else error
        command = interaction.command.qualified_name if interaction.command else "interaction"
        text = explain(original, command)
        if interaction.type is not discord.InteractionType.autocomplete:
            await send_notice(interaction, text)


class NewsreelBot(commands.Bot):
    """Newsreel on Discord: slash commands, buttons, mentions; every service is injected."""

    def __init__(
        self,
        answers: AnswerServices,
        *,
        cogs: Sequence[CogFactory] = (),
        cooldown: Cooldown | None = None,
        test_guild_id: int | None = None,
        warm_up: Callable[[], None] | None = None,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("intents", minimal_intents())
        # The bot never joins voice: discord.py's switches for its "PyNaCl/davey is not
        # installed" warnings, which would otherwise greet every start.
        discord.VoiceClient.warn_nacl = discord.VoiceClient.warn_dave = False
        super().__init__(
            command_prefix=commands.when_mentioned,  # unused: on_message runs no text commands
            help_command=None,
            tree_cls=NewsreelTree,
            allowed_mentions=discord.AllowedMentions.none(),  # the default for every message
            **kwargs,
        )
        self.answers = answers
        self.cooldown = cooldown or Cooldown(0)
        self.channels = ChannelDirectory(answers.channels)
        self.test_guild_id = test_guild_id
        self._cog_factories = list(cogs)
        self._warm_up = warm_up
        self.invite_url = ""
        self._announced_ready = False

    async def setup_hook(self) -> None:
        """Before connecting: warm the store, add the cogs, sync the commands."""
        if self._warm_up is not None:
            await asyncio.to_thread(self._warm_up)
        await self.channels.refresh()
        for make_cog in self._cog_factories:
            await self.add_cog(make_cog(self))
        if self.application_id is not None:
            self.invite_url = invite_url(self.application_id)
            print(f"newsreel: invite the bot with {self.invite_url}", flush=True)
        await self.sync_commands()

    async def sync_commands(self) -> None:
        """Register the commands: with the test guild if configured (instant), else globally."""
        guild_id = self.test_guild_id
        where = f"guild {guild_id}" if guild_id else "all servers"
        try:
            if guild_id:
                guild = discord.Object(id=guild_id)
                self.tree.copy_global_to(guild=guild)
                synced = await self.tree.sync(guild=guild)
            else:
                synced = await self.tree.sync()
        except discord.Forbidden as err:
            raise NewsreelError(
                f"Discord refused to register the commands in {where} ({err.text}); "
                f"add the bot there with {self.invite_url or 'its invite URL'}"
            ) from err
        print(f"newsreel: {len(synced)} commands registered for {where}", flush=True)

    async def on_message(self, message: discord.Message, /) -> None:
        """No text commands: questions by mention are answered by the ask cog's listener."""

    async def on_ready(self) -> None:
        """Say once that the bot is up."""
        if not self._announced_ready:
            self._announced_ready = True
            print(f"newsreel: ready as {self.user} in {len(self.guilds)} server(s)", flush=True)
