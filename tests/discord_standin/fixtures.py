"""Pytest fixtures and helpers for running an unmodified discord.py client against the stand-in."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import TypeVar

import discord
import pytest

from tests.discord_standin.server import DiscordStandIn

ClientT = TypeVar("ClientT", bound=discord.Client)


@pytest.fixture
async def discord_standin() -> AsyncIterator[DiscordStandIn]:
    """A running stand-in with discord.py pointed at it (globals restored afterwards)."""
    async with DiscordStandIn() as standin:
        with standin.patch_discord():
            yield standin


@contextlib.asynccontextmanager
async def running_bot(client: ClientT, standin: DiscordStandIn, *, token: str = "test-token",
                      timeout: float = 5.0) -> AsyncIterator[ClientT]:  # noqa: ASYNC109
    """Run ``client.start(token)`` in a task until the client is ready; close it on exit."""
    task = asyncio.create_task(client.start(token), name="standin-bot")
    ready = asyncio.create_task(client.wait_until_ready())
    try:
        done, _ = await asyncio.wait({task, ready}, timeout=timeout,
                                     return_when=asyncio.FIRST_COMPLETED)
        if task in done:
            task.result()  # re-raise whatever stopped the bot
            raise RuntimeError("bot stopped before becoming ready")
        if ready not in done:
            raise TimeoutError(f"bot not ready after {timeout}s")
        await standin.wait_ready(timeout)
        yield client
    finally:
        ready.cancel()
        await client.close()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.wait_for(task, timeout)
