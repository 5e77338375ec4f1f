"""Blocking store work run from the event loop that, once started, finishes its writes."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


async def run_to_completion(func: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """`func(*args, **kwargs)` in a worker thread, its result returned; when the caller is
    cancelled (the bot stopping), the work still finishes before the cancellation goes on, so
    the store is never closed under a write. Raises what `func` raises."""
    work = asyncio.ensure_future(asyncio.to_thread(func, *args, **kwargs))
    try:
        return await asyncio.shield(work)
    except asyncio.CancelledError:
        # A kill would be safe too (the catalog marks unfinished videos pending, a poll's
        # marker makes the next one ingest what its folders hold); a clean stop is quicker.
        with contextlib.suppress(Exception):
            await work
        raise
