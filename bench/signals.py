"""A stopped benchmark cleans up after itself, whichever signal stopped it."""

from __future__ import annotations

import signal
from types import FrameType


def exit_on_termination() -> None:
    """Turn SIGTERM and SIGHUP into SystemExit(128 + signal) in this (main) thread.

    Python's default for them ends the process at once, skipping `with` and `finally` blocks;
    as an exception they unwind like Ctrl-C does, so temporary folders are removed and child
    processes stopped.
    """

    def stop(signum: int, frame: FrameType | None) -> None:
        raise SystemExit(128 + signum)

    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, stop)
