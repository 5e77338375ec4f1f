"""`newsreel fetch`, `subscribe`, `unsubscribe`, `subscriptions` against a fake channel on
127.0.0.1 read by the real yt-dlp: the whole sequence a user goes through, through `app.cli.main`
(in this process, with the deterministic fake embedder instead of the model)."""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from unittest import mock

import pytest

from app.cli import main
from app.config import Config
from app.wiring import Library, build_library
from store.encoders.embedder import HashingEmbedder
from store.index import Catalog
from tests.fake_channel import FakeChannel

pytestmark = pytest.mark.timeout(120)


@pytest.fixture(autouse=True)
def _guard(network_guard: None) -> None:
    """Nothing here may reach an address other than 127.0.0.1."""


@pytest.fixture(autouse=True)
def fake_model() -> Iterator[None]:
    def open_library(config: Config, needs_model: bool, read_only: bool = False) -> Library:
        return build_library(config, HashingEmbedder(), read_only=read_only)

    with mock.patch("app.cli.open_library", open_library):
        yield


def newsreel(data: Path, *args: str) -> subprocess.CompletedProcess[str]:
    out, err = io.StringIO(), io.StringIO()
    env = {"NEWSREEL_DATA_DIR": str(data), "NEWSREEL_CONFIG": ""}
    with mock.patch.dict(os.environ, env), contextlib.redirect_stdout(out), \
            contextlib.redirect_stderr(err):
        try:
            code = main(list(args))
        except SystemExit as exit_:
            code = exit_.code if isinstance(exit_.code, int) else 2
    return subprocess.CompletedProcess(["newsreel", *args], code, out.getvalue(), err.getvalue())


def fetch(data: Path, *urls: str) -> tuple[int, dict[str, Any], str]:
    run = newsreel(data, "fetch", "--json", *urls)
    return run.returncode, json.loads(run.stdout), run.stderr


def subscriptions(data: Path) -> list[dict[str, Any]]:
    run = newsreel(data, "subscriptions", "--json")
    assert run.returncode == 0, run.stderr
    listed: list[dict[str, Any]] = json.loads(run.stdout)
    return listed


def catalog_ids(data: Path) -> set[str]:
    catalog = Catalog(data / "catalog.sqlite3")
    try:
        return {v.video_id for v in catalog.latest(1000)}
    finally:
        catalog.close()


def test_fetch_sequence(tmp_path: Path, channel: FakeChannel) -> None:
    data = tmp_path / "data"
    url = channel.feed_url

    # Nothing subscribed: a usage error, said in one line.
    run = newsreel(data, "fetch")
    assert run.returncode == 2 and "nothing to fetch" in run.stderr
    run = newsreel(data, "subscribe", "file:///etc/passwd")
    assert run.returncode == 2 and "not an http(s) URL" in run.stderr

    run = newsreel(data, "subscribe", url)
    assert run.returncode == 0 and run.stdout == f"subscribed {url}\n"
    [sub] = subscriptions(data)
    assert sub == {"url": url, "from": "added", "last_poll": None, "last_error": None,
                   "videos": 0}

    # 1. First poll: the three videos, with title, date, channel and link.
    code, out, err = fetch(data)
    assert code == 0, err
    assert out == {"sources": [{"url": url, "new": 3, "error": None}],
                   "ingested": ["vid001", "vid002", "vid003"], "failed": []}
    assert err.strip().endswith("polled 1 sources, ingested 3 videos, failed 0")
    catalog = Catalog(data / "catalog.sqlite3")
    video = catalog.video("vid003")
    catalog.close()
    assert video is not None
    assert (video.title, video.channel, video.published) == (
        "Story vid003", "Fake News Channel", "2026-01-05")
    assert video.url == channel.page_url("vid003") and video.timed
    files = sorted(p.name for p in (data / "subscriptions").rglob("*") if p.is_file())
    assert "Story vid003 [vid003].en.vtt" in files and "Story vid003 [vid003].info.json" in files
    assert not any(r.endswith(".mp4") for r in channel.take_requests())  # never the media

    # 2. Nothing new: nothing ingested, quickly, and only the feed and the newest page read.
    started = time.perf_counter()
    code, out, _ = fetch(data)
    assert time.perf_counter() - started < 2.0
    assert (code, out["ingested"], out["sources"][0]["new"]) == (0, [], 0)
    assert channel.take_requests() == ["/feed.xml", "/v/vid003.html"]
    assert fetch(data)[1]["ingested"] == []
    assert channel.take_requests() == ["/feed.xml", "/v/vid003.html"]  # every time

    # 3. A new video.
    channel.add("vid004")
    code, out, _ = fetch(data)
    assert (code, out["ingested"]) == (0, ["vid004"])

    # 4. Late captions: listed without them, nothing fails; they come, it is ingested.
    channel.add("vid005", captions="no_track")
    code, out, _ = fetch(data)
    assert (code, out["ingested"], out["failed"]) == (0, [], [])
    channel.change("vid005", captions="present")
    code, out, _ = fetch(data)
    assert (code, out["ingested"]) == (0, ["vid005"])

    # 5. A page answering 500 below a newer video that works: named, the rest goes on, exit 1;
    # retried by the next poll although a newer video is known by then.
    channel.add("vid006", page_status=500)
    channel.add("vid007")
    code, out, err = fetch(data)
    assert (code, out["ingested"]) == (1, ["vid007"])
    [failed] = out["failed"]
    assert failed["url"] == url and failed["video_id"] == "vid006"
    assert "HTTP Error 500" in failed["reason"]
    assert f"newsreel: {url}: vid006: " in err and "HTTP Error 500" in err
    channel.change("vid006", page_status=200)
    code, out, _ = fetch(data)
    assert (code, out["ingested"], out["failed"]) == (0, ["vid006"], [])

    # 6. Captions answering 500: not archived (yt-dlp would), retried.
    channel.add("vid008", captions="track_500")
    code, out, _ = fetch(data)
    assert code == 1 and [f["video_id"] for f in out["failed"]] == ["vid008"]
    channel.change("vid008", captions="present")
    code, out, _ = fetch(data)
    assert (code, out["ingested"]) == (0, ["vid008"])

    # 7. The channel down: one line naming it and the reason, exit 1; back up, fine again.
    channel.stop()
    code, out, err = fetch(data)
    assert code == 1
    [source] = out["sources"]
    assert source["new"] == 0 and "Connection refused" in source["error"]
    assert out["failed"] == [{"url": url, "video_id": None, "reason": source["error"]}]
    assert f"newsreel: {url}: " in err
    assert subscriptions(data)[0]["last_error"] == source["error"]
    channel.start()
    channel.add("vid009")
    code, out, _ = fetch(data)
    assert (code, out["ingested"]) == (0, ["vid009"])
    [sub] = subscriptions(data)
    assert sub["last_error"] is None and sub["last_poll"] and sub["videos"] == 9

    # Nothing lost: every video of the channel is in the store, once.
    assert catalog_ids(data) == {f"vid{i:03d}" for i in range(1, 10)}

    # A URL given to fetch is polled, not subscribed; unsubscribing keeps the videos.
    run = newsreel(data, "unsubscribe", url)
    assert run.returncode == 0
    assert subscriptions(data) == []
    assert len(catalog_ids(data)) == 9
    run = newsreel(data, "unsubscribe", url)
    assert run.returncode == 1 and "not subscribed" in run.stderr


def test_the_config_subscriptions_are_listed_and_kept(tmp_path: Path, channel: FakeChannel
                                                      ) -> None:
    config = tmp_path / "newsreel.toml"
    config.write_text(f'[store]\ndata_dir = "data"\n[subscriptions]\nurls = ["{channel.feed_url}"]'
                      "\nbackfill = 2\n", encoding="utf-8")
    data = tmp_path / "data"
    run = newsreel(data, "--config", str(config), "fetch", "--json")
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["ingested"] == ["vid002", "vid003"]  # the newest two
    run = newsreel(data, "--config", str(config), "subscriptions", "--json")
    assert [(s["url"], s["from"], s["videos"]) for s in json.loads(run.stdout)] == [
        (channel.feed_url, "config", 2)]
    run = newsreel(data, "--config", str(config), "unsubscribe", channel.feed_url)
    assert run.returncode == 2 and "comes from the config file" in run.stderr
