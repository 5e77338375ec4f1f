"""Serving `newsreel run`: the library built, the bot started, signals, the token kept secret.

The bot and its cogs' services are assembled by `app.bot_wiring`."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import sys
from collections.abc import Callable, Iterator

import aiohttp
import discord

from app.bot_wiring import build_bot
from app.config import Config
from app.logs import LOG_FORMAT
from app.wiring import Library, build_library
from store.errors import IndexUnavailableError, NewsreelError

TOKEN_ENV = "DISCORD_TOKEN"

log = logging.getLogger("newsreel.bot")


def warm_up(library: Library) -> None:
    """Load the models, Chroma and SQLite before the first question (Library.warm_up)."""
    try:
        library.warm_up()
    except IndexUnavailableError as err:
        # Start anyway: the index reconnects by itself, and questions get a clear notice meanwhile.
        log.warning("%s; questions get 'index unavailable' until it is back", err)




async def start_bot(
    config: Config, token: str, library: Library | None = None,
    build: Callable[[Config], Library] = build_library,
) -> None:
    """Run the bot until it is closed or cancelled; the library is built first, in a thread."""
    own_library = library is None
    if library is None:
        print("newsreel: loading the model and the index…", flush=True)
        library = await asyncio.to_thread(build, config)
    try:
        async with build_bot(library, config, warm_up=warm_up) as bot:
            await bot.start(token)
    finally:
        if own_library:
            library.close()


def run_bot(config: Config, build: Callable[[Config], Library] = build_library) -> int:
    """`newsreel run`: serve until stopped (0); a missing or rejected token etc. is 2."""
    token = os.environ.get(TOKEN_ENV, "").strip()
    if not token:
        return _fail(f"{TOKEN_ENV} is not set; export the bot token from the Discord developer "
                     "portal (Applications → your app → Bot → Reset Token)")
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.WARNING, format=LOG_FORMAT)
    with redacted(token):
        try:
            asyncio.run(_serve(config, token, build))
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


async def _serve(config: Config, token: str, build: Callable[[Config], Library]) -> None:
    """start_bot, stopped cleanly (connection closed, store released) by SIGTERM as by Ctrl-C."""
    main = asyncio.current_task()
    loop = asyncio.get_running_loop()
    if main is not None:
        with contextlib.suppress(NotImplementedError, RuntimeError):  # Windows, not main thread
            loop.add_signal_handler(signal.SIGTERM, main.cancel)
    try:
        await start_bot(config, token, build=build)
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
