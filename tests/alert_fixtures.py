"""Shared helpers for the alert tests: a recording AlertSender, corpus files to drop, the bot."""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from app.bot_wiring import build_bot
from app.wiring import Library
from bot.alert_messages import Outgoing, render_alert
from bot.client import CogFactory, NewsreelBot
from service.alerts.messages import Alert
from tests.discord_standin.fixtures import running_bot
from tests.discord_standin.server import DiscordStandIn
from tests.fixtures_store import CORPUS, DATA

ARRIVALS = DATA / "alerts"  # ten small corpus files, the "new videos" of these tests

# video ids of some arrivals (see the files' <video_id>)
ISLAMIC_STATE_MOSQUE = "141_ee1a8cf3572789fe.txt"
ISLAMABAD_BLAST = "127_f915c87dfb32f641.txt"
BANGLADESH = "150_c794a051f4bd7189.txt"
GIRLS_FOOTBALL = "166_1ec5ab1f1f091d00.txt"


def video_id_of(path: Path) -> str:
    """The <video_id> of a seed transcript."""
    text = path.read_text(encoding="utf-8")
    return text.split("<video_id>", 1)[1].split("</video_id>", 1)[0].strip()


def corpus_files(n: int | None = None) -> list[Path]:
    """The small test corpus (tests/data/corpus), sorted."""
    return sorted(CORPUS.glob("*.txt"))[:n]


def arrivals(*names: str) -> list[Path]:
    """Arrival files by name (all ten when none is named)."""
    return [ARRIVALS / n for n in names] if names else sorted(ARRIVALS.glob("*.txt"))


def drop(files: list[Path], inbox: Path) -> float:
    """Copy files into the inbox the way a downloader would (write, then rename into place)."""
    started = time.perf_counter()
    for f in files:
        tmp = inbox / f".{f.name}.part"
        shutil.copyfile(f, tmp)
        tmp.rename(inbox / f.name)
    return started


@dataclass
class Sent:
    """One message the fake sender accepted."""

    kind: str  # "channel" | "dm"
    target: int
    alert: Alert

    @property
    def message(self) -> Outgoing:
        """The alert as Discord would show it."""
        return render_alert(self.alert)
    at: float = field(default_factory=time.perf_counter)


class FakeSender:
    """Records messages; `fail[target]` is a queue of exceptions to raise first."""

    def __init__(self) -> None:
        self.sent: list[Sent] = []
        self.fail: dict[int, list[BaseException]] = {}
        self.attempts = 0
        self.event = asyncio.Event()

    async def send_channel(self, channel_id: int, message: Alert) -> None:
        self._record("channel", channel_id, message)

    async def send_dm(self, user_id: int, message: Alert) -> None:
        self._record("dm", user_id, message)

    def _record(self, kind: str, target: int, message: Alert) -> None:
        self.attempts += 1
        queue = self.fail.get(target)
        if queue:
            raise queue.pop(0)
        self.sent.append(Sent(kind, target, message))
        self.event.set()

    def to(self, target: int) -> list[Sent]:
        """Messages sent to one channel or user."""
        return [s for s in self.sent if s.target == target]

    async def wait_for(self, count: int, timeout: float = 20.0) -> None:  # noqa: ASYNC109
        """Wait until at least `count` messages were sent."""
        async with asyncio.timeout(timeout):
            while len(self.sent) < count:
                self.event.clear()
                await self.event.wait()


@pytest.fixture
def sender() -> FakeSender:
    """A fresh recording sender."""
    return FakeSender()


@contextlib.asynccontextmanager
async def newsreel(lib: Library, standin: DiscordStandIn, alerts: CogFactory | None = None
                   ) -> AsyncIterator[NewsreelBot]:
    """The real NewsreelBot over `lib` (its alerts cog from `alerts`, else the production one),
    connected to the stand-in until the block ends."""
    async with running_bot(build_bot(lib, lib.config, alerts=alerts), standin, timeout=30) as bot:
        yield bot


async def slash(standin: DiscordStandIn, name: str, options: dict[str, Any] | list[dict[str, Any]],
                **kw: Any) -> dict[str, Any]:
    """Run a slash command on the stand-in; the data of the bot's response."""
    iid = await standin.send_slash_command(name, options, **kw)
    callback = await standin.wait_for_request(
        lambda r: r.route == "callback" and r.interaction_id == iid, timeout=10)
    data: dict[str, Any] = callback.json["data"]
    return data
