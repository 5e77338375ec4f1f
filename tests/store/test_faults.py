"""Faults: a Chroma server that goes away and comes back; stores that fall out of step."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from app.config import Config
from app.wiring import Library, build_library, catalog_path, rebuild_library
from bench.chroma_server import free_port, start_chroma, stop_chroma
from store.encoders.embedder import HashingEmbedder
from store.errors import (
    InconsistentStoreError,
    IndexUnavailableError,
    ModelMismatchError,
    NewsreelError,
)
from store.ingest import IngestReport
from store.search.searcher import SearchParams
from tests.fixtures_store import CORPUS, TIMED, config_for
from tests.store.test_ingest import consistent


@pytest.mark.server
def test_search_and_ingest_survive_a_server_outage(
    make_library: Callable[..., Library], tmp_path: Path
) -> None:
    port = free_port()
    server_dir = tmp_path / "server"
    proc = start_chroma(server_dir, port)
    try:
        lib = make_library(mode="server", chroma_host="127.0.0.1", chroma_port=port)
        inbox = tmp_path / "inbox"
        inbox.mkdir()
        files = sorted(CORPUS.glob("*.txt"))
        for f in files[:4]:
            shutil.copy(f, inbox)
        assert len(lib.ingest([inbox]).ingested) == 4
        question = "EU leaders emergency summit on Greenland"
        answered = lib.searcher.search(question, k=3)
        assert answered
        stop_chroma(proc)

        # A store small enough to rank from the catalog's copies of its vectors still answers,
        # as before; one too big for that needs Chroma and says it is unavailable.
        assert lib.searcher.search(question, k=3) == answered
        big = lib.make_searcher(replace(SearchParams(), exact_max=-1))
        with pytest.raises(IndexUnavailableError, match="unavailable right now"):
            big.search("floods Mozambique", k=3)
        for f in files[4:]:
            shutil.copy(f, inbox)
        outage = lib.ingest([inbox])
        assert outage.failed and "unavailable" in outage.failed
        assert outage.ingested == []
        assert lib.catalog.stats()["videos"] == 4  # nothing half-ingested became searchable

        proc = start_chroma(server_dir, port)
        # Same Library object: it reconnects by itself.
        assert lib.searcher.search("police Mandelson Epstein", k=3) is not None
        after = lib.ingest([inbox])
        assert len(after.ingested) == 4 and after.unchanged == 4
        consistent(lib)
    finally:
        stop_chroma(proc)


def test_deleted_catalog_is_detected_and_rebuild_restores(tmp_path: Path) -> None:
    config = config_for(tmp_path / "data")
    lib = build_library(config, HashingEmbedder())
    lib.ingest([CORPUS], [TIMED])
    lib.close()
    db = catalog_path(config)
    db.unlink()
    for extra in db.parent.glob("catalog.sqlite3-*"):
        extra.unlink()

    lib = build_library(config, HashingEmbedder())
    with pytest.raises(InconsistentStoreError, match="rebuild"):
        lib.check()
    lib.close()

    rebuilt, report = rebuild_library(config, [CORPUS], [TIMED], HashingEmbedder())
    assert len(report.ingested) == 8
    rebuilt.check()
    consistent(rebuilt)
    rebuilt.close()


def test_corrupt_catalog_is_one_clear_error_and_rebuild_restores(tmp_path: Path) -> None:
    config = config_for(tmp_path / "data")
    lib = build_library(config, HashingEmbedder())
    lib.ingest([CORPUS], [TIMED])
    lib.close()
    catalog_path(config).write_bytes(b"this is not a database" * 100)
    for extra in catalog_path(config).parent.glob("catalog.sqlite3-*"):
        extra.unlink()
    with pytest.raises(InconsistentStoreError, match="unreadable"):
        build_library(config, HashingEmbedder())
    rebuilt, report = rebuild_library(config, [CORPUS], [TIMED], HashingEmbedder())
    assert len(report.ingested) == 8
    consistent(rebuilt)
    rebuilt.close()


def test_lost_collection_is_detected_and_rebuild_uses_the_catalogs_sources(
    tmp_path: Path,
) -> None:
    config = config_for(tmp_path / "data")
    lib = build_library(config, HashingEmbedder())
    lib.ingest([CORPUS], [TIMED])
    lib.index.drop()
    with pytest.raises(InconsistentStoreError, match="vector index"):
        lib.check()
    lib.close()
    rebuilt, report = rebuild_library(config, [], [TIMED], HashingEmbedder())
    assert len(report.ingested) == 8
    consistent(rebuilt)
    rebuilt.close()


def test_opening_the_index_with_another_model_is_a_clear_error(tmp_path: Path) -> None:
    config = config_for(tmp_path / "data")
    lib = build_library(config, HashingEmbedder(dimension=64, name="model-a"))
    lib.ingest([CORPUS], [TIMED])
    lib.close()
    other = build_library(config, HashingEmbedder(dimension=32, name="model-b"))
    with pytest.raises(ModelMismatchError, match="model-a"):
        other.searcher.search("floods", k=1)
    other.close()


def test_rebuilding_again_and_again_does_not_grow_the_data_folder(tmp_path: Path) -> None:
    config = config_for(tmp_path / "data")
    lib = build_library(config, HashingEmbedder())
    lib.ingest([CORPUS], [TIMED])
    lib.close()
    chroma = tmp_path / "data" / "chroma"
    for _ in range(3):
        rebuilt, report = rebuild_library(config, [], [TIMED], HashingEmbedder())
        assert len(report.ingested) == 8
        assert rebuilt.searcher.search("floods in Mozambique", k=1)
        rebuilt.close()
    segments = [p for p in chroma.iterdir() if p.is_dir()]
    assert len(segments) == 1, "the dropped collections' index folders were left behind"
    copies = sorted(p.name for p in (tmp_path / "data").glob("catalog.sqlite3*.before-rebuild-*"))
    assert len(copies) == 1 and copies[0].startswith("catalog.sqlite3.before-rebuild-"), copies


def test_rebuild_with_no_transcript_left_to_read_leaves_the_store_as_it_was(
    tmp_path: Path,
) -> None:
    config = config_for(tmp_path / "data")
    copy = tmp_path / "corpus"
    shutil.copytree(CORPUS, copy)
    lib = build_library(config, HashingEmbedder())
    lib.ingest([copy])
    lib.close()
    shutil.rmtree(copy)
    for _ in range(2):  # twice: the second must not replace a good backup with an empty one
        with pytest.raises(NewsreelError, match=r"nothing to rebuild from \(none of the 8"):
            rebuild_library(config, [], (), HashingEmbedder())
    assert not list((tmp_path / "data").glob("*.before-rebuild-*"))
    again = build_library(config, HashingEmbedder())
    assert again.catalog.stats()["videos"] == 8 and again.index.count() > 0
    consistent(again)
    again.close()


def ingested_from_beside_the_corpus(
    config: Config, monkeypatch: pytest.MonkeyPatch
) -> tuple[Library, IngestReport]:
    """The test corpus ingested as `corpus` (a relative path), from the folder holding it."""
    monkeypatch.chdir(CORPUS.parent)
    lib = build_library(config, HashingEmbedder())
    return lib, lib.ingest([Path(CORPUS.name)])


def test_rebuild_finds_transcripts_ingested_by_a_relative_path_from_another_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = config_for(tmp_path / "data")
    lib, first = ingested_from_beside_the_corpus(config, monkeypatch)
    lib.close()
    monkeypatch.chdir(tmp_path)  # where "corpus/…" does not exist
    rebuilt, report = rebuild_library(config, [], (), HashingEmbedder())
    try:
        assert len(report.ingested) == 8 and report.chunks == first.chunks
        consistent(rebuilt)
    finally:
        rebuilt.close()


def test_a_store_with_relative_sources_keeps_its_vectors_and_learns_the_full_paths(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lib, _ = ingested_from_beside_the_corpus(config_for(tmp_path / "data"), monkeypatch)
    with lib.catalog.transaction() as c:  # as an older Newsreel stored them: as given
        for path in CORPUS.glob("*.txt"):
            c.execute(
                "UPDATE videos SET source=? WHERE source=?",
                (f"{CORPUS.name}/{path.name}", str(path)),
            )
    assert all(not Path(s).is_absolute() for s in lib.catalog.sources())
    again = lib.ingest([Path(CORPUS.name)])
    assert again.ingested == [] and again.unchanged == 8  # nothing embedded again
    assert sorted(lib.catalog.sources()) == sorted(str(p) for p in CORPUS.glob("*.txt"))
    lib.close()
