"""A per-user cooldown shared by the commands that search."""

from __future__ import annotations

import time
from collections.abc import Callable


class Cooldown:
    """At most one search per user every `seconds`; 0 disables it."""

    def __init__(self, seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.seconds = max(0.0, seconds)
        self._clock = clock
        self._last: dict[int, float] = {}

    def retry_after(self, user_id: int) -> float:
        """Seconds the user must still wait, or 0.0 after recording this use as allowed."""
        if not self.seconds:
            return 0.0
        now = self._clock()
        last = self._last.get(user_id)
        if last is not None and now - last < self.seconds:
            return self.seconds - (now - last)
        self._last[user_id] = now
        if len(self._last) > 10_000:
            self._forget_before(now - self.seconds)
        return 0.0

    def _forget_before(self, moment: float) -> None:
        # Users whose cooldown has run out need no entry; keeps a long-running bot's memory flat.
        self._last = {u: t for u, t in self._last.items() if t >= moment}
