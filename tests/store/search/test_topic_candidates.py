"""Candidate videos for a topic: each video's closest chunk, exactly or through HNSW."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from app.wiring import Library
from store.records import SearchFilters
from store.search.topic_candidates import best_per_video, video_closeness
from tests.fixtures_store import CORPUS


def test_best_per_video_keeps_each_videos_best_chunk_closest_first() -> None:
    pairs = [("a:0", 0.2), ("b:90", 0.5), ("a:90", 0.6), ("b:0", 0.1), ("c:0", 0.5)]
    assert best_per_video(pairs) == {"a": 0.6, "b": 0.5, "c": 0.5}
    assert list(best_per_video(pairs)) == ["a", "b", "c"]


def test_exact_scan_and_hnsw_agree_and_respect_the_range(
    make_library: Callable[..., Library],
) -> None:
    lib = make_library()
    lib.ingest([CORPUS])
    vec = lib.embedder.embed(["Greenland summit in Brussels"])[0]
    everything = SearchFilters()
    exact = video_closeness(lib.catalog, lib.index, vec, everything, -1.0)
    # By hand: each video's best cosine over its stored chunk vectors.
    for vid, best in exact.items():
        copy = lib.catalog.dense_copy(vid, lib.index.dimension)
        assert copy is not None
        assert abs(float(np.max(copy[1] @ vec)) - best) < 1e-4
    assert len(exact) == 8
    floor = sorted(exact.values())[4]
    through_hnsw = video_closeness(lib.catalog, lib.index, vec, everything, floor, scan_max=0)
    assert set(through_hnsw) == {v for v, s in exact.items() if s >= floor}
    january = SearchFilters(since="2026-01-01", until="2026-01-31")
    in_range = lib.catalog.video_filter_ids(january)
    assert set(video_closeness(lib.catalog, lib.index, vec, january, -1.0)) == in_range
    assert set(video_closeness(lib.catalog, lib.index, vec, january, -1.0, scan_max=0)) == {
        v for v in in_range if v in video_closeness(
            lib.catalog, lib.index, vec, everything, -1.0, scan_max=0)}
