"""Filtered dense search: a selective filter ranks its chunks exactly from the catalog's float16
copies, in the order HNSW (cosine) would, in embedded and server mode; older stores are filled."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from app.wiring import Library
from store.index.exact_dense import exact_top, pack_matrix, unpack_matrix
from store.records import SearchFilters
from store.search.searcher import Searcher, SearchParams, chroma_where
from tests.fixtures_store import CORPUS, TIMED
from tests.store.test_sparse_store import CountingEmbedder

QUESTIONS = ("floods in mozambique", "election results and the new government", "oil prices")


def reference(lib: Library, question: str, filters: SearchFilters) -> list[tuple[str, float]]:
    """Brute force in float64 over Chroma's own stored vectors of the filtered videos' chunks."""
    q = lib.embedder.embed([question])[0].astype(np.float64)
    ids = [
        cid
        for vid in sorted(lib.catalog.video_filter_ids(filters))
        for cid in lib.catalog.video_chunk_ids(vid)
    ]
    stored = lib.index.vectors(ids)
    sims = {
        cid: float(v.astype(np.float64) @ q / np.linalg.norm(v) / np.linalg.norm(q))
        for cid, v in stored.items()
    }
    return sorted(sims.items(), key=lambda x: (-x[1], x[0]))


def dense(
    searcher: Searcher, question: str, filters: SearchFilters, depth: int = 10
) -> list[tuple[str, float]]:
    return searcher._dense(searcher.embedder.embed([question])[0], filters, depth)


def same_ranking(got: Sequence[tuple[str, float]], want: Sequence[tuple[str, float]]) -> None:
    assert len(got) == len(want)
    for (gid, gs), (wid, ws) in zip(got, want, strict=True):
        assert abs(gs - ws) < 2e-3
        if gid != wid:  # only a near-tie may swap places after the float16 round trip
            assert abs(dict(want).get(gid, -9) - ws) < 2e-3


def filters_of(lib: Library) -> list[SearchFilters]:
    channel = lib.catalog.channels()[0]
    video = lib.catalog.latest(1)[0]
    return [
        SearchFilters(channel=channel),
        SearchFilters(video_id=video.video_id),
        SearchFilters(since="2024-01-01", until="2024-12-31"),
    ]


def test_exact_top_matches_a_float64_brute_force() -> None:
    rng = np.random.default_rng(7)
    mat = rng.normal(size=(500, 48)).astype(np.float32)
    ids = [f"v{i:03d}:0" for i in range(500)]
    stored = unpack_matrix(pack_matrix(mat), 500, 48)
    q = rng.normal(size=48).astype(np.float32)
    want_sims = (mat.astype(np.float64) @ q) / np.linalg.norm(mat, axis=1) / np.linalg.norm(q)
    want = sorted(zip(ids, want_sims.tolist(), strict=True), key=lambda x: (-x[1], x[0]))[:20]
    same_ranking(exact_top(q, ids, stored, 20), want)
    assert len(exact_top(q, ids[:5], stored[:5], 20)) == 5  # fewer rows than asked for
    assert exact_top(q, [], stored[:0], 20) == []


def test_stored_vectors_of_another_size_are_refused() -> None:
    with pytest.raises(ValueError, match="48-d bfloat16"):
        unpack_matrix(pack_matrix(np.ones((2, 32), dtype=np.float32)), 2, 48)


@pytest.fixture(params=["embedded", pytest.param("server", marks=pytest.mark.server)])
def store(
    request: pytest.FixtureRequest, make_library: Callable[..., Library], tmp_path: Path
) -> Iterator[Library]:
    """The test corpus ingested with the fake embedder, vectors embedded or on a server."""
    if request.param == "server":
        host, port = request.getfixturevalue("chroma_server")
        lib = make_library(
            data_dir=tmp_path / "srv", mode="server", chroma_host=host, chroma_port=port
        )
        lib.index.drop()  # the session's server is shared: start from an empty collection
    else:
        lib = make_library()
    lib.ingest([CORPUS], [TIMED])
    yield lib
    if request.param == "server":
        lib.index.drop()  # and leave none behind: other tests use it with another model


def test_a_selective_filter_ranks_its_chunks_as_brute_force_and_hnsw_do(store: Library) -> None:
    for filters in filters_of(store):
        size = store.catalog.filtered_size(filters, 10**6)
        assert size is not None and size <= SearchParams().exact_max  # the exact path
        for q in QUESTIONS:
            got = dense(store.searcher, q, filters)
            same_ranking(got, reference(store, q, filters)[:10])
            # Chroma's own filtered HNSW query (exact at this size) returns the same chunks.
            vec = store.embedder.embed([q])[0]
            hnsw = store.index.query(vec, 10, where=chroma_where(filters))
            same_ranking(got, hnsw)


def test_a_broad_filter_takes_the_hnsw_path_and_still_filters(store: Library) -> None:
    broad = store.make_searcher(replace(SearchParams(), exact_max=2, exact_fallback_max=2))
    for filters in filters_of(store):
        assert (store.catalog.filtered_size(filters, 2) or 0) > 2
        allowed = store.catalog.video_filter_ids(filters)
        for q in QUESTIONS:
            got = dense(broad, q, filters)
            assert got and all(cid.rsplit(":", 1)[0] in allowed for cid, _ in got)
            assert got[0][0] == reference(store, q, filters)[0][0]


def test_a_small_store_is_ranked_exactly_and_a_big_one_by_hnsw(
    store: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[int] = []
    query = store.index.query

    def counted(*args: Any, **kwargs: Any) -> list[tuple[str, float]]:
        asked.append(1)
        return query(*args, **kwargs)

    monkeypatch.setattr(store.index, "query", counted)
    everything = SearchFilters()
    big = store.make_searcher(replace(SearchParams(), exact_max=2, exact_fallback_max=2))
    for q in QUESTIONS:
        want = reference(store, q, everything)[:10]
        same_ranking(dense(store.searcher, q, everything), want)  # every chunk, exactly
        assert asked == []
        hnsw = dense(big, q, everything)
        assert asked and hnsw[0][0] == want[0][0]
        asked.clear()


def test_filtered_answers_come_only_from_the_filtered_videos(store: Library) -> None:
    for filters in filters_of(store):
        allowed = store.catalog.video_filter_ids(filters)
        hits = store.searcher.search("what happened with the floods", k=5, filters=filters)
        assert all(h.video_id in allowed for h in hits)


def test_a_store_without_the_copies_searches_then_is_filled_from_chroma_not_re_embedded(
    store: Library,
) -> None:
    # A store from before the copies: the table exists (the catalog creates it) but is empty.
    with store.catalog.transaction() as c:
        c.execute("DELETE FROM video_dense")
    filters = filters_of(store)[0]
    assert store.catalog.filtered_size(filters, 10**6) is None
    before = dense(store.searcher, QUESTIONS[0], filters)  # the HNSW path meanwhile
    assert before[0][0] == reference(store, QUESTIONS[0], filters)[0][0]

    counting = CountingEmbedder()
    store.ingestor.embedder = counting
    report = store.ingest([CORPUS], [TIMED])
    assert report.dense_filled == store.catalog.chunk_count() and report.ingested == []
    assert counting.texts == 0  # nothing re-embedded
    assert store.catalog.filtered_size(filters, 10**6) is not None
    same_ranking(
        dense(store.searcher, QUESTIONS[0], filters), reference(store, QUESTIONS[0], filters)[:10]
    )
    assert store.ingest([CORPUS], [TIMED]).dense_filled == 0


def test_keyword_candidates_get_the_cosines_chroma_holds_with_or_without_the_copies(
    store: Library,
) -> None:
    searcher = store.searcher
    for q in QUESTIONS:
        query = searcher.analyse(q)
        assert query is not None
        dense_side, keyword_side = searcher.candidates(query, SearchFilters(), 50)
        from_copies = dict(dense_side)
        # Every keyword candidate has a cosine, as far as Chroma's stored vectors say.
        assert {cid for cid, _ in keyword_side} <= set(from_copies)
        held = store.index.similarities(query.dense, list(from_copies))
        assert held.keys() == from_copies.keys()
        assert max(abs(from_copies[c] - held[c]) for c in held) < 2e-3
    # A store from before the copies: the same cosines come from Chroma itself.
    with store.catalog.transaction() as c:
        c.execute("DELETE FROM video_dense")
    fresh = store.make_searcher()
    query = fresh.analyse(QUESTIONS[0])
    assert query is not None
    dense_side, _ = fresh.candidates(query, SearchFilters(), 50)
    held = store.index.similarities(query.dense, [cid for cid, _ in dense_side])
    assert all(abs(score - held[cid]) < 1e-5 for cid, score in dense_side)


def test_warm_up_runs_every_search_path_on_an_empty_and_a_full_store(
    make_library: Callable[..., Library], tmp_path: Path
) -> None:
    empty = make_library(data_dir=tmp_path / "empty")
    empty.warm_up()  # nothing ingested yet: no error
    full = make_library(data_dir=tmp_path / "full")
    full.ingest([CORPUS], [TIMED])
    question, filters = QUESTIONS[0], filters_of(full)[0]
    before = dense(full.make_searcher(), question, filters)
    full.warm_up()
    assert dense(full.searcher, question, filters) == before  # warming changes no answer


def test_a_filter_kept_from_an_earlier_question_sees_a_newly_ingested_video(
    make_library: Callable[..., Library], tmp_path: Path
) -> None:
    lib = make_library()
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    bbc = [f for f in sorted(CORPUS.glob("*.txt")) if "kYHHg6oV8A4" not in f.read_text()]
    for f in bbc[:3]:
        (inbox / f.name).write_bytes(f.read_bytes())
    lib.ingest([inbox])
    floods = SearchFilters(channel="BBC News")
    before = {cid.rsplit(":", 1)[0] for cid, _ in dense(lib.searcher, QUESTIONS[0], floods)}
    assert "kYHHg6oV8A4" not in before  # the filter's vectors are now kept
    mozambique = next(f for f in CORPUS.glob("*.txt") if "kYHHg6oV8A4" in f.read_text())
    (inbox / mozambique.name).write_bytes(mozambique.read_bytes())
    lib.ingest([inbox])
    got = dense(lib.searcher, QUESTIONS[0], floods)
    assert got[0][0].startswith("kYHHg6oV8A4:")  # the new video's floods, not stale vectors
    same_ranking(got, reference(lib, QUESTIONS[0], floods)[:10])
