"""The keyword index (tantivy) against the catalog's consistency rules, in both store modes:
killed ingest, changed file, lost index, rebuild, a store from before it; and the term counts
the query analyser follows without reloading."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from app.wiring import Library, build_library, keyword_path, rebuild_library
from store.errors import InconsistentStoreError
from store.index.catalog import Catalog
from store.index.keyword_index import TantivyKeywordIndex
from store.index.vector_index import COLLECTION, connect_server
from store.records import SearchFilters
from tests.fixtures_store import CORPUS, TIMED
from tests.store.test_ingest import consistent, copy_corpus

EVERYWHERE = SearchFilters()
TERAN = "8Rljxrp47Dw"  # a video of the test corpus
MOZAMBIQUE = "kYHHg6oV8A4"  # the one that speaks of Mozambique


def _empty_server(host: str, port: int) -> None:
    # The session's server is shared with other tests (and their models): start and end clean.
    client = connect_server(host, port)
    if COLLECTION in {c.name for c in client.list_collections()}:
        client.delete_collection(COLLECTION)


@pytest.fixture(params=["embedded", pytest.param("server", marks=pytest.mark.server)])
def store_mode(request: pytest.FixtureRequest) -> Iterator[dict[str, Any]]:
    """Store settings for one mode: embedded Chroma, or the session's `chroma run` server."""
    if request.param == "embedded":
        yield {}
        return
    host, port = request.getfixturevalue("chroma_server")
    _empty_server(host, port)
    yield {"mode": "server", "chroma_host": host, "chroma_port": port}
    _empty_server(host, port)


def keyword_videos(lib: Library, words: str, filters: SearchFilters = EVERYWHERE) -> set[str]:
    """Videos whose chunks the keyword index returns for the words."""
    return {cid.rsplit(":", 1)[0] for cid, _ in lib.keyword.search(words.split(), filters, 50)}


def consistent_and_found(lib: Library) -> None:
    """`consistent`, and a word of the corpus finds its video through the keyword index."""
    consistent(lib)
    assert MOZAMBIQUE in keyword_videos(lib, "Mozambique")


def test_killed_ingest_leaves_nothing_half_searchable_and_the_rerun_completes(
    make_library: Callable[..., Library],
    store_mode: dict[str, Any],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    lib = make_library(data_dir=tmp_path / "d", **store_mode)
    calls = {"n": 0}
    real_commit = Catalog.commit_video

    def killed_on_third(self: Catalog, *args: Any, **kwargs: Any) -> list[str]:
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt("killed after the keyword commit, before the catalog's")
        return real_commit(self, *args, **kwargs)

    monkeypatch.setattr(Catalog, "commit_video", killed_on_third)
    with pytest.raises(KeyboardInterrupt):
        lib.ingest([CORPUS], [TIMED])
    monkeypatch.setattr(Catalog, "commit_video", real_commit)

    # The batch's keyword commit came first, so the keyword index holds the pending videos'
    # chunks; search keeps only chunks of committed videos: none of them is found.
    pending = set(lib.catalog.pending_videos())
    assert pending and lib.catalog.stats()["videos"] == 2
    assert pending <= {cid.rsplit(":", 1)[0] for cid in lib.keyword.ids()}
    found = lib.keyword.search("Iran Israel Gaza Hamas floods Mozambique".split(), EVERYWHERE, 50)
    assert pending & {cid.rsplit(":", 1)[0] for cid, _ in found}
    query = lib.searcher.analyse("Iran Israel Gaza Hamas floods Mozambique")
    assert query is not None
    passages = lib.searcher.passages(query, EVERYWHERE, 10, 2)
    assert passages and not pending & {p.video_id for p in passages}
    assert lib.catalog.term_counts()[1][""] == lib.catalog.chunk_count()

    report = lib.ingest([CORPUS], [TIMED])
    assert report.unchanged == 2 and len(report.ingested) == 6
    consistent(lib)


def test_killed_keyword_commit_is_redone_by_the_next_ingest(
    make_library: Callable[..., Library],
    store_mode: dict[str, Any],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    lib = make_library(data_dir=tmp_path / "d", **store_mode)
    real_replace = TantivyKeywordIndex.replace

    def killed(self: TantivyKeywordIndex, *args: Any, **kwargs: Any) -> None:
        raise KeyboardInterrupt("killed inside the keyword write")

    monkeypatch.setattr(TantivyKeywordIndex, "replace", killed)
    with pytest.raises(KeyboardInterrupt):
        lib.ingest([CORPUS], [TIMED])
    monkeypatch.setattr(TantivyKeywordIndex, "replace", real_replace)
    assert lib.catalog.stats()["videos"] == 0 and lib.keyword.count() == 0

    assert len(lib.ingest([CORPUS], [TIMED]).ingested) == 8
    consistent_and_found(lib)


def test_changed_file_replaces_its_keyword_chunks(
    make_library: Callable[..., Library], store_mode: dict[str, Any], tmp_path: Path
) -> None:
    lib = make_library(data_dir=tmp_path / "d", **store_mode)
    folder = tmp_path / "in"
    files = copy_corpus(folder)
    lib.ingest([folder])
    target = next(f for f in files if TERAN in f.read_text())
    text = target.read_text()
    head, _, rest = text.partition("<doc>\n")
    words = rest.split()[:100]
    assert "zanzibarian" not in keyword_videos(lib, "zanzibarian")
    target.write_text(head + "<doc>\n" + " ".join([*words, "zanzibarian"]) + "\n</doc>")

    report = lib.ingest([folder])
    assert report.ingested == [TERAN]
    assert keyword_videos(lib, "zanzibarian") == {TERAN}
    ids = {cid for cid in lib.keyword.ids() if cid.startswith(TERAN)}
    assert ids == set(lib.catalog.video_chunk_ids(TERAN)) and len(ids) == 1
    consistent(lib)
    # Upsert semantics: the same file again changes nothing anywhere.
    assert lib.ingest([folder]).unchanged == 8
    consistent(lib)


def lose_keyword_index(
    make_library: Callable[..., Library], store_mode: dict[str, Any], data: Path
) -> int:
    """Ingest the corpus into `data`, then delete its keyword folder; returns the chunks."""
    lib = make_library(data_dir=data, **store_mode)
    chunks = lib.ingest([CORPUS], [TIMED]).chunks
    lib.close()
    shutil.rmtree(data / "keyword")
    return chunks


def test_lost_keyword_index_is_refilled_by_ingest_without_embedding(
    make_library: Callable[..., Library], store_mode: dict[str, Any], tmp_path: Path
) -> None:
    data = tmp_path / "d"
    chunks = lose_keyword_index(make_library, store_mode, data)
    again = make_library(data_dir=data, **store_mode)
    assert again.keyword.count() == 0
    report = again.ingest([CORPUS], [TIMED])
    assert report.keyword_filled == chunks
    assert report.unchanged == 8 and report.embed_seconds == 0.0
    consistent_and_found(again)


def test_lost_keyword_index_is_refilled_before_a_search_or_refused_read_only(
    make_library: Callable[..., Library], store_mode: dict[str, Any], tmp_path: Path
) -> None:
    data = tmp_path / "d"
    lose_keyword_index(make_library, store_mode, data)
    reader = make_library(data_dir=data, **store_mode)
    reader.catalog.read_only = True  # as on a read-only mount (root here ignores file modes)
    with pytest.raises(InconsistentStoreError, match=r"keyword index .* is empty"):
        reader.check()
    reader.close()
    again = make_library(data_dir=data, **store_mode)
    again.check()  # what `newsreel ask/search/quote` run first (and the bot's warm-up)
    assert again.keyword.count() == again.catalog.chunk_rows()
    consistent_and_found(again)


def test_store_from_before_the_keyword_index_is_migrated(
    make_library: Callable[..., Library], tmp_path: Path
) -> None:
    data = tmp_path / "d"
    lib = make_library(data_dir=data)
    lib.ingest([CORPUS], [TIMED])
    expected = lib.catalog.chunks(lib.catalog.video_chunk_ids(TERAN))
    lib.close()
    # Make the catalog look like one from before: chunk text in FTS5, no term counts, no index.
    db = sqlite3.connect(data / "catalog.sqlite3")
    db.executescript(
        """CREATE VIRTUAL TABLE chunks_fts USING fts5(text, context);
        INSERT INTO chunks_fts (rowid, text, context) SELECT rowid, text, '' FROM chunk_text;
        DROP TABLE chunk_text; DELETE FROM term_docs; DELETE FROM term_log;
        DELETE FROM state WHERE key = 'keyword_index';"""
    )
    db.close()
    shutil.rmtree(data / "keyword")

    old = make_library(data_dir=data)
    assert old.catalog.chunks(list(expected)) == expected  # the text moved over
    report = old.ingest([CORPUS], [TIMED])
    assert report.unchanged == 8 and report.keyword_filled == old.catalog.chunk_rows()
    consistent_and_found(old)


def test_rebuild_restores_the_keyword_index(
    make_library: Callable[..., Library], store_mode: dict[str, Any], tmp_path: Path
) -> None:
    lib = make_library(data_dir=tmp_path / "d", **store_mode)
    lib.ingest([CORPUS], [TIMED])
    ids = lib.keyword.ids()
    config, embedder = lib.config, lib.embedder
    lib.close()
    # A keyword index that lost its files: rebuild starts it over from the transcripts.
    for f in keyword_path(config).glob("*.idx"):
        f.unlink()
    with pytest.raises(InconsistentStoreError, match=r"keyword index .* unreadable"):
        build_library(config, embedder)
    rebuilt, report = rebuild_library(config, [], [TIMED], embedder)
    assert len(report.ingested) == 8
    assert rebuilt.keyword.ids() == ids
    consistent(rebuilt)
    rebuilt.close()


def test_filters_apply_inside_the_keyword_index(make_library: Callable[..., Library]) -> None:
    lib = make_library()
    lib.ingest([CORPUS], [TIMED])
    words = "people government president"
    every = keyword_videos(lib, words)
    info = lib.catalog.videos(sorted(every))
    assert len(info) >= 2
    some = next(iter(info.values()))
    by_channel = keyword_videos(lib, words, SearchFilters(channel=some.channel.upper()))
    assert by_channel == {v for v, i in info.items() if i.channel == some.channel}
    day = SearchFilters(since=some.published, until=some.published)
    assert keyword_videos(lib, words, day) == {
        v for v, i in info.items() if i.published == some.published
    }
    assert keyword_videos(lib, words, SearchFilters(video_id=some.video_id)) == {some.video_id}


def test_vocabulary_follows_ingests_without_reloading(
    make_library: Callable[..., Library], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lib = make_library()
    folder = tmp_path / "in"
    files = copy_corpus(folder, 4)
    lib.ingest([folder])
    analyser = lib.searcher.analyser
    before = dict(analyser.vocabulary().doc_count)
    loads = {"n": 0}
    real_counts = Catalog.term_counts

    def counted(self: Catalog) -> tuple[int, dict[str, int]]:
        loads["n"] += 1
        return real_counts(self)

    monkeypatch.setattr(Catalog, "term_counts", counted)
    for f in sorted(CORPUS.glob("*.txt"))[4:]:
        shutil.copy(f, folder)
    files[0].write_text(files[0].read_text().replace("<doc>\n", "<doc>\nzanzibarian "))
    report = lib.ingest([folder])
    assert len(report.ingested) == 5

    vocab = analyser.vocabulary()
    assert loads["n"] == 0, "the vocabulary was reloaded instead of updated"
    fresh = real_counts(lib.catalog)[1]
    assert vocab.doc_count == {t: n for t, n in fresh.items() if t} != before
    assert vocab.n_chunks == lib.catalog.chunk_count()
    assert vocab.doc_count["zanzibarian"] == 1
    assert "zanzibarian" in {v.term for v in vocab.variants("zanzibarien")}
