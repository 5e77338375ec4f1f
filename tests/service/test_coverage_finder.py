"""The coverage use case over a fake store: candidates, the follow test per video, bad input."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext

import pytest

from service.alerts.matching import TopicMatcher
from service.alerts.matching import coverage as key_share
from service.arguments import BadArgument
from service.coverage import CoverageRequest
from service.coverage_finder import Coverage
from store.records import Hit, SearchFilters, VideoInfo

# video id → (channel, published, passage, similarity of topic and passage)
VIDEOS = {
    "g1": ("BBC News", "2026-01-21", "Greenland and Denmark reject the offer", 0.62),
    "g2": ("BBC News", "2026-01-21", "leaders met over Greenland in Brussels", 0.58),
    "g3": ("DW News", "2026-01-22", "Greenland's prime minister said no", 0.66),
    "near": ("DW News", "2026-01-22", "Denmark's navy exercises in the Baltic", 0.46),
    "far": ("BBC News", "2026-02-01", "gold prices hit a record", 0.10),
}


def closeness(topic: str, similarity: float) -> float:
    """Every video is about Greenland or far from it: far from any other topic."""
    return similarity if "greenland" in topic.lower() else 0.05


class FakeSource:
    """Candidates are the videos whose similarity reaches the floor (as stored chunks would)."""

    def __init__(self) -> None:
        self.asked: list[tuple[str, SearchFilters, float]] = []

    def _passing(self, filters: SearchFilters) -> list[str]:
        return [v for v, (c, d, _, _) in VIDEOS.items()
                if (not filters.channel or c == filters.channel)
                and (not filters.since or d >= filters.since)
                and (not filters.until or d <= filters.until)]

    def date_span(self, filters: SearchFilters) -> tuple[str, str] | None:
        days = [VIDEOS[v][1] for v in self._passing(filters)]
        return (min(days), max(days)) if days else None

    def channels(self, filters: SearchFilters) -> list[str]:
        return sorted({VIDEOS[v][0] for v in self._passing(filters)})

    def candidates(self, topic: str, filters: SearchFilters, floor: float) -> dict[str, float]:
        self.asked.append((topic, filters, floor))
        return {v: s for v in self._passing(filters)
                if (s := closeness(topic, VIDEOS[v][3])) >= floor}

    def key_coverage(self, weights: Mapping[str, float], video_ids: Sequence[str]
                     ) -> dict[str, float]:
        return {v: key_share(weights, VIDEOS[v][2]) for v in video_ids}

    def repeated(self, topic: str) -> AbstractContextManager[None]:
        return nullcontext()

    def window_closeness(self, topic: str, video_id: str) -> list[tuple[int, int, float]]:
        return [(0, 100, closeness(topic, VIDEOS[video_id][3]))]

    def videos(self, video_ids: Sequence[str]) -> dict[str, VideoInfo]:
        return {v: VideoInfo(v, f"Title {v}", VIDEOS[v][0], VIDEOS[v][1], 100, True)
                for v in video_ids}


class FakeEvidence:
    """The follow test's evidence: one passage per video, "greenland" its only key term."""

    def passages(self, topic: str, video_id: str, k: int) -> list[Hit]:
        channel, day, text, _ = VIDEOS[video_id]
        return [Hit(video_id, f"Title {video_id}", channel, day, text, 0.0,
                    f"https://www.youtube.com/watch?v={video_id}", 1.0)]

    def similarities(self, topic: str, texts: Sequence[str]) -> list[float]:
        by_text = {f"Title {v}. {p}": s for v, (_, _, p, s) in VIDEOS.items()}
        return [closeness(topic, by_text[t]) for t in texts]

    def key_weights(self, topic: str) -> Mapping[str, float]:
        return {"greenland": 1.0}


def coverage() -> tuple[Coverage, FakeSource]:
    source = FakeSource()
    return Coverage(source, TopicMatcher(FakeEvidence(), 0.5)), source


def test_trend_counts_the_videos_that_pass_the_follow_test() -> None:
    cov, source = coverage()
    trend = cov.trend(CoverageRequest("Greenland"))
    # "near" is a candidate (close enough to test) but fails the test: no key term, 0.46 < 0.6.
    assert [v.video_id for v in trend.videos] == ["g1", "g2", "g3"]
    assert trend.series == {
        "BBC News": [(d, 2 if d == "2026-01-21" else 0) for d, _ in trend.series["BBC News"]],
        "DW News": [(d, 1 if d == "2026-01-22" else 0) for d, _ in trend.series["DW News"]],
    }
    assert (trend.since, trend.until, trend.bucket) == ("2026-01-21", "2026-02-01", "day")
    topic, filters, floor = source.asked[0]
    assert topic == "Greenland"
    assert floor == pytest.approx(0.2)  # threshold − keyword margin − candidate margin
    assert filters == SearchFilters(since="2026-01-21", until="2026-02-01")


def test_compare_names_the_channel_that_only_had_a_neighbouring_story() -> None:
    cov, _ = coverage()
    cmp = cov.compare(CoverageRequest("Greenland", since="2026-01-22", until="2026-01-22"))
    assert [(r.channel, r.best.video_id if r.best else None) for r in cmp.channels] == [
        ("DW News", "g3")]
    cmp = cov.compare(CoverageRequest("Greenland"))
    assert [(r.channel, r.best.video_id if r.best else None) for r in cmp.channels] == [
        ("BBC News", "g1"), ("DW News", "g3")]


@pytest.mark.parametrize(("request_", "message"), [
    (CoverageRequest("   "), "Give a topic with at least one meaningful word"),
    (CoverageRequest("the of and"), "Give a topic with at least one meaningful word"),
    (CoverageRequest("Greenland", since="2025-01-01", until="2025-02-01"),
     "Nothing was ingested between 2025-01-01 and 2025-02-01"),
    (CoverageRequest("Atlantis lost city"), "covers “Atlantis lost city”"),
    (CoverageRequest("Greenland", channel="DW Nwes"), "Did you mean “DW News”?"),
])
def test_bad_input_is_one_clear_sentence(request_: CoverageRequest, message: str) -> None:
    cov, _ = coverage()
    with pytest.raises(BadArgument, match=message):
        cov.trend(request_)


def test_a_range_longer_than_the_store_is_cut_and_marked() -> None:
    cov, _ = coverage()
    trend = cov.trend(CoverageRequest("Greenland", since="2025-06-01", until="2026-12-31"))
    assert (trend.since, trend.until, trend.clamped) == ("2026-01-21", "2026-02-01", True)
