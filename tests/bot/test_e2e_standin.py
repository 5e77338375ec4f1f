"""`newsreel run`'s own client and start path against the local Discord stand-in, end to end."""

from __future__ import annotations

import asyncio
import contextlib
import re
import statistics
from collections.abc import AsyncIterator, Callable
from dataclasses import replace

import pytest

from app.config import Config, DiscordConfig
from app.serve import start_bot
from app.wiring import Library
from bot.client import minimal_intents
from bot.discord_limits import plain_text
from store.search.quotes import is_verbatim
from tests.discord_standin import DiscordStandIn, RecordedRequest

pytestmark = pytest.mark.timeout(120)

QUESTIONS = [
    "Are polar bears getting fatter?", "What is happening to the price of gold?",
    "How bad are the floods in Mozambique?", "What did Iran say about retaliation?",
    "Why are police investigating Mandelson?", "What did EU leaders say about Greenland?",
    "Was blood found on Nancy Guthrie's porch?", "Why do investors buy gold?",
    "How many people were affected by the flooding?", "What did Denmark's prime minister say?",
]
YOUTUBE = re.compile(r"https://www\.youtube\.com/watch\?v=([\w-]{11})")


def is_(route: str, iid: int) -> Callable[[RecordedRequest], bool]:
    return lambda r: r.route == route and r.interaction_id == iid


@contextlib.asynccontextmanager
async def newsreel_running(standin: DiscordStandIn, library: Library, config: Config
                           ) -> AsyncIterator[None]:
    """`start_bot` exactly as `run_bot` calls it, with a test token and a prepared library."""
    task = asyncio.create_task(start_bot(config, "test-token", library=library))
    try:
        ready = asyncio.create_task(standin.wait_ready(timeout=60))
        done, _ = await asyncio.wait({task, ready}, return_when=asyncio.FIRST_COMPLETED)
        if task in done:
            task.result()
            raise AssertionError("the bot stopped before it was ready")
        ready.result()
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


def settings(standin: DiscordStandIn) -> Config:
    return replace(Config(), discord=DiscordConfig(test_guild_id=standin.guild_id,
                                                   cooldown_seconds=0))


async def test_ask_end_to_end(discord_standin: DiscordStandIn, corpus_library: Library) -> None:
    s = discord_standin
    async with newsreel_running(s, corpus_library, settings(s)):
        identify = next(p for p in s.gateway_received if p["op"] == 2)
        assert identify["d"]["intents"] == minimal_intents().value  # nothing privileged
        assert {c["name"] for c in s.registered_commands[s.guild_id]} == {
            "ask", "quote", "latest", "stats", "Find coverage", "follow", "unfollow", "following",
            "newsreel", "trend", "compare"}
        assert not s.registered_commands.get(None), "a test guild is synced alone, not globally"

        iid = await s.send_slash_command("ask", {"question": "Are polar bears getting fatter?"})
        deferral = await s.wait_for_request(is_("callback", iid))
        followup = await s.wait_for_request(is_("followup", iid), timeout=30)

    assert deferral.json == {"type": 5}
    assert followup.json["allowed_mentions"] == {"parse": []}
    field = followup.json["embeds"][0]["fields"][0]
    quote = re.search(r"“(.*)”", plain_text(field["value"]), re.DOTALL)
    link = YOUTUBE.search(field["value"])
    assert quote and link and link.group(1) == "9TCkrN16Hac"
    words = corpus_library.catalog.video_text("9TCkrN16Hac")
    assert words is not None and is_verbatim(quote.group(1), " ".join(words.words))
    assert "polar bears" in quote.group(1)


async def test_fifty_asks_at_once_are_all_answered(
    discord_standin: DiscordStandIn, corpus_library: Library
) -> None:
    s = discord_standin
    async with newsreel_running(s, corpus_library, settings(s)):
        ids = await asyncio.gather(*(
            s.send_slash_command("ask", {"question": QUESTIONS[i % len(QUESTIONS)]})
            for i in range(50)))
        followups = await asyncio.gather(*(
            s.wait_for_request(is_("followup", iid), timeout=90) for iid in ids))
        deferrals = [next(r for r in s.requests if is_("callback", iid)(r)) for iid in ids]

    assert len(set(ids)) == 50 and all(d.json == {"type": 5} for d in deferrals)
    for f in followups:
        assert f.status == 200 and (f.json.get("embeds") or f.json.get("content"))
    answered = [f for f in followups if f.json.get("embeds")]
    assert len(answered) >= 40, "most of these questions have coverage"
    to_deferral = sorted((d.received_at - s.interaction_sent_at[i]) * 1000
                         for d, i in zip(deferrals, ids, strict=True))
    to_answer = sorted((f.received_at - s.interaction_sent_at[i]) * 1000
                       for f, i in zip(followups, ids, strict=True))
    print(f"\n50 /ask at once: deferral p50={statistics.median(to_deferral):.0f} ms "
          f"p95={to_deferral[int(0.95 * 50) - 1]:.0f} ms; follow-up "
          f"p50={statistics.median(to_answer):.0f} ms p95={to_answer[int(0.95 * 50) - 1]:.0f} ms "
          f"max={to_answer[-1]:.0f} ms")


async def test_bad_arguments_are_answered_privately_end_to_end(
    discord_standin: DiscordStandIn, corpus_library: Library
) -> None:
    s = discord_standin
    async with newsreel_running(s, corpus_library, settings(s)):
        unknown = await s.send_slash_command("ask", {"question": "gold", "channel": "bbc"})
        blank = await s.send_slash_command("quote", {"text": "   "})
        answers = [await s.wait_for_request(is_("callback", iid)) for iid in (unknown, blank)]

    for answer in answers:
        assert answer.json["type"] == 4 and answer.json["data"]["flags"] & 64  # ephemeral
    assert answer.json["data"]["content"].startswith("Please type a line")
    assert answers[0].json["data"]["content"] == (
        "No videos from a channel called “bbc”. Did you mean “BBC News”? "
        "Known channels: BBC News, DW News.")
