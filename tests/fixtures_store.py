"""Shared store fixtures: real SQLite and Chroma, the real model or a deterministic fake one."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from app.config import Config, StoreConfig
from app.wiring import Library, build_library
from bench.chroma_server import free_port, start_chroma, stop_chroma
from store.encoders.embedder import Embedder, HashingEmbedder, SentenceTransformerEmbedder
from store.encoders.splade import SpladeEncoder
from store.sparse import SparseEncoder

DATA = Path(__file__).parent / "data"
CORPUS = DATA / "corpus"
TIMED = DATA / "timed"
# ../shared beside the repository; NEWSREEL_SHARED names it elsewhere (a worktree, say).
SHARED = Path(os.environ.get("NEWSREEL_SHARED") or Path(__file__).resolve().parents[2] / "shared")

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")


def config_for(data_dir: Path, **store: Any) -> Config:
    """Default config with its data in `data_dir`."""
    return replace(Config(), store=replace(StoreConfig(data_dir=data_dir), **store))


@pytest.fixture(scope="session")
def real_embedder() -> SentenceTransformerEmbedder:
    """The packaged MiniLM model, loaded once per test session."""
    return SentenceTransformerEmbedder()


@pytest.fixture(scope="session")
def real_sparse() -> SpladeEncoder:
    """The packaged SPLADE-tiny relevance model, loaded once per test session."""
    return SpladeEncoder()


@pytest.fixture
def make_library(tmp_path: Path) -> Iterator[Callable[..., Library]]:
    """Build libraries in this test's tmp dir (fake embedder unless one is given)."""
    made: list[Library] = []

    def make(
        embedder: Embedder | None = None,
        data_dir: Path | None = None,
        sparse: SparseEncoder | None = None,
        **store: Any,
    ) -> Library:
        lib = build_library(
            config_for(data_dir or tmp_path / "data", **store),
            embedder or HashingEmbedder(),
            sparse,
        )
        made.append(lib)
        return lib

    yield make
    for lib in made:
        lib.close()


@pytest.fixture(scope="session")
def corpus_library(
    tmp_path_factory: pytest.TempPathFactory,
    real_embedder: SentenceTransformerEmbedder,
    real_sparse: SpladeEncoder,
) -> Iterator[Library]:
    """The real models over the small test corpus (tests/data), ingested with timings."""
    data_dir = tmp_path_factory.mktemp("corpus-lib")
    lib = build_library(config_for(data_dir), real_embedder, real_sparse)
    report = lib.ingest([CORPUS], [TIMED])
    assert not report.rejected, report.rejected
    yield lib
    lib.close()


@pytest.fixture(scope="session")
def full_library(
    tmp_path_factory: pytest.TempPathFactory,
    real_embedder: SentenceTransformerEmbedder,
    real_sparse: SpladeEncoder,
) -> Iterator[Library]:
    """The real models over the whole shared corpus (204 videos), ingested once per session."""
    if not (SHARED / "corpus").is_dir():
        pytest.skip("../shared is not beside the repo")
    lib = build_library(config_for(tmp_path_factory.mktemp("full")), real_embedder, real_sparse)
    report = lib.ingest([SHARED / "corpus"], [SHARED / "corpus_timed"])
    assert report.rejected == [] and len(report.ingested) == 204
    yield lib
    lib.close()


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int]]:
    """A real `chroma run` server on 127.0.0.1 for the session: (host, port)."""
    yield from run_chroma_server(tmp_path_factory.mktemp("chroma-server"))


def run_chroma_server(path: Path, port: int | None = None) -> Iterator[tuple[str, int]]:
    """Start `chroma run` on a folder, wait until it answers, stop it afterwards."""
    port = port or free_port()
    proc = start_chroma(path, port)
    try:
        yield ("127.0.0.1", port)
    finally:
        stop_chroma(proc)
