"""The coverage use cases (`trend`, `compare`): which videos of a range cover a topic, by the
same evidence test topic follows use, so that a trend and a follow agree on what counts.

Candidates first (videos with a chunk close to the topic: `store.search.topic_candidates`),
then the follow test (`TopicMatcher`) on each of them, closest first. Nothing is precomputed:
a topic is free text, and a 90-day range holds a few thousand chunks even in a 1M-chunk store.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Protocol

from service.alerts.matching import KEYWORD_MARGIN, TopicMatch, TopicMatcher
from service.arguments import BadArgument, check_question, resolve_channel
from service.coverage import (
    Comparison,
    CoverageRequest,
    CoveredVideo,
    DateRange,
    Trend,
    make_comparison,
    make_trend,
    nothing_found,
    plan_range,
)
from store.encoders import Embedder
from store.index import Catalog, ChromaIndex
from store.records import SearchFilters, VideoInfo
from store.search import video_closeness

log = logging.getLogger(__name__)

# How far below the follow test's lowest bar (threshold - KEYWORD_MARGIN, on a passage) a
# video's closest stored chunk may be and still be tested: a passage is a part of its window
# and can be closer to the topic than the whole window. On the shared corpus no video that
# passes the test has its closest chunk more than 0.12 below that bar (22 topics, see
# BENCHMARKS.md); 0.15 keeps a margin.
CANDIDATE_MARGIN = 0.15
MAX_CANDIDATES = 400  # videos tested at most (closest first): a trend answers in seconds
WORKERS = 2  # videos tested side by side: each test waits on the models and SQLite in turn


class CoverageSource(Protocol):
    """What coverage needs of the store: dates, channels, candidates and video metadata."""

    def date_span(self, filters: SearchFilters) -> tuple[str, str] | None:
        """(first, last) publication date of the videos passing `filters` (None: none)."""
        ...

    def channels(self, filters: SearchFilters) -> list[str]:
        """Channels with videos passing `filters`, most videos first."""
        ...

    def candidates(self, topic: str, filters: SearchFilters, floor: float) -> dict[str, float]:
        """{video id: closeness of its closest chunk} for videos passing `filters` that reach
        `floor`, closest first."""
        ...

    def videos(self, video_ids: Sequence[str]) -> dict[str, VideoInfo]:
        """Metadata of the searchable videos among `video_ids`."""
        ...


class StoreCoverage:
    """CoverageSource over the catalog, the vector index and the embedder."""

    def __init__(self, catalog: Catalog, index: ChromaIndex, embedder: Embedder) -> None:
        self.catalog = catalog
        self.index = index
        self.embedder = embedder

    def date_span(self, filters: SearchFilters) -> tuple[str, str] | None:
        """(first, last) publication date of the videos passing `filters`."""
        return self.catalog.date_span(filters)

    def channels(self, filters: SearchFilters) -> list[str]:
        """Channels with videos passing `filters`, most videos first."""
        return self.catalog.channels_in(filters)

    def candidates(self, topic: str, filters: SearchFilters, floor: float) -> dict[str, float]:
        """Videos whose closest chunk reaches `floor`, closest first."""
        vector = self.embedder.embed([topic])[0]
        return video_closeness(self.catalog, self.index, vector, filters, floor)

    def videos(self, video_ids: Sequence[str]) -> dict[str, VideoInfo]:
        """Metadata of the searchable videos among `video_ids`."""
        return self.catalog.videos(video_ids)


class Coverage:
    """Trend and compare over a coverage source and the follow matcher. Calls block."""

    def __init__(self, source: CoverageSource, matcher: TopicMatcher) -> None:
        self.source = source
        self.matcher = matcher
        self._pool = ThreadPoolExecutor(WORKERS, thread_name_prefix="newsreel-coverage")

    def trend(self, request: CoverageRequest) -> Trend:
        """Covering videos per channel and day (or week); BadArgument with a sentence when the
        request is bad or nothing covers the topic."""
        topic, span, channels, covered = self._covering(request)
        return make_trend(topic, span, channels, covered)

    def compare(self, request: CoverageRequest) -> Comparison:
        """Each channel's best covering passage; BadArgument as for `trend`."""
        topic, span, channels, covered = self._covering(request)
        return make_comparison(topic, span, channels, covered)

    def _covering(
        self, request: CoverageRequest
    ) -> tuple[str, DateRange, list[str], list[CoveredVideo]]:
        topic = check_question(request.topic, "topic", "Greenland")
        scope = SearchFilters(channel=request.channel)
        if request.channel:
            scope = SearchFilters(channel=resolve_channel(request.channel, self.source.channels(
                SearchFilters())))
        span_all = self.source.date_span(scope)
        if span_all is None:
            raise BadArgument("Nothing with a publication date is ingested yet.")
        span = plan_range(request.since, request.until, *span_all)
        filters = SearchFilters(channel=scope.channel, since=span.since, until=span.until)
        channels = self.source.channels(filters)
        floor = self.matcher.threshold - KEYWORD_MARGIN - CANDIDATE_MARGIN
        candidates = list(self.source.candidates(topic, filters, floor))[:MAX_CANDIDATES]
        matches = list(self._pool.map(lambda vid: self.matcher.match(topic, vid), candidates))
        info = self.source.videos([m.video_id for m in matches if m.matched])
        covered = [covered_video(m, info[m.video_id]) for m in matches
                   if m.matched and m.video_id in info]
        log.debug("coverage of %r: %d candidates, %d covering", topic, len(candidates),
                  len(covered))
        if not covered:
            raise BadArgument(nothing_found(topic, span, scope.channel))
        return topic, span, channels, covered

    def close(self) -> None:
        """Stop the worker threads."""
        self._pool.shutdown(wait=False)


def covered_video(match: TopicMatch, info: VideoInfo) -> CoveredVideo:
    """A matched video with its metadata and matching passage."""
    return CoveredVideo(info.video_id, info.title, info.channel, info.published, match.hit,
                        match.similarity)
