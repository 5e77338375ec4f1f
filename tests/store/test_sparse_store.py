"""Sparse vectors in the catalog: written with their chunks, replaced with them, filled in later."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from app.wiring import Library
from store.encoders.embedder import HashingEmbedder, Vectors
from store.sparse import HashingSparseEncoder, SparseVector
from tests.fixtures_store import CORPUS, TIMED


class CountingSparse(HashingSparseEncoder):
    def __init__(self, name: str = "counting-sparse") -> None:
        super().__init__(name=name)
        self.texts = 0

    def encode(self, texts: Sequence[str]) -> list[SparseVector]:
        self.texts += len(texts)
        return super().encode(texts)


class CountingEmbedder(HashingEmbedder):
    def __init__(self) -> None:
        super().__init__()
        self.texts = 0

    def embed(self, texts: Sequence[str]) -> Vectors:
        self.texts += len(texts)
        return super().embed(texts)


def sparse_count(lib: Library) -> int:
    return len(lib.catalog.sparse_vectors(sorted(lib.catalog.chunk_ids())))


def test_ingest_stores_one_sparse_vector_per_chunk(make_library: Callable[..., Library]) -> None:
    lib = make_library(sparse=CountingSparse())
    lib.ingest([CORPUS], [TIMED])
    assert sparse_count(lib) == lib.catalog.chunk_count() > 0
    vid = lib.catalog.latest(1)[0].video_id
    windows = lib.catalog.video_windows(vid)
    assert windows and all(vec is not None and len(vec) for *_, vec in windows)


def test_a_store_built_without_them_is_filled_in_without_re_embedding(
    make_library: Callable[..., Library], tmp_path: Path
) -> None:
    old = make_library(data_dir=tmp_path / "d")
    old.ingest([CORPUS], [TIMED])
    n = old.catalog.chunk_count()
    assert sparse_count(old) == 0
    old.close()
    sparse = CountingSparse()
    new = make_library(data_dir=tmp_path / "d", sparse=sparse)
    embedded = CountingEmbedder()
    new.embedder = new.ingestor.embedder = embedded
    report = new.ingest([CORPUS], [TIMED])
    assert report.sparse_filled == n and sparse.texts == n and sparse_count(new) == n
    assert embedded.texts == 0 and report.ingested == []  # MiniLM vectors kept, nothing re-ingested
    # A second run has nothing left to fill.
    assert new.ingest([CORPUS], [TIMED]).sparse_filled == 0


def test_another_sparse_model_refills_every_vector(
    make_library: Callable[..., Library], tmp_path: Path
) -> None:
    make_library(data_dir=tmp_path / "d", sparse=CountingSparse("a")).ingest([CORPUS], [TIMED])
    other = make_library(data_dir=tmp_path / "d", sparse=CountingSparse("b"))
    report = other.ingest([CORPUS], [TIMED])
    assert report.sparse_filled == other.catalog.chunk_count()
    assert other.catalog.sparse_model() == "b"
