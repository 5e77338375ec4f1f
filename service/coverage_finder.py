"""The coverage use cases (`trend`, `compare`): which videos of a range cover a topic, by the
same evidence test topic follows use, so that a trend and a follow agree on what counts.

Candidates first (videos with a chunk close to the topic: `store.search.topic_candidates`),
then the follow test (`TopicMatcher`) on each of them, closest first. Nothing is precomputed:
a topic is free text, and a 90-day range holds a few thousand chunks even in a 1M-chunk store.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager
from dataclasses import replace
from functools import partial
from typing import Protocol

import numpy as np
import numpy.typing as npt

from service.alerts.matching import TopicMatch, TopicMatcher, coverage, lowest_bar
from service.arguments import BadArgument, resolve_channel
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
from service.follows import check_topic
from store.encoders import Embedder
from store.index import Catalog, ChromaIndex
from store.records import Hit, SearchFilters, VideoInfo
from store.search import Searcher, video_closeness

log = logging.getLogger(__name__)

# How far below the follow test's bar for a video a candidate's closest stored chunk may be
# and still be tested. The bar is the lowest passage similarity `decide` can accept given the
# share of the topic's key terms the whole video holds (threshold - 0.1 with all of them,
# threshold with some, threshold + 0.1 with none). A passage ("title. quote") can be closer to
# the topic than its stored window: on the shared corpus, 22 topics x 204 videos, no video that
# passes the test has its closest chunk more than 0.11 below its bar (BENCHMARKS.md); 0.2
# keeps a margin and still tests only 272 of the 4,488 pairs (the 138 that match among them).
CANDIDATE_MARGIN = 0.2
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

    def key_coverage(
        self, weights: Mapping[str, float], video_ids: Sequence[str]
    ) -> dict[str, float]:
        """{video id: share of the key-term weight (stem → idf) whose stem occurs anywhere in
        the video}: a bound on that share in any of its passages."""
        ...

    def window_closeness(self, topic: str, video_id: str) -> list[tuple[int, int, float]]:
        """(start word, end word, closeness to the topic) of each stored chunk of a video."""
        ...

    def repeated(self, topic: str) -> AbstractContextManager[None]:
        """A block in which the topic is searched in many videos (its vectors made once)."""
        ...


class StoreCoverage:
    """CoverageSource over the catalog, the vector index and the embedder."""

    def __init__(
        self, catalog: Catalog, index: ChromaIndex, embedder: Embedder, searcher: Searcher
    ) -> None:
        self.catalog = catalog
        self.index = index
        self.embedder = embedder
        self.searcher = searcher
        self._topic: tuple[str, npt.NDArray[np.float32]] | None = None  # the last one embedded

    def _vector(self, topic: str) -> npt.NDArray[np.float32]:
        last = self._topic
        if last is not None and last[0] == topic:
            return last[1]
        vector = self.embedder.embed([topic])[0]
        self._topic = (topic, vector)
        return vector

    def date_span(self, filters: SearchFilters) -> tuple[str, str] | None:
        """(first, last) publication date of the videos passing `filters`."""
        return self.catalog.date_span(filters)

    def channels(self, filters: SearchFilters) -> list[str]:
        """Channels with videos passing `filters`, most videos first."""
        return self.catalog.channels_in(filters)

    def candidates(self, topic: str, filters: SearchFilters, floor: float) -> dict[str, float]:
        """Videos whose closest chunk reaches `floor`, closest first."""
        return video_closeness(self.catalog, self.index, self._vector(topic), filters, floor)

    def videos(self, video_ids: Sequence[str]) -> dict[str, VideoInfo]:
        """Metadata of the searchable videos among `video_ids`."""
        return self.catalog.videos(video_ids)

    def key_coverage(
        self, weights: Mapping[str, float], video_ids: Sequence[str]
    ) -> dict[str, float]:
        """Share of the key-term weight present in each video's whole text."""
        out = {}
        for vid in video_ids:
            text = self.catalog.video_text(vid)
            # Each distinct word once: the share depends on which stems occur, not how often.
            out[vid] = coverage(weights, " ".join(set(text.words))) if text else 0.0
        return out

    def repeated(self, topic: str) -> AbstractContextManager[None]:
        """The searcher keeps the topic's vectors within the block."""
        return self.searcher.keeping(topic)

    def window_closeness(self, topic: str, video_id: str) -> list[tuple[int, int, float]]:
        """Each chunk's span and the cosine of its stored vector copy to the topic."""
        copy = self.catalog.dense_copy(video_id, self.index.dimension)
        if copy is None:
            return []
        ids, matrix = copy
        rows = self.catalog.chunks(ids)
        sims = matrix @ self._vector(topic)
        return [(rows[i].start_word, rows[i].end_word, float(x))
                for i, x in zip(ids, sims.tolist(), strict=True) if i in rows]


class Coverage:
    """Trend and compare over a coverage source and the follow matcher. Calls block."""

    def __init__(self, source: CoverageSource, matcher: TopicMatcher) -> None:
        self.source = source
        self.matcher = matcher
        self._pool = ThreadPoolExecutor(WORKERS, thread_name_prefix="newsreel-coverage")

    def trend(self, request: CoverageRequest) -> Trend:
        """Covering videos per channel and day (or week); BadArgument with a sentence when the
        request is bad or nothing covers the topic."""
        topic, span, channels, covered = self._covering(request, first_only=True)
        return make_trend(topic, span, channels, covered)

    def compare(self, request: CoverageRequest) -> Comparison:
        """Each channel's best covering passage; BadArgument as for `trend`."""
        topic, span, channels, covered = self._covering(request)
        return make_comparison(topic, span, channels, covered)

    def _candidates(self, topic: str, filters: SearchFilters) -> list[str]:
        """Videos worth the follow test, closest first: their closest chunk is within
        CANDIDATE_MARGIN of the lowest similarity the test could accept for them."""
        threshold = self.matcher.threshold
        floor = lowest_bar(1.0, threshold) - CANDIDATE_MARGIN
        close = self.source.candidates(topic, filters, floor)
        weights = self.matcher.evidence.key_weights(topic)
        share = self.source.key_coverage(weights, list(close))
        kept = [vid for vid, c in close.items()
                if c >= lowest_bar(share.get(vid, 0.0), threshold) - CANDIDATE_MARGIN]
        return kept[:MAX_CANDIDATES]

    def _first_match(self, topic: str, video_id: str) -> TopicMatch:
        """The follow test, stopping at the first matching passage and not embedding passages
        whose stored windows are too far from the topic to reach the bar (see CANDIDATE_MARGIN)."""
        windows = self.source.window_closeness(topic, video_id)
        threshold = self.matcher.threshold

        def worth(hit: Hit, share: float) -> bool:
            near = [c for a, b, c in windows if a < hit.end_word and hit.start_word < b]
            bar = lowest_bar(share, threshold) - CANDIDATE_MARGIN
            return not near or max(near) >= bar

        return self.matcher.first_match(topic, video_id, worth)

    def _covering(
        self, request: CoverageRequest, first_only: bool = False
    ) -> tuple[str, DateRange, list[str], list[CoveredVideo]]:
        topic = check_topic(request.topic)  # as /follow takes it: the same topics work
        scope = SearchFilters(channel=request.channel)
        if request.channel:
            scope = SearchFilters(channel=resolve_channel(request.channel, self.source.channels(
                SearchFilters())))
        span_all = self.source.date_span(scope)
        if span_all is None:
            raise BadArgument("Nothing with a publication date is ingested yet.")
        span = plan_range(request.since, request.until, *span_all)
        if request.since is None:
            # The default window starts at its first video, not at weeks of nothing before it.
            inside = self.source.date_span(replace(scope, since=span.since, until=span.until))
            span = DateRange(inside[0], span.until, span.clamped) if inside else span
        filters = SearchFilters(channel=scope.channel, since=span.since, until=span.until)
        channels = self.source.channels(filters)
        candidates = self._candidates(topic, filters)
        test = partial(self._first_match, topic) if first_only else partial(
            self.matcher.match, topic)
        with self.source.repeated(topic):
            matches = list(self._pool.map(test, candidates))
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
