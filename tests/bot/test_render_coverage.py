"""The trend chart and the /trend, /compare texts: size, one series per channel, Discord limits."""

from __future__ import annotations

import struct
from typing import Any

import numpy as np

from bot.coverage_chart import DPI, HEIGHT_IN, WIDTH_IN, chart_title, render_png, trend_figure
from bot.discord_limits import EMBED_TOTAL, FIELD_VALUE, MESSAGE, embed_length, plain_text
from bot.render_coverage import compare_embed, trend_message
from service.coverage import CoveredVideo, DateRange, make_comparison, make_trend
from store.records import Hit


def video(vid: str, channel: str, published: str, quote: str = "the ice sheet is melting",
          similarity: float = 0.6) -> CoveredVideo:
    hit = Hit(vid, f"Title of {vid}", channel, published, quote, 30.0,
              f"https://www.youtube.com/watch?v={vid}&t=30s", similarity)
    return CoveredVideo(vid, f"Title of {vid}", channel, published, hit, similarity)


CHANNELS = ["BBC News", "DW News", "Sky News"]
VIDEOS = [video("aaaaaaaaaaa", "BBC News", "2026-01-21"),
          video("bbbbbbbbbbb", "DW News", "2026-01-22"),
          video("ccccccccccc", "BBC News", "2026-01-21")]


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_the_chart_is_a_png_of_the_fixed_size() -> None:
    trend = make_trend("Greenland", DateRange("2026-01-05", "2026-02-13"), CHANNELS, VIDEOS)
    data = render_png(trend)
    assert png_size(data) == (int(WIDTH_IN * DPI), int(HEIGHT_IN * DPI))
    assert len(data) < 200_000  # far below Discord's attachment limit


def test_the_chart_holds_one_series_per_channel_with_its_total() -> None:
    for span, bucket in ((DateRange("2026-01-05", "2026-02-13"), "day"),
                         (DateRange("2025-10-01", "2026-03-31"), "week")):
        trend = make_trend("Greenland", span, CHANNELS, VIDEOS)
        assert trend.bucket == bucket
        ax = trend_figure(trend).axes[0]
        lines = ax.get_lines()
        assert len(lines) == len(CHANNELS)
        assert [line.get_label() for line in lines] == [
            "BBC News (2)", "DW News (1)", "Sky News (0)"]
        assert [int(np.sum(np.asarray(line.get_ydata()))) for line in lines] == [2, 1, 0]
        assert ax.get_title(loc="left") == chart_title(trend)


def test_a_dollar_in_the_topic_does_not_break_the_chart() -> None:
    trend = make_trend("$5,000 gold $", DateRange("2026-01-05", "2026-02-13"), CHANNELS, VIDEOS)
    assert png_size(render_png(trend))[0] == WIDTH_IN * DPI


def test_the_trend_message_is_the_summary_mention_safe() -> None:
    trend = make_trend("@everyone *Greenland*", DateRange("2026-01-05", "2026-02-13"), CHANNELS,
                       VIDEOS)
    text = trend_message(trend)
    assert "@everyone" not in text.replace("\\@everyone", "")
    assert plain_text(text).startswith("@everyone *Greenland*: 3 videos from 2 channels")
    assert len(text) <= MESSAGE


def test_compare_has_one_field_per_channel_verbatim_and_within_limits() -> None:
    long_quote = " ".join(["word"] * 400) + " @everyone"
    videos = [*VIDEOS, video("ddddddddddd", "DW News", "2026-01-23", long_quote, 0.9)]
    cmp = make_comparison("Greenland", DateRange("2026-01-05", "2026-02-13"), CHANNELS, videos)
    embed = compare_embed(cmp).to_embed()
    data: dict[str, Any] = dict(embed.to_dict())
    fields = data["fields"]
    assert [f["name"] for f in fields] == ["BBC News · 2 videos", "DW News · 2 videos",
                                           "Sky News"]
    assert "the ice sheet is melting" in plain_text(fields[0]["value"])
    assert "youtube.com/watch?v=aaaaaaaaaaa" in fields[0]["value"]
    assert fields[1]["value"].count("word") > 10 and "@everyone" not in fields[1]["value"]
    assert fields[2]["value"] == "Did not cover it between 2026-01-05 and 2026-02-13."
    assert all(len(f["value"]) <= FIELD_VALUE for f in fields)
    assert embed_length(data) <= EMBED_TOTAL
