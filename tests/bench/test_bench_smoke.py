"""The scale builder on a tiny store: replicas are searchable, consistent and filterable."""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.config import Config, StoreConfig
from app.wiring import Library, build_library
from bench import scale
from bench.measure import p50_p95, percentile
from bench.query_bench import breakdown, floor_fn, searcher_fn, time_each
from store.encoders.embedder import HashingEmbedder
from store.records import SearchFilters

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
    # A one-replica channel is a selective filter: ranked exactly from the catalog's copies.
    assert "catalog.filtered_vectors" in parts and parts["total"] >= 0
    assert not hasattr(scaled_lib.catalog, "__dict__") or "keyword_search" not in vars(
        scaled_lib.catalog
    )  # the tracing wrappers are gone again


def test_percentiles() -> None:
    assert percentile([], 50) == 0.0
    assert percentile([1.0, 2.0, 3.0, 4.0], 50) == 2.5
    assert p50_p95([float(i) for i in range(101)]) == (50.0, 95.0)


def test_scale_worker_measures_the_store(scaled, scaled_lib: Library) -> None:
    from bench.scale_worker import measure

    _, _, info = scaled
    since, until = info["date_filter"]
    filters = {
        "channel": SearchFilters(channel=info["channel_filter"]),
        "date_range": SearchFilters(since=since, until=until),
    }
    questions = ["what did the police say", "interest rates and inflation", "the prime minister"]
    out = measure(scaled_lib, questions, filters, rounds=1, budget_s=30, say=lambda _: None)
    assert {"query_p50_ms", "query_p95_ms", "filtered_p95_ms", "rss_mb"} <= out.keys()
    assert out["detail"]["samples"] == len(questions)
    assert set(out["detail"]["breakdown_ms"]) == {"plain", "channel", "date_range"}
    plain = out["detail"]["breakdown_ms"]["plain"]
    assert {"embedder.embed", "keyword.search", "catalog.chunks"} <= plain.keys()


def test_the_first_question_after_warm_up_is_timed(scaled_lib: Library) -> None:
    from bench.scale_worker import first_after_warm_up

    out = first_after_warm_up(scaled_lib, "what did the police say")
    assert out["warm_up_ms"] > 0 and out["first_query_after_warm_up_ms"] > 0


def test_table_renders_run_skipped_and_failed_scales() -> None:
    from bench.run import render_table, targets

    scale_figures = {
        "query_p50_ms": 40.0,
        "query_p95_ms": 60.0,
        "filtered_p95_ms": 70.0,
        "rss_mb": 800.0,
        "disk_mb": 430.0,
        "first_query_ms": 1100.0,
        "warm_up_ms": 2300.0,
        "first_query_after_warm_up_ms": 45.0,
        "questions_on_torch": {"query_p50_ms": 52.0, "query_p95_ms": 63.0, "filtered_p95_ms": 55.0},
        "detail": {
            "chunks": 100_055,
            "build_s": 57.0,
            "cached": True,
            "breakdown_ms": {"plain": {"index.query": 2.0, "total": 40.0}},
        },
    }
    r: dict = {
        "ingest_s": 40.0,
        "ingest_chunks_per_s": 110.0,
        "model_chunks_per_s": 120.0,
        "ingest_efficiency": 0.92,
        "reingest_s": 0.03,
        "query_p50_ms": 15.0,
        "query_p95_ms": 20.0,
        "floor_p50_ms": 9.0,
        "machine": {},
        "date": "2026-11-25",
        "scale": {"100k": scale_figures, "1m": None, "100k_server": None},
        "errors": {"100k_server": "measuring failed: chroma run exited with 1"},
        "detail": {
            "ingest": {"chunks": 4500},
            "corpus_queries": {
                "questions_on_torch_p50_ms": 30.5,
                "questions_on_torch_p95_ms": 41.0,
            },
            "wall_s": 100,
        },
    }
    r["targets"] = targets(r)
    assert r["targets"]["100k_filtered_p95<=50ms"] is False
    table = render_table(r)
    assert "(not run)" in table and "FAILED: measuring failed" in table
    assert "100,055" in table
    lines = table.splitlines()
    [corpus_baseline] = [x for x in lines if x.startswith("questions on torch")]
    assert "30.5 / 41.0 ms" in corpus_baseline
    [scale_baseline] = [x for x in lines if x.startswith("100k, torch")]
    assert scale_baseline.split()[2:5] == ["52.0", "63.0", "55.0"]
    block = lines.index("first question in a fresh process (ms):")
    assert lines[block + 2].split() == ["100k", "1,100", "2,300", "45"]
