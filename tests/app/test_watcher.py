"""InboxWatcher: dropped files become searchable and alerted once; partial and broken files."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
import watchfiles

from app import watcher as watcher_module
from app.watcher import InboxWatcher, run_watch
from app.wiring import Library
from service.alerts.dispatcher import Dispatcher, DispatchSettings
from service.alerts.matching import TopicMatcher
from service.alerts.state import AlertStore
from store.ingest import IngestReport
from store.records import SearchFilters
from tests.alert_fixtures import FakeSender, corpus_files, drop, video_id_of

pytestmark = pytest.mark.timeout(60)


class Inbox:
    """A running watcher over one inbox folder, dispatching to a fake sender."""

    def __init__(self, lib: Library, folder: Path, sender: FakeSender) -> None:
        self.lib, self.folder, self.sender = lib, folder, sender
        self.reports: list[IngestReport] = []
        self.store = AlertStore.in_dir(lib.config.store.data_dir)
        self.store.set_guild_channel(1, 10)
        self.dispatcher = Dispatcher(lib.catalog, self.store, sender,
                                     TopicMatcher(lib.topic_evidence), DispatchSettings())
        self.watcher = InboxWatcher(lib, [folder], self.on_ingested, stable_seconds=0.3,
                                    rescan_seconds=0.5)

    async def on_ingested(self, report: IngestReport) -> None:
        self.reports.append(report)
        await self.dispatcher.dispatch()

    async def until(self, predicate: Callable[[], bool], timeout: float = 15.0) -> None:  # noqa: ASYNC109
        async with asyncio.timeout(timeout):
            while not predicate():  # noqa: ASYNC110 (state changed by worker threads)
                await asyncio.sleep(0.05)

    @property
    def ingested(self) -> list[str]:
        return [v for r in self.reports for v in r.ingested]

    @property
    def rejected(self) -> list[tuple[str, str]]:
        return [x for r in self.reports for x in r.rejected]


@contextlib.asynccontextmanager
async def watching(lib: Library, folder: Path, sender: FakeSender) -> AsyncIterator[Inbox]:
    inbox = Inbox(lib, folder, sender)
    task = asyncio.create_task(inbox.watcher.run())
    try:
        await asyncio.wait_for(inbox.watcher.wait_started(), 10)
        yield inbox
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        inbox.store.close()


@pytest.fixture
def inbox_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "inbox"
    folder.mkdir()
    return folder


async def test_dropped_file_becomes_searchable_with_exactly_one_alert(
        make_library: Callable[..., Library], inbox_dir: Path, sender: FakeSender) -> None:
    lib = make_library()
    source = corpus_files(1)[0]
    vid = video_id_of(source)
    async with watching(lib, inbox_dir, sender) as inbox:
        started = drop([source], inbox_dir)
        await sender.wait_for(1)
        print(f"\nfile written -> alert sent: {sender.sent[0].at - started:.2f}s (fake embedder)")
        await asyncio.sleep(1.5)  # three rescans and any late events: still one alert
    assert inbox.ingested == [vid] and len(sender.sent) == 1
    assert sender.sent[0].message.embed is not None
    assert sender.sent[0].message.embed.url == f"https://www.youtube.com/watch?v={vid}"
    assert lib.catalog.video(vid) is not None
    title_words = lib.catalog.video(vid).title.split()[:4]  # type: ignore[union-attr]
    assert lib.searcher.search(" ".join(title_words), k=1, filters=SearchFilters(video_id=vid))


async def test_file_written_slowly_is_ingested_once_and_complete(
        make_library: Callable[..., Library], inbox_dir: Path, sender: FakeSender) -> None:
    lib = make_library()
    source = corpus_files(1)[0]
    data = source.read_bytes()
    async with watching(lib, inbox_dir, sender) as inbox:
        target = inbox_dir / source.name
        parts = 8
        with target.open("wb") as fh:  # 8 parts, 0.15 s apart: 1.05 s of writing
            for i in range(parts):
                fh.write(data[i * len(data) // parts : (i + 1) * len(data) // parts])
                fh.flush()
                await asyncio.sleep(0.15)
        await sender.wait_for(1)
        await asyncio.sleep(1.0)
    assert inbox.ingested == [video_id_of(source)] and inbox.rejected == []
    assert inbox.watcher.batches == 1 and len(sender.sent) == 1
    text = lib.catalog.video_text(video_id_of(source))
    assert text is not None and " ".join(text.words).endswith(
        data.decode().split("<doc>")[1].split("</doc>")[0].split()[-1])
    assert len(text.words) == len(data.decode().split("<doc>")[1].split("</doc>")[0].split())


async def test_broken_file_is_reported_and_watching_goes_on(
        make_library: Callable[..., Library], inbox_dir: Path, sender: FakeSender,
        caplog: pytest.LogCaptureFixture) -> None:
    lib = make_library()
    good = corpus_files(2)[1]
    with caplog.at_level(logging.WARNING, logger="newsreel.watch"):
        async with watching(lib, inbox_dir, sender) as inbox:
            (inbox_dir / "broken.txt").write_text("<video_id>abc</video_id>\n<doc>\n", "utf-8")
            await inbox.until(lambda: bool(inbox.rejected))
            drop([good], inbox_dir)
            await sender.wait_for(1)
            await asyncio.sleep(1.0)  # rescans do not report the broken file again
    assert [Path(p).name for p, _ in inbox.rejected] == ["broken.txt"]
    assert caplog.text.count("rejected") == 1 and "broken.txt" in caplog.text
    assert inbox.ingested == [video_id_of(good)] and len(sender.sent) == 1


async def test_files_already_there_at_start_are_caught_up(
        make_library: Callable[..., Library], inbox_dir: Path, sender: FakeSender) -> None:
    lib = make_library()
    files = corpus_files(2)
    drop(files, inbox_dir)
    async with watching(lib, inbox_dir, sender) as inbox:
        await sender.wait_for(2)
    assert sorted(inbox.ingested) == sorted(video_id_of(f) for f in files)


async def test_rescan_finds_files_when_events_fail(
        make_library: Callable[..., Library], inbox_dir: Path, sender: FakeSender,
        monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    def no_events(*args: object, **kwargs: object) -> object:
        raise OSError("inotify watch limit reached")

    monkeypatch.setattr(watchfiles, "awatch", no_events)
    lib = make_library()
    with caplog.at_level(logging.WARNING, logger="newsreel.watch"):
        async with watching(lib, inbox_dir, sender):
            drop(corpus_files(1), inbox_dir)
            await sender.wait_for(1)
    assert "relying on rescans" in caplog.text


def test_watch_command_missing_folder(make_library: Callable[..., Library], tmp_path: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    assert run_watch(make_library(), [tmp_path / "nope"]) == 2
    assert "not a folder" in capsys.readouterr().err


WATCH_SCRIPT = """
import sys
from pathlib import Path
from app.watcher import run_watch
from app.wiring import build_library
from store.encoders.embedder import HashingEmbedder
from tests.fixtures_store import config_for
lib = build_library(config_for(Path(sys.argv[1])), HashingEmbedder())
sys.exit(run_watch(lib, [Path(sys.argv[2])], stable_seconds=0.2, rescan_seconds=1))
"""


def test_watch_command_prints_a_line_per_batch_until_ctrl_c(tmp_path: Path,
                                                            inbox_dir: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    proc = subprocess.Popen(
        [sys.executable, "-c", WATCH_SCRIPT, str(tmp_path / "data"), str(inbox_dir)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().startswith(f"watching {inbox_dir}")
        time.sleep(0.5)
        (inbox_dir / "broken.txt").write_text("not a transcript\n", "utf-8")
        drop(corpus_files(1), inbox_dir)
        lines = [proc.stdout.readline()]
        while "ingested 1" not in "".join(lines):
            lines.append(proc.stdout.readline())
        proc.send_signal(signal.SIGINT)
        # Stopping waits for the file-event thread's next check (≤ 1 s quiet); a fresh-clone
        # `make test` on a busy machine once took over 20 s here, so allow a minute.
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0 and out.strip().endswith("stopped")
    assert any(line.split(" ", 1)[1].startswith("ingested 1, unchanged 0,") for line in lines)
    assert "rejected" in err and "broken.txt" in err


def test_module_exports() -> None:
    assert watcher_module.InboxWatcher is InboxWatcher
