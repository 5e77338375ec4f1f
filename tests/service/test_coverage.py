"""Coverage's pure logic: ranges, buckets, series, the summary line, the comparison."""

from __future__ import annotations

import pytest

from service.arguments import BadArgument
from service.coverage import (
    CoveredVideo,
    DateRange,
    bucket_start,
    bucket_starts,
    choose_bucket,
    make_comparison,
    make_trend,
    nothing_found,
    plan_range,
    summary_line,
)
from store.records import Hit


def video(vid: str, channel: str, published: str, similarity: float = 0.6) -> CoveredVideo:
    hit = Hit(vid, f"title {vid}", channel, published, f"quote of {vid}", 12.0,
              f"https://www.youtube.com/watch?v={vid}", similarity)
    return CoveredVideo(vid, f"title {vid}", channel, published, hit, similarity)


def test_default_range_is_the_last_90_days_of_the_store() -> None:
    span = plan_range(None, None, "2025-01-01", "2026-02-13")
    assert (span.since, span.until, span.days, span.clamped) == (
        "2025-11-16", "2026-02-13", 90, False)


def test_a_short_store_is_shown_whole_by_default() -> None:
    span = plan_range(None, None, "2026-01-05", "2026-02-13")
    assert (span.since, span.until, span.clamped) == ("2026-01-05", "2026-02-13", False)


def test_a_range_longer_than_the_store_is_cut_to_its_dates() -> None:
    span = plan_range("2020-01-01", "2030-12-31", "2026-01-05", "2026-02-13")
    assert (span.since, span.until, span.clamped) == ("2026-01-05", "2026-02-13", True)


def test_a_range_with_nothing_ingested_says_so() -> None:
    with pytest.raises(BadArgument, match="Nothing was ingested between 2025-01-01 and"
                       " 2025-03-01: the videos run from 2026-01-05 to 2026-02-13"):
        plan_range("2025-01-01", "2025-03-01", "2026-01-05", "2026-02-13")


def test_an_end_before_the_store_names_a_range_that_runs_forward() -> None:
    # Only `until` given, before the first video: the default start is 90 days before it, not
    # the store's first date (which would read "between 2026-01-05 and 2020-01-01").
    with pytest.raises(BadArgument, match="between 2019-10-04 and 2020-01-01: the videos run"):
        plan_range(None, "2020-01-01", "2026-01-05", "2026-02-13")


def test_a_range_of_more_than_two_years_of_videos_is_refused() -> None:
    with pytest.raises(BadArgument, match="chart at most 731 days"):
        plan_range("2020-01-01", None, "2019-01-01", "2026-02-13")


def test_days_up_to_62_then_weeks_starting_monday() -> None:
    assert choose_bucket(62) == "day" and choose_bucket(63) == "week"
    assert bucket_start("2026-01-21", "week") == "2026-01-19"  # a Wednesday → its Monday
    assert bucket_start("2026-01-21", "day") == "2026-01-21"
    assert bucket_starts("2026-01-21", "2026-02-02", "week") == [
        "2026-01-19", "2026-01-26", "2026-02-02"]


def test_trend_counts_each_channel_per_day_with_zeros() -> None:
    videos = [video("a", "BBC News", "2026-01-21"), video("b", "BBC News", "2026-01-21"),
              video("c", "DW News", "2026-01-22"), video("d", "BBC News", "2026-01-23")]
    trend = make_trend("Greenland", DateRange("2026-01-20", "2026-01-23"),
                       ["BBC News", "DW News", "Sky News"], videos)
    assert trend.bucket == "day"
    assert trend.series == {
        "BBC News": [("2026-01-20", 0), ("2026-01-21", 2), ("2026-01-22", 0), ("2026-01-23", 1)],
        "DW News": [("2026-01-20", 0), ("2026-01-21", 0), ("2026-01-22", 1), ("2026-01-23", 0)],
        "Sky News": [("2026-01-20", 0), ("2026-01-21", 0), ("2026-01-22", 0), ("2026-01-23", 0)],
    }
    assert [v.video_id for v in trend.videos] == ["a", "b", "c", "d"]
    assert summary_line(trend) == (
        "Greenland: 4 videos from 2 channels, 2026-01-20 → 2026-01-23;"
        " busiest day 2026-01-21 with 2")
    assert trend.busiest_range() == ("2026-01-21", "2026-01-21")
    assert trend.to_json() == {
        "topic": "Greenland", "since": "2026-01-20", "until": "2026-01-23", "bucket": "day",
        "series": {c: [list(p) for p in pts] for c, pts in trend.series.items()},
        "videos": ["a", "b", "c", "d"],
    }


def test_a_long_range_counts_by_week_and_the_busiest_week_stays_in_range() -> None:
    videos = [video("a", "BBC News", "2026-01-01"), video("b", "DW News", "2026-01-02"),
              video("c", "BBC News", "2026-03-10")]
    trend = make_trend("gold", DateRange("2026-01-01", "2026-03-31"), ["BBC News"], videos)
    assert trend.bucket == "week"
    assert trend.series["BBC News"][0] == ("2025-12-29", 1)
    assert sum(n for _, n in trend.series["DW News"]) == 1
    assert trend.busiest() == ("2025-12-29", 2)
    assert trend.busiest_range() == ("2026-01-01", "2026-01-04")  # the week, cut to the range
    assert summary_line(trend).endswith("busiest week of 2025-12-29 with 2")


def test_one_video_reads_in_the_singular() -> None:
    trend = make_trend("gold", DateRange("2026-01-01", "2026-01-02"), [],
                       [video("a", "BBC News", "2026-01-02")])
    assert summary_line(trend).startswith("gold: 1 video from 1 channel,")


def test_compare_takes_each_channels_closest_passage_and_names_the_silent_ones() -> None:
    videos = [video("a", "BBC News", "2026-01-21", 0.55), video("b", "BBC News", "2026-01-22",
                                                                 0.71),
              video("c", "DW News", "2026-01-22", 0.62)]
    cmp = make_comparison("Greenland", DateRange("2026-01-05", "2026-02-13"),
                          ["Sky News", "DW News", "BBC News"], videos)
    assert [(r.channel, r.best.video_id if r.best else None, r.videos) for r in cmp.channels] == [
        ("BBC News", "b", 2), ("DW News", "c", 1), ("Sky News", None, 0)]
    out = cmp.to_json()["channels"]
    assert isinstance(out, dict) and out["Sky News"] is None
    assert out["BBC News"]["video_id"] == "b" and out["BBC News"]["videos"] == 2


def test_nothing_found_is_one_sentence_naming_topic_and_range() -> None:
    text = nothing_found("Atlantis", DateRange("2026-01-05", "2026-02-13"), "DW News")
    assert text == ("No video from DW News between 2026-01-05 and 2026-02-13 covers “Atlantis”:"
                    " try another wording or a wider range.")
