"""The poll benchmark on the small test corpus with the fake embedder: its figures are there and
a poll with nothing new is a fraction of the first."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.config import Config
from bench.poll_bench import run_poll_bench
from bench.run import poll_lines
from store.encoders.embedder import HashingEmbedder
from tests.fixtures_store import CORPUS

pytestmark = pytest.mark.timeout(60)


def test_poll_bench_figures(tmp_path: Path, network_guard: None) -> None:
    figures = run_poll_bench(Config(), HashingEmbedder(), None, tmp_path / "store", CORPUS,
                             lambda _: None, videos=5)
    d = figures["detail"]
    assert d["videos"] == 5 and d["chunks"] > 5
    assert 0 < figures["poll_nothing_new_s"] < figures["poll_first_s"]
    assert figures["poll_backfill_chunks_per_s"] > 0 and figures["poll_model_chunks_per_s"] > 0
    table = "\n".join(poll_lines({"poll": figures}))
    assert "poll, nothing new" in table and "5 videos" in table
