"""The bot's poll of followed channels: first at start-up, then every `poll_minutes`, one poll
at a time, each in a worker thread so the event loop never waits on the network or the models.
What a poll ingests goes to the alert path (`on_ingested`), like an inbox batch."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time

from app.finishing import run_to_completion
from bot.services import OnIngested
from service.subscriptions import PollReport, Subscriptions

log = logging.getLogger("newsreel.subscriptions")


class SubscriptionPoller:
    """Polls `subscriptions` every `interval_s` seconds (a failing list waits its own delay)."""

    def __init__(self, subscriptions: Subscriptions, interval_s: float,
                 on_ingested: OnIngested | None = None) -> None:
        self.subscriptions = subscriptions
        self.interval_s = interval_s
        self.on_ingested = on_ingested
        self.polls = 0
        self.last: PollReport | None = None
        self._wake = asyncio.Event()

    def wake(self) -> None:
        """Poll now rather than at the next interval (a subscription was just added)."""
        self._wake.set()

    async def run(self) -> None:
        """Poll until cancelled."""
        while True:
            self._wake.clear()
            await self.poll_once()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.interval_s)

    async def poll_once(self) -> PollReport | None:
        """One poll in a worker thread; its ingested videos handed to `on_ingested`."""
        started = time.perf_counter()
        try:
            report = await run_to_completion(self.subscriptions.poll, due_only=True)
        except Exception:
            log.exception("subscription poll failed; trying again at the next one")
            return None
        self.polls += 1
        self.last = report
        for failure in report.failed:
            if failure.video_id is not None or not failure.url:  # a list's own failure is
                log.info("%s", failure.line())  # logged by the service, once per change
        if report.sources:
            log.info("subscriptions: %s in %.1fs", report.summary_line(),
                     time.perf_counter() - started)
        if self.on_ingested is not None and report.ingest.ingested:
            try:
                await self.on_ingested(report.ingest)
            except Exception:
                log.exception("after-poll callback failed")
        return report
