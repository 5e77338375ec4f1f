"""The Discord client of `newsreel run`: the bot, its start-up, and the CLI's entry point.

Intents: only `guilds` (the guilds and channels commands run in) and `guild_messages` (to see
messages that @mention the bot). No privileged intent: Discord includes the content of
messages that mention the bot, and of the message a message command is used on, without
`message_content`; and interactions carry the member who used them, without `members`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import sys
from collections.abc import Callable, Iterator
from typing import Any

import aiohttp
import discord
from discord import app_commands
from discord.ext import commands

from bot.cogs import ChannelDirectory, NewsreelClient, explain, log, send_notice
from bot.cogs.alerts import AlertsCog
from bot.cogs.ask import AskCog
from bot.cogs.browse import BrowseCog
from bot.cogs.quote import QuoteCog
from bot.config import Config
from bot.cooldown import Cooldown
from bot.logs import LOG_FORMAT
from bot.wiring import Library, build_library
from store.errors import IndexUnavailableError, NewsreelError

TOKEN_ENV = "DISCORD_TOKEN"

# Each entry is called with the bot and returns a cog to add (append yours, e.g. alerts).
COGS: list[Callable[[NewsreelClient], commands.Cog]] = [AskCog, QuoteCog, BrowseCog, AlertsCog]

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


def warm_up(library: Library) -> None:
    """Run one search so the model, Chroma and SQLite are loaded before the first question."""
    try:
        library.index.check()
        library.searcher.search("warm up the model and the index", k=1)
    except IndexUnavailableError as err:
        # Start anyway: the index reconnects by itself, and questions get a clear notice meanwhile.
        log.warning("%s; questions get 'index unavailable' until it is back", err)


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


class NewsreelBot(NewsreelClient):
    """Newsreel on Discord: slash commands, buttons, mentions; the store is injected."""

    def __init__(self, library: Library, config: Config, **kwargs: Any) -> None:
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
        self.library = library
        self.config = config
        self.cooldown = Cooldown(config.discord.cooldown_seconds)
        self.channels = ChannelDirectory(library.catalog)
        self.invite_url = ""
        self._announced_ready = False

    async def setup_hook(self) -> None:
        """Before connecting: warm the store, add the cogs, sync the commands."""
        await asyncio.to_thread(warm_up, self.library)
        await self.channels.refresh()
        for make_cog in COGS:
            await self.add_cog(make_cog(self))
        if self.application_id is not None:
            self.invite_url = invite_url(self.application_id)
            print(f"newsreel: invite the bot with {self.invite_url}", flush=True)
        await self.sync_commands()

    async def sync_commands(self) -> None:
        """Register the commands: with the test guild if configured (instant), else globally."""
        guild_id = self.config.discord.test_guild_id
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


async def start_bot(config: Config, token: str, library: Library | None = None) -> None:
    """Run the bot until it is closed or cancelled; the library is built first, in a thread."""
    own_library = library is None
    if library is None:
        print("newsreel: loading the model and the index…", flush=True)
        library = await asyncio.to_thread(build_library, config)
    try:
        async with NewsreelBot(library, config) as bot:
            await bot.start(token)
    finally:
        if own_library:
            library.close()


def run_bot(config: Config) -> int:
    """`newsreel run`: serve until stopped (0); a missing or rejected token etc. is 2."""
    token = os.environ.get(TOKEN_ENV, "").strip()
    if not token:
        return _fail(f"{TOKEN_ENV} is not set; export the bot token from the Discord developer "
                     "portal (Applications → your app → Bot → Reset Token)")
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.WARNING, format=LOG_FORMAT)
    with redacted(token):
        try:
            asyncio.run(_serve(config, token))
        except discord.LoginFailure:
            return _fail(f"Discord rejected the token in {TOKEN_ENV}; check it in the developer "
                         "portal (Bot → Reset Token)")
        except discord.PrivilegedIntentsRequired:
            return _fail("Discord refused the bot's intents; enable them in the developer portal")
        except NewsreelError as err:
            return _fail(str(err))
        except (aiohttp.ClientError, discord.GatewayNotFound) as err:
            return _fail(f"cannot reach Discord ({err.__class__.__name__}: {err})")
        except discord.HTTPException as err:
            return _fail(f"Discord refused a request ({err.status}: {err.text or err})")
        except KeyboardInterrupt:
            pass
    print("newsreel: stopped", flush=True)
    return 0


async def _serve(config: Config, token: str) -> None:
    """start_bot, stopped cleanly (connection closed, store released) by SIGTERM as by Ctrl-C."""
    main = asyncio.current_task()
    loop = asyncio.get_running_loop()
    if main is not None:
        with contextlib.suppress(NotImplementedError, RuntimeError):  # Windows, not main thread
            loop.add_signal_handler(signal.SIGTERM, main.cancel)
    try:
        await start_bot(config, token)
    except asyncio.CancelledError:
        pass  # SIGTERM (or Ctrl-C): the bot closed on the way out
    finally:
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.remove_signal_handler(signal.SIGTERM)


def _fail(message: str) -> int:
    # Inside an `except`: with --debug (DEBUG logging) the traceback shows before the line.
    log.debug("newsreel run failed", exc_info=True)
    print(f"newsreel: error: {message}", file=sys.stderr)
    return 2


class RedactToken(logging.Filter):
    """Replaces the token wherever it would appear in a log line, traceback included."""

    def __init__(self, token: str) -> None:
        super().__init__()
        self.token = token

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the record without the token; never drops it."""
        message = record.getMessage()
        if self.token in message:
            record.msg, record.args = message.replace(self.token, "[DISCORD_TOKEN]"), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text and self.token in record.exc_text:
            record.exc_text = record.exc_text.replace(self.token, "[DISCORD_TOKEN]")
        return True


@contextlib.contextmanager
def redacted(token: str) -> Iterator[None]:
    """Keep the token out of every log handler of the root logger while inside."""
    token_filter = RedactToken(token)
    handlers = list(logging.getLogger().handlers)
    for handler in handlers:
        handler.addFilter(token_filter)
    try:
        yield
    finally:
        for handler in handlers:
            handler.removeFilter(token_filter)
