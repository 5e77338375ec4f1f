"""A video ingested by another process (`newsreel fetch` from cron, `newsreel ingest` from a
terminal) is found by meaning by a running process, also when the store is too big for the
exact scan and Chroma's HNSW index answers: its embedded client is re-opened."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from app.wiring import build_library
from store.encoders.embedder import HashingEmbedder
from store.records import SearchFilters
from store.search import SearchParams
from tests.alert_fixtures import BANGLADESH, arrivals, corpus_files, video_id_of
from tests.fixtures_store import config_for

pytestmark = [pytest.mark.cli, pytest.mark.timeout(120)]
ROOT = Path(__file__).resolve().parents[3]

INGEST = """
import sys
from pathlib import Path
from app.wiring import build_library
from store.encoders.embedder import HashingEmbedder
from tests.fixtures_store import config_for

lib = build_library(config_for(Path(sys.argv[1])), HashingEmbedder())
report = lib.ingest([Path(sys.argv[2])])
assert report.ingested, report
lib.close()
"""


def test_another_process_ingest_is_found_through_chroma(tmp_path: Path) -> None:
    data = tmp_path / "data"
    lib = build_library(config_for(data), HashingEmbedder())
    try:
        lib.ingest(corpus_files())
        # No exact scan, no keyword candidates completed with their cosines: every dense
        # candidate comes from Chroma's HNSW index.
        searcher = lib.make_searcher(SearchParams(exact_max=0, exact_fallback_max=0,
                                                   complete_features=False))
        new = arrivals(BANGLADESH)[0]
        query = searcher.analyse("Bangladesh election youth uprising Awami League")
        assert query is not None

        def dense_videos() -> set[str]:
            dense, _ = searcher.candidates(query, SearchFilters(), 10)
            return {cid.rsplit(":", 1)[0] for cid, _ in dense}

        assert video_id_of(new) not in dense_videos()  # the index is open and in use
        subprocess.run([sys.executable, "-c", INGEST, str(data), str(new)], cwd=ROOT,
                       check=True, timeout=60, capture_output=True)
        assert video_id_of(new) in dense_videos()
        assert lib.index.count() == lib.catalog.chunk_count()
    finally:
        lib.close()
