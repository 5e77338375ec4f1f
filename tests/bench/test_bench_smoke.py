"""The scale builder on a tiny store: replicas are searchable, consistent and filterable."""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench import scale
from bench.measure import p50_p95, percentile
from bench.query_bench import breakdown, floor_fn, searcher_fn, time_each
from bot.config import Config, StoreConfig
from bot.wiring import Library, build_library
from store.embedder import HashingEmbedder
from store.models import SearchFilters

DATA = Path(__file__).resolve().parents[1] / "data"
TARGET = 2000


def open_store(data_dir: Path) -> Library:
    """A library on a data dir with the fake embedder."""
    return build_library(Config(store=StoreConfig(data_dir=data_dir)), HashingEmbedder())


@pytest.fixture(scope="module")
def scaled(tmp_path_factory: pytest.TempPathFactory) -> tuple[scale.Source, Path, dict]:
    """The test corpus (fake embedder) replicated to about 2k chunks."""
    src_dir = tmp_path_factory.mktemp("source")
    lib = open_store(src_dir)
    assert not lib.ingest([DATA / "corpus"], [DATA / "timed"]).rejected
    lib.close()
    scale.export_snapshot(src_dir)
    source = scale.load_source(src_dir)
    cache = tmp_path_factory.mktemp("cache")
    store, info, cached = scale.ensure(source, cache, "100k", TARGET, lambda _: None)
    assert not cached
    return source, store, info


@pytest.fixture
def scaled_lib(scaled) -> Iterator[Library]:
    """The replicated store opened the normal way."""
    lib = open_store(scaled[1])
    yield lib
    lib.close()


def test_replicated_store_is_consistent(scaled, scaled_lib: Library) -> None:
    source, _, info = scaled
    n = scaled_lib.catalog.chunk_count()
    assert n >= TARGET
    assert n == info["chunks"] == scaled_lib.index.count()
    assert scaled_lib.catalog.chunk_ids() == scaled_lib.index.all_ids()
    assert info["copies"] == math.ceil(TARGET / source.chunks)  # stops once the target is met


def test_replicas_keep_text_and_move_channel_and_date(scaled, scaled_lib: Library) -> None:
    source, _, _ = scaled
    original = source.videos[0].transcript
    copy = scaled_lib.catalog.video(scale.replica_id(original.video_id, 3))
    assert copy is not None
    assert copy.channel == "Replica News 3"
    assert copy.published < original.published
    text = scaled_lib.catalog.video_text(copy.video_id)
    assert text is not None and text.words == original.words


def test_filters_select_the_replica(scaled, scaled_lib: Library) -> None:
    source, _, info = scaled
    question = " ".join(source.videos[0].chunks[0].text.split()[:12])
    plain = scaled_lib.searcher.search(question, k=5)
    assert plain
    channel = info["channel_filter"]
    hits = scaled_lib.searcher.search(question, k=5, filters=SearchFilters(channel=channel))
    assert hits and all(h.channel == channel for h in hits)
    since, until = info["date_filter"]
    window = SearchFilters(since=since, until=until)
    hits = scaled_lib.searcher.search(question, k=5, filters=window)
    assert hits and all(since <= h.published <= until for h in hits)
    assert len({h.channel for h in hits}) == 1  # one replica owns that window


def test_cached_store_is_reused(scaled, tmp_path: Path) -> None:
    source, store, _ = scaled
    again, _, cached = scale.ensure(source, store.parent, "100k", TARGET, lambda _: None)
    assert cached and again == store


def test_query_helpers_run_on_the_store(scaled_lib: Library) -> None:
    questions = ["what did the police say", "interest rates and inflation"]
    assert len(time_each(searcher_fn(scaled_lib), questions, rounds=2)) == 4
    assert len(time_each(floor_fn(scaled_lib), questions)) == 2
    parts = breakdown(scaled_lib, questions, SearchFilters(channel="Replica News 1"))
    assert "index.query" in parts and parts["total"] >= 0
    assert not hasattr(scaled_lib.catalog, "__dict__") or "keyword_search" not in vars(
        scaled_lib.catalog)  # the tracing wrappers are gone again


def test_percentiles() -> None:
    assert percentile([], 50) == 0.0
    assert percentile([1.0, 2.0, 3.0, 4.0], 50) == 2.5
    assert p50_p95([float(i) for i in range(101)]) == (50.0, 95.0)
