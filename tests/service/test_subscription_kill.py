"""A poll killed (SIGKILL) mid-fetch or between fetching and ingesting loses nothing: the next
poll ingests what the folder holds and the catalog does not, and no video stays archived by
yt-dlp without being in the store."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.wiring import build_library
from store.encoders.embedder import HashingEmbedder
from tests.fake_channel import FakeChannel
from tests.fixtures_store import config_for

pytestmark = [pytest.mark.cli, pytest.mark.timeout(120)]
ROOT = Path(__file__).resolve().parents[2]

# A poll in its own process; with a marker file, its ingest step only says so and hangs there.
POLLER = """
import sys, time
from pathlib import Path
from app.wiring import build_library
from store.encoders.embedder import HashingEmbedder
from tests.fixtures_store import config_for

data, url, marker = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
lib = build_library(config_for(data), HashingEmbedder())
subs = lib.subscriptions
if marker != "-":
    def hang(paths):
        Path(marker).write_text("fetched")
        time.sleep(600)
    subs.ingest = hang
subs.poll([url])
"""


@pytest.fixture(autouse=True)
def _guard(network_guard: None) -> None:
    """Nothing here may reach an address other than 127.0.0.1."""


def start_poll(data: Path, url: str, marker: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-c", POLLER, str(data), url, marker], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def wait_until(check: object, proc: subprocess.Popen[bytes], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():  # type: ignore[operator]
        assert proc.poll() is None, proc.stderr.read() if proc.stderr else b""
        assert time.monotonic() < deadline, "the poll never got there"
        time.sleep(0.05)


def kill(proc: subprocess.Popen[bytes]) -> None:
    proc.send_signal(signal.SIGKILL)
    proc.wait(10)


def test_killed_polls_lose_nothing(tmp_path: Path, channel: FakeChannel) -> None:
    data = tmp_path / "data"
    url = channel.feed_url
    archive_dir = data / "subscriptions" / ".archives"

    # 1. Killed mid-fetch (a slow site: the second video's page is being read).
    channel.state.delay = 0.3
    proc = start_poll(data, url, "-")
    wait_until(lambda: "/v/vid002.html" in channel.state.requests, proc)
    kill(proc)
    channel.state.delay = 0.0

    # 2. Killed after fetching everything, before ingesting it.
    channel.add("vid004")
    marker = tmp_path / "fetched"
    proc = start_poll(data, url, str(marker))
    wait_until(marker.exists, proc)
    kill(proc)
    [archive] = archive_dir.glob("*.txt")
    archived = {line.split()[-1] for line in archive.read_text().splitlines()}
    assert {"vid003", "vid004"} <= archived  # yt-dlp recorded them; nothing is ingested yet

    lib = build_library(config_for(data), HashingEmbedder())
    try:
        assert lib.catalog.latest(10) == []
        report = lib.subscriptions.poll([url])
        assert report.ok, report.failed
        assert report.ingested == ["vid001", "vid002", "vid003", "vid004"]
        stored = {v.video_id for v in lib.catalog.latest(10)}
        archived = {line.split()[-1] for line in archive.read_text().splitlines()}
        assert archived == stored  # nothing archived and left out of the store
        assert lib.subscriptions.poll([url]).ingested == []  # and nothing twice
    finally:
        lib.close()
