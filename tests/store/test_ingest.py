"""Ingest against real SQLite and real Chroma (embedded and a `chroma run` server)."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from app.wiring import Library, rebuild_library
from store.encoders.embedder import Embedder, HashingEmbedder
from store.index.catalog import Catalog
from store.records import SearchFilters
from tests.fixtures_store import CORPUS, TIMED, config_for


def consistent(lib: Library) -> None:
    """Every index holds exactly the catalog's chunks, every chunk has its bfloat16 copy in the
    catalog, no video is half-done, and the term counts kept commit by commit equal a recount
    from the chunk text."""
    assert lib.index.all_ids() == lib.catalog.chunk_ids()
    assert lib.keyword.ids() == lib.catalog.chunk_ids()
    copies = lib.catalog.filtered_vectors(SearchFilters(), lib.index.dimension)
    assert lib.catalog.filtered_size(SearchFilters(), 10**9) == lib.catalog.chunk_count()
    assert copies is not None and set(copies[0]) == lib.catalog.chunk_ids()
    assert not lib.catalog.pending_videos()
    assert not lib.catalog.stale_vector_ids()
    kept = lib.catalog.term_counts()[1]
    lib.catalog.recount_terms()
    assert kept == lib.catalog.term_counts()[1]


def copy_corpus(dst: Path, n: int | None = None) -> list[Path]:
    dst.mkdir(parents=True, exist_ok=True)
    files = sorted(CORPUS.glob("*.txt"))[:n]
    return [Path(shutil.copy(f, dst)) for f in files]


def test_ingest_then_reingest_changes_nothing(make_library: Callable[..., Library]) -> None:
    lib = make_library()
    first = lib.ingest([CORPUS], [TIMED])
    assert first.rejected == [] and len(first.ingested) == 8
    stats = lib.catalog.stats()
    assert stats["videos"] == 8 and stats["chunks"] == first.chunks == lib.index.count()
    consistent(lib)

    again = lib.ingest([CORPUS], [TIMED])
    assert again.ingested == [] and again.unchanged == 8
    assert lib.catalog.stats()["chunks"] == first.chunks == lib.index.count()
    consistent(lib)


def test_timings_given_once_are_kept_by_later_ingests_and_rebuild(
    make_library: Callable[..., Library], tmp_path: Path
) -> None:
    lib = make_library(data_dir=tmp_path / "data")
    first = lib.ingest([CORPUS], [TIMED])
    again = lib.ingest([CORPUS])  # --timings left out: the remembered folder is used
    assert again.unchanged == 8 and again.ingested == [] and again.warnings == []
    lib.close()
    rebuilt, report = rebuild_library(config_for(tmp_path / "data"), [], (), HashingEmbedder())
    try:
        assert len(report.ingested) == 8 and report.chunks == first.chunks
        timed = rebuilt.catalog.video("8Rljxrp47Dw")
        assert timed is not None and timed.timed  # links still open at the second
    finally:
        rebuilt.close()


def test_reingest_whose_caption_files_are_gone_says_the_links_lose_their_second(
    make_library: Callable[..., Library], tmp_path: Path
) -> None:
    timings = tmp_path / "timed"
    shutil.copytree(TIMED, timings)
    lib = make_library()
    lib.ingest([CORPUS], [timings])
    shutil.rmtree(timings)
    again = lib.ingest([CORPUS])
    lost = sorted(w for w in again.warnings if "without cue times" in w)
    # Each seed that had a caption file is named; the DW seed (000_…) never had times.
    named = sorted(str(f) for f in CORPUS.glob("*.txt") if not f.name.startswith("000_"))
    assert [w.split(": ")[0] for w in lost] == named
    assert all("--timings" in w for w in lost)
    assert lib.ingest([CORPUS], [TIMED]).warnings == []  # times back, nothing to say


def test_one_caption_file_gone_from_a_remembered_folder_is_said_once(
    make_library: Callable[..., Library], tmp_path: Path
) -> None:
    timings = tmp_path / "timed"
    shutil.copytree(TIMED, timings)
    lib = make_library()
    lib.ingest([CORPUS], [timings])
    (timings / "kYHHg6oV8A4.vtt").unlink()
    again = lib.ingest([CORPUS])
    assert len(again.ingested) == 1  # only that video changed
    named = [w for w in again.warnings if "kYHHg6oV8A4" in w]
    assert len(named) == 1 and "no caption file" in named[0]


def test_timed_transcripts_carry_start_seconds(make_library: Callable[..., Library]) -> None:
    lib = make_library()
    lib.ingest([CORPUS], [TIMED])
    timed = lib.catalog.video("8Rljxrp47Dw")
    untimed = lib.catalog.video("CSWiKMIF53g")  # the DW seed has no caption file
    assert timed is not None and timed.timed
    assert untimed is not None and not untimed.timed
    rows = lib.catalog.chunks(lib.catalog.video_chunk_ids("8Rljxrp47Dw"))
    starts = [r.start_s for r in sorted(rows.values(), key=lambda r: r.start_word)]
    assert all(s is not None for s in starts) and starts == sorted(starts)  # type: ignore[type-var]


def test_changed_transcript_replaces_its_chunks_everywhere(
    make_library: Callable[..., Library], tmp_path: Path
) -> None:
    lib = make_library()
    folder = tmp_path / "in"
    files = copy_corpus(folder)
    lib.ingest([folder])
    target = next(f for f in files if "8Rljxrp47Dw" in f.read_text())
    old_ids = set(lib.catalog.video_chunk_ids("8Rljxrp47Dw"))
    # Cut the transcript to its first 100 words: fewer chunks than before.
    text = target.read_text()
    head, _, rest = text.partition("<doc>\n")
    target.write_text(head + "<doc>\n" + " ".join(rest.split()[:100]) + "\n</doc>")

    report = lib.ingest([folder])
    assert report.ingested == ["8Rljxrp47Dw"] and report.unchanged == 7
    new_ids = set(lib.catalog.video_chunk_ids("8Rljxrp47Dw"))
    assert len(new_ids) == 1 and len(old_ids) > 1
    consistent(lib)


def test_failure_between_sqlite_and_chroma_writes_recovers(
    make_library: Callable[..., Library], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lib = make_library()
    calls = {"n": 0}
    real_commit = Catalog.commit_video

    def crash_on_third(self: Catalog, *args: object, **kwargs: object) -> list[str]:
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt("killed between the Chroma upsert and the SQLite commit")
        return real_commit(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Catalog, "commit_video", crash_on_third)
    with pytest.raises(KeyboardInterrupt):
        lib.ingest([CORPUS], [TIMED])
    monkeypatch.setattr(Catalog, "commit_video", real_commit)

    # The interrupted batch's uncommitted videos are not searchable: they are pending, their
    # vectors and keyword chunks unreachable.
    assert lib.catalog.stats()["videos"] == 2
    assert lib.catalog.pending_videos()

    report = lib.ingest([CORPUS], [TIMED])
    assert report.unchanged == 2 and len(report.ingested) == 6
    assert lib.catalog.stats()["videos"] == 8
    consistent(lib)


def test_bad_files_are_reported_and_the_rest_ingests(
    make_library: Callable[..., Library], tmp_path: Path
) -> None:
    folder = tmp_path / "mixed"
    copy_corpus(folder, 3)
    good = (CORPUS / "101_e4b1773efc433d5e.txt").read_text()
    (folder / "truncated.txt").write_text(good[: good.index("<publish_date>")])
    (folder / "emptydoc.txt").write_text(good[: good.index("<doc>")] + "<doc>\n\n</doc>")
    (folder / "latin1.txt").write_bytes(good.replace("Mandelson", "Mandélson").encode("latin-1"))
    (folder / "binary.txt").write_bytes(bytes(range(256)) * 8)
    (folder / "zero.txt").write_bytes(b"")
    with open(folder / "huge.txt", "wb") as f:
        f.seek(50 * 1024 * 1024)
        f.write(b"x")

    lib = make_library()
    report = lib.ingest([folder])
    rejected = {Path(p).name: reason for p, reason in report.rejected}
    assert set(rejected) == {
        "truncated.txt", "emptydoc.txt", "latin1.txt", "binary.txt", "zero.txt", "huge.txt",
    }
    assert "UTF-8" in rejected["latin1.txt"] and "empty" in rejected["zero.txt"]
    assert "large" in rejected["huge.txt"]
    assert len(report.ingested) == 3
    consistent(lib)


@pytest.mark.server
def test_server_mode_ingests_and_searches_the_same(
    make_library: Callable[..., Library],
    chroma_server: tuple[str, int],
    tmp_path: Path,
    real_embedder: Embedder,
) -> None:
    host, port = chroma_server
    lib = make_library(
        real_embedder, data_dir=tmp_path / "srv", mode="server", chroma_host=host,
        chroma_port=port,
    )
    report = lib.ingest([CORPUS], [TIMED])
    assert len(report.ingested) == 8
    consistent(lib)
    hits = lib.searcher.search("Mozambique floods", k=3)
    assert hits and hits[0].video_id == "kYHHg6oV8A4"
    assert lib.ingest([CORPUS], [TIMED]).unchanged == 8
