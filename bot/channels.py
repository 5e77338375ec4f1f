"""Channel names for `channel` options: kept fresh off the event loop, offered as autocomplete."""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Callable

import discord
from discord import app_commands

from service.arguments import channel_choices
from service.text import truncate_words


class ChannelDirectory:
    """Channel names of the ingested videos, read off the event loop and kept fresh.

    Commands check a typed channel against the names as last read, because that check has to
    happen before the interaction is acknowledged (so a mistake can be answered privately).
    """

    def __init__(
        self, read: Callable[[], list[str]], max_age: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._read = read
        self._max_age = max_age
        self._clock = clock
        self._read_at = -math.inf
        self._refreshing: asyncio.Task[tuple[str, ...]] | None = None
        self.names: tuple[str, ...] = ()

    async def refresh(self) -> tuple[str, ...]:
        """Read the names now (in a thread)."""
        self.names = tuple(await asyncio.to_thread(self._read))
        self._read_at = self._clock()
        return self.names

    def known(self) -> tuple[str, ...]:
        """The names as last read; a re-read starts in the background when they are old."""
        stale = self._clock() - self._read_at > self._max_age
        if stale and (self._refreshing is None or self._refreshing.done()):
            self._refreshing = asyncio.get_running_loop().create_task(self.refresh())
        return self.names

    def autocomplete(self, current: str) -> list[app_commands.Choice[str]]:
        """Choices for a `channel` option: the known channels matching what was typed."""
        names = channel_choices(current, self.known())
        return [app_commands.Choice(name=truncate_words(n, 100), value=n) for n in names]


async def channel_autocomplete(
    interaction: discord.Interaction, current: str
) -> list[app_commands.Choice[str]]:
    """Autocomplete for `channel` options, from the directory of the bot it arrived at."""
    directory: ChannelDirectory | None = getattr(interaction.client, "channels", None)
    return directory.autocomplete(current) if directory is not None else []
