"""The yt-dlp fetcher against a fake channel on 127.0.0.1 (the real yt-dlp, unmodified): what it
writes, what it never asks for, and what it leaves out of its archive."""

from __future__ import annotations

from pathlib import Path

import pytest

from store.sources import YtdlpFetcher
from store.sources.fetcher import item_failure, one_line
from tests.fake_channel import FakeChannel

pytestmark = pytest.mark.timeout(60)


@pytest.fixture(autouse=True)
def _guard(network_guard: None) -> None:
    """Nothing here may reach an address other than 127.0.0.1."""


def test_captions_and_info_json_only_and_a_long_title(tmp_path: Path, channel: FakeChannel
                                                      ) -> None:
    long_title = "Breaking: " + "a very long headline | with pipes / and slashes " * 8
    channel.add("vid004", title=long_title)
    channel.change("vid002", captions="track_500")
    folder, archive = tmp_path / "out", tmp_path / "archive.txt"
    result = YtdlpFetcher(backfill=15).fetch(channel.feed_url, folder, archive, first=True,
                                              revisit=False)
    assert result.error is None
    assert sorted(result.new) == ["vid001", "vid003", "vid004"]
    assert archive.read_text().split("\n")[:-1] == [
        "generic vid004", "generic vid003", "generic vid001"]
    [failed] = result.failed  # its caption answered 500: not archived, named once
    assert failed.video_id == "vid002" and "HTTP Error 500" in failed.reason
    names = sorted(p.name for p in folder.iterdir())
    assert len(names) == 6 and all(n.endswith((".en.vtt", ".info.json")) for n in names)
    assert "Story vid003 [vid003].en.vtt" in names
    long_name = next(n for n in names if "[vid004]" in n)
    assert len(long_name.encode()) < 200 and long_name.startswith("Breaking： a very long")
    assert not any(r.endswith(".mp4") for r in channel.take_requests())


def test_a_guid_is_the_id_and_leaves_no_tail_on_the_link(tmp_path: Path, channel: FakeChannel
                                                          ) -> None:
    channel.state.with_guid = True
    folder = tmp_path / "out"
    result = YtdlpFetcher(backfill=1).fetch(channel.feed_url, folder, tmp_path / "a.txt",
                                            first=True, revisit=False)
    assert result.new == ["vid003-guid"]
    [info] = folder.glob("*.info.json")
    text = info.read_text(encoding="utf-8")
    assert channel.page_url("vid003") in text and "__youtubedl_smuggle" not in text


def test_error_lines() -> None:
    message = ("ERROR: [generic] vid002: Unable to download webpage: HTTP Error 500: Internal"
               " Server Error (caused by <HTTPError 500: Internal Server Error>)")
    failure = item_failure(message, None)
    assert (failure.video_id, failure.reason) == (
        "vid002", "Unable to download webpage: HTTP Error 500: Internal Server Error")
    assert one_line("ERROR: \r[download] Got error: HTTP Error 503: x") == "HTTP Error 503: x"
    refused = ("ERROR: [generic] feed: Unable to download webpage: HTTPConnection(host='127.0.0.1',"
               " port=1): Failed to establish a new connection: [Errno 111] Connection refused"
               " (caused by TransportError(...))")
    assert one_line(refused) == (
        "[generic] feed: Unable to download webpage: [Errno 111] Connection refused")
    assert item_failure("ERROR: Unable to download video subtitles for 'en': HTTP Error 404",
                        "vid009").video_id == "vid009"  # the video then being processed
