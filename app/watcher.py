"""Watch inbox folders for new or changed transcripts and ingest them once they are complete.

File events come from `watchfiles`; a periodic rescan catches whatever events miss (network
folders, a watcher that could not start, files that arrived while the process was down). A
file is read only once its size and modification time stayed the same across two polls
`stable_seconds` apart, so a file still being written is never ingested half-way. Ingest is
the CLI's (`Library.ingest`), run in a worker thread, one batch at a time.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import stat
import sys
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TextIO

import watchfiles

from app.finishing import run_to_completion
from app.wiring import Library
from bot.services import OnIngested
from store.ingest import IngestReport
from store.sources import discover

log = logging.getLogger("newsreel.watch")

Signature = tuple[int, int]  # (size, mtime in ns)


def signature(path: Path) -> Signature | None:
    """Size and modification time of a file, or None when it is not a readable file."""
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_size, st.st_mtime_ns) if stat.S_ISREG(st.st_mode) else None


def _hidden(path: Path) -> bool:
    return path.name.startswith(".")


def files_under(dirs: Iterable[Path]) -> list[Path]:
    """Every non-hidden file under the folders (hidden folders skipped too)."""
    out: list[Path] = []
    for d in dirs:
        for root, subdirs, names in os.walk(d):
            subdirs[:] = [s for s in subdirs if not s.startswith(".")]
            out.extend(Path(root) / n for n in names if not n.startswith("."))
    return out


class InboxWatcher:
    """Ingests transcripts dropped into `dirs`; calls `on_ingested` after each batch."""

    def __init__(
        self,
        library: Library,
        dirs: Sequence[Path],
        on_ingested: OnIngested | None = None,
        *,
        stable_seconds: float = 0.5,
        rescan_seconds: float = 60.0,
        timings: Sequence[Path] = (),
        force_polling: bool | None = None,
    ) -> None:
        self.library = library
        self.dirs = [Path(d) for d in dirs]
        self.on_ingested = on_ingested
        self.stable_seconds = stable_seconds
        self.rescan_seconds = rescan_seconds
        self.timings = list(timings)
        self.force_polling = force_polling
        self.batches = 0
        # Candidates: their signature and when it was first seen (monotonic clock).
        self._pending: dict[Path, tuple[Signature | None, float]] = {}
        self._seen: dict[Path, Signature] = {}  # signature when last handed to ingest
        self._inflight: dict[Path, Signature] = {}  # being ingested right now
        self._wake = asyncio.Event()
        self._stop = asyncio.Event()
        self._started = asyncio.Event()

    # --- lifecycle ------------------------------------------------------------------------

    async def run(self) -> None:
        """Watch until cancelled: catch up on what is there, then follow events and rescans."""
        for d in self.dirs:
            if not d.is_dir():
                raise FileNotFoundError(f"inbox folder does not exist: {d}")
        self._stop.clear()
        events = asyncio.create_task(self._watch_events(), name="newsreel-inbox-events")
        try:
            async with asyncio.TaskGroup() as tg:
                tg.create_task(self._settle_loop(), name="newsreel-inbox-settle")
                await self.rescan()
                self._started.set()
                tg.create_task(self._rescan_loop(), name="newsreel-inbox-rescan")
        finally:
            # The event thread checks this flag: set it first so that cancelling is prompt.
            self._stop.set()
            events.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await events

    async def wait_started(self) -> None:
        """Return once the first scan of the folders has been queued."""
        await self._started.wait()

    async def rescan(self) -> None:
        """Queue every file that is new or changed since it was last handed to ingest."""
        found = await asyncio.to_thread(lambda: [(p, signature(p)) for p in files_under(self.dirs)])
        self._add((p, sig) for p, sig in found if sig is not None and p not in self._pending)

    def _add(self, found: Iterable[tuple[Path, Signature | None]]) -> None:
        # Only ever called on the event loop: the dicts are not shared with worker threads.
        added = False
        now = time.monotonic()
        for path, sig in found:
            if sig is not None and sig in (self._seen.get(path), self._inflight.get(path)):
                continue  # a late event (or a rescan) for a file ingested as it is
            known = self._pending.get(path)
            if known is None or known[0] != sig or sig is None:
                self._pending[path] = (sig, now)
            added = True
        if added:
            self._wake.set()

    async def _rescan_loop(self) -> None:
        while True:
            await asyncio.sleep(self.rescan_seconds)
            try:
                await self.rescan()
            except OSError as err:
                log.warning("inbox rescan failed: %s", err)

    async def _watch_events(self) -> None:
        try:
            async for changes in watchfiles.awatch(
                *self.dirs, debounce=400, step=50, rust_timeout=1000, stop_event=self._stop,
                force_polling=self.force_polling, ignore_permission_denied=True,
            ):
                found = await asyncio.to_thread(self._event_paths, changes)
                self._add(found)
        except asyncio.CancelledError:
            raise
        except Exception as err:
            # Rescans still find new files, only later: say so once, keep running.
            log.warning("inbox file events unavailable (%s: %s); relying on rescans every %ss",
                        err.__class__.__name__, err, self.rescan_seconds)

    def _event_paths(self, changes: set[tuple[watchfiles.Change, str]]
                     ) -> list[tuple[Path, Signature | None]]:
        out: list[tuple[Path, Signature | None]] = []
        for change, name in changes:
            path = Path(name)
            if change == watchfiles.Change.deleted or _hidden(path):
                continue
            if path.is_dir():  # a folder moved in: everything inside is new
                out.extend((p, signature(p)) for p in files_under([path]))
            else:
                out.append((path, signature(path)))
        return out

    # --- settling and ingesting -----------------------------------------------------------

    async def _settle_loop(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            while self._pending:
                # Poll a few times per stability window, so a file that stops changing is read
                # about `stable_seconds` after its last change, not up to twice that.
                await asyncio.sleep(self.stable_seconds / 3)
                try:
                    ready = await self._poll()
                    if ready:
                        await self._ingest(ready)
                except Exception:  # a bug here must not end the watching
                    log.exception("inbox watcher: unexpected failure; continuing")

    async def _poll(self) -> dict[Path, Signature]:
        """Files whose signature has not changed for `stable_seconds` (ready to read)."""
        before = dict(self._pending)
        current = await asyncio.to_thread(lambda: {p: signature(p) for p in before})
        now = time.monotonic()
        ready: dict[Path, Signature] = {}
        for path, sig in current.items():
            if self._pending.get(path) != before[path]:
                continue  # an event re-queued it meanwhile: its new signature stands
            last, since = before[path]
            if sig is None:
                del self._pending[path]  # deleted (or became a folder) meanwhile
            elif sig != last:
                self._pending[path] = (sig, now)  # still being written: start over
            elif now - since >= self.stable_seconds * 0.95:  # (sleep may wake a hair early)
                del self._pending[path]
                if sig[0] > 0:  # an empty file is a file about to be written: wait for that
                    ready[path] = sig
        return ready

    @staticmethod
    def _batch_paths(ready: dict[Path, Signature], pending: set[Path],
                     seen: dict[Path, Signature]) -> list[Path]:
        """What to hand to ingest for these stable files.

        Transcript files as `discover` sees them. A file it does not list (the timings of a
        seed transcript, the captions of an .info.json) changes the transcript it belongs to:
        then the stable transcripts of that folder go too, and ingest's fingerprints skip the
        ones that did not change.
        """
        folders = sorted({p.parent for p in ready})
        listed = discover(folders)
        listed_set = set(listed)
        owners_of = {p.parent for p in ready if p not in listed_set}
        out: list[Path] = []
        for path in listed:
            if path in ready:
                out.append(path)
            elif path.parent in owners_of and path not in pending:
                sig = signature(path)
                if sig is not None and seen.get(path) == sig:
                    out.append(path)
        return out

    async def _ingest(self, ready: dict[Path, Signature]) -> None:
        paths = await asyncio.to_thread(
            self._batch_paths, ready, set(self._pending), dict(self._seen))
        if not paths:
            self._seen.update(ready)  # nothing ingestible (an image, a README): remember it
            return
        started = time.perf_counter()
        self._inflight.update(ready)
        try:
            report = await run_to_completion(self.library.ingest, paths, self.timings)
        except Exception:
            # Not seen: the next rescan offers these files again.
            log.exception("ingest of %d inbox file(s) failed", len(paths))
            return
        finally:
            for path in ready:
                self._inflight.pop(path, None)
        self.batches += 1
        for name, reason in report.rejected:
            log.warning("rejected %s: %s", name, reason)
        for warning in report.warnings:
            log.info("%s", warning)
        if report.failed:
            log.error("ingest stopped: %s (the files are retried at the next rescan)",
                      report.failed)
        else:
            self._seen.update(ready)
        log.info("inbox batch: %s in %.1fs", report.summary_line(),
                 time.perf_counter() - started)
        if self.on_ingested is not None and (report.ingested or report.rejected):
            try:
                await self.on_ingested(report)
            except Exception:
                log.exception("after-ingest callback failed")


def run_watch(library: Library, dirs: Sequence[Path], *, out: TextIO | None = None,
              err: TextIO | None = None, stable_seconds: float = 0.5,
              rescan_seconds: float | None = None) -> int:
    """`newsreel watch DIR…`: ingest what arrives until Ctrl-C; one line per ingest batch."""
    out = out or sys.stdout
    err = err or sys.stderr
    missing = [d for d in dirs if not Path(d).is_dir()]
    if missing:
        print(f"newsreel: error: not a folder: {missing[0]}", file=err)
        return 2
    rescan = rescan_seconds or library.config.alerts.rescan_seconds

    async def on_batch(report: IngestReport) -> None:
        # Rejected files are named by the watcher's own warning (on stderr), once each.
        stamp = time.strftime("%H:%M:%S")
        ids = ", ".join(report.ingested[:10]) + (" …" if len(report.ingested) > 10 else "")
        print(f"{stamp} {report.summary_line()}" + (f": {ids}" if ids else ""), file=out,
              flush=True)

    watcher = InboxWatcher(library, dirs, on_batch, stable_seconds=stable_seconds,
                           rescan_seconds=rescan)
    print(f"watching {', '.join(str(d) for d in dirs)} (Ctrl-C to stop)", file=out, flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(watcher.run())
    print("stopped", file=out, flush=True)
    return 0
