"""SQLite catalog: videos, chunks and their text, index-term counts, and store state."""

from __future__ import annotations

import json
import logging
import os
import sqlite3
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from store.encoders.embedder import Vectors
from store.errors import InconsistentStoreError
from store.index.exact_dense import pack_matrix, unpack_matrix
from store.index.sqlite_db import SqliteDatabase
from store.records import Chunk, ChunkRow, SearchFilters, Transcript, VideoInfo, VideoText
from store.sparse import SparseVector
from store.text import fold

log = logging.getLogger(__name__)

# The index terms of a text (store.index.keyword_terms.index_terms): what term counts are kept of.
TermFn = Callable[[str], Iterable[str]]
# Recent term-count changes kept for searchers to catch up with (one row per committed video);
# a searcher further behind reloads the counts whole.
TERM_LOG_ROWS = 2000
SCHEMA = """
CREATE TABLE IF NOT EXISTS videos (
    video_id     TEXT PRIMARY KEY,
    title        TEXT NOT NULL,
    channel      TEXT NOT NULL,
    published    TEXT NOT NULL,
    n_words      INTEGER NOT NULL,
    timed        INTEGER NOT NULL,
    content_hash TEXT NOT NULL,
    state        TEXT NOT NULL CHECK (state IN ('pending', 'done')),
    source       TEXT NOT NULL,
    ingested_at  TEXT NOT NULL,
    text         TEXT NOT NULL,
    word_starts  BLOB,
    url          TEXT NOT NULL DEFAULT ''  -- page of the video; '' = YouTube by its id
);
CREATE INDEX IF NOT EXISTS videos_state ON videos(state, ingested_at);
-- Filters: without these a channel or date filter reads every video row (35 ms at 45k videos).
CREATE INDEX IF NOT EXISTS videos_channel ON videos(channel COLLATE NOCASE);
CREATE INDEX IF NOT EXISTS videos_done_published ON videos(state, published);
CREATE TABLE IF NOT EXISTS chunks (
    rowid      INTEGER PRIMARY KEY,
    id         TEXT NOT NULL UNIQUE,
    video_id   TEXT NOT NULL REFERENCES videos(video_id),
    start_word INTEGER NOT NULL,
    end_word   INTEGER NOT NULL,
    start_s    REAL
);
CREATE INDEX IF NOT EXISTS chunks_video ON chunks(video_id, start_word);
-- Each chunk's text, folded (see store.text.fold) as the keyword index is fed it.
CREATE TABLE IF NOT EXISTS chunk_text (rowid INTEGER PRIMARY KEY, text TEXT NOT NULL);
-- How many chunks of searchable videos say each index term (term '' counts every chunk),
-- kept in the transaction that commits or deletes a video; `term_log` holds the latest changes
-- so that a searcher updates its vocabulary instead of reloading it.
CREATE TABLE IF NOT EXISTS term_docs (term TEXT PRIMARY KEY, docs INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS term_log (seq INTEGER PRIMARY KEY AUTOINCREMENT, delta TEXT NOT NULL);
-- Each chunk's learned sparse vector (SPLADE), keyed by the chunk's rowid and written in the same
-- transaction as the chunk; a chunk without one (a store from before, or a new sparse model) is
-- filled in by the next ingest.
CREATE TABLE IF NOT EXISTS chunk_sparse (rowid INTEGER PRIMARY KEY, vec BLOB NOT NULL);
-- A bfloat16 copy of each video's chunk vectors (the ones Chroma holds), written in the same
-- transaction as its chunks: a selective filter ranks its few chunks exactly from here instead
-- of asking the HNSW index. One row per video, because a filter selects whole videos and one
-- blob of a video's rows reads ten times faster than a row per chunk. A store from before gets
-- the copies from Chroma's stored vectors at the next ingest; until then Chroma answers.
CREATE TABLE IF NOT EXISTS video_dense (
    video_id TEXT PRIMARY KEY,
    n        INTEGER NOT NULL,  -- chunks, read without the blob to size a filter
    ids      TEXT NOT NULL,     -- chunk ids, newline-separated, in the order of the rows below
    vecs     BLOB NOT NULL      -- n x dimension bfloat16, unit rows (store.index.exact_dense)
);
CREATE TABLE IF NOT EXISTS state (key TEXT PRIMARY KEY, value TEXT NOT NULL);
-- Vector ids a committed re-ingest made stale; deleted from Chroma after the commit, and
-- again at the next start if the process died in between.
CREATE TABLE IF NOT EXISTS stale_vectors (id TEXT PRIMARY KEY);
"""


def now_iso() -> str:
    """The current UTC time as an ISO string with seconds."""
    return datetime.now(UTC).isoformat(timespec="seconds")


_VIDEO_MARKS = ",".join("?" * 13)  # the columns of `videos`, in table order


def _video_row(
    t: Transcript, content_hash: str, now: str, *, searchable: bool
) -> tuple[object, ...]:
    # A pending row keeps its text and timings empty: nothing reads it until it is 'done'.
    return (
        t.video_id,
        t.title,
        t.channel,
        t.published,
        len(t.words),
        int(t.is_timed),
        content_hash,
        "done" if searchable else "pending",
        stored_source(t.source),
        now,
        t.text if searchable else "",
        _pack_starts(t.word_starts) if searchable else None,
        t.url,
    )


def _pack_starts(starts: Sequence[float | None] | None) -> bytes | None:
    if starts is None:
        return None
    return np.array([np.nan if s is None else s for s in starts], dtype=np.float32).tobytes()


def _unpack_starts(blob: bytes | None) -> tuple[float | None, ...] | None:
    if blob is None:
        return None
    # Plain floats first: a NaN test per numpy scalar cost ~5 ms a search (five videos).
    values: list[float] = np.frombuffer(blob, dtype=np.float32).astype(np.float64).tolist()
    return tuple(None if x != x else x for x in values)  # NaN (x != x): start unknown


def filter_sql(filters: SearchFilters, alias: str = "v") -> tuple[str, list[object]]:
    """A SQL condition (and its parameters) restricting videos to the filters."""
    parts = [f"{alias}.state = 'done'"]
    params: list[object] = []
    if filters.channel:
        parts.append(f"{alias}.channel = ? COLLATE NOCASE")
        params.append(filters.channel)
    if filters.since:
        parts.append(f"{alias}.published >= ?")
        params.append(filters.since)
    if filters.until:  # an unknown date ('') is in no date range
        parts.append(f"{alias}.published <= ? AND {alias}.published <> ''")
        params.append(filters.until)
    if filters.video_id:
        parts.append(f"{alias}.video_id = ?")
        params.append(filters.video_id)
    return " AND ".join(parts), params


class Catalog(SqliteDatabase):
    """The relational side of the store. Thread-safe: one connection behind a lock."""

    def __init__(
        self, path: Path | str, read_only: bool = False, terms: TermFn | None = None
    ) -> None:
        """Open (or create) the catalog; `read_only` allows reading a file that cannot be written.
        `terms` gives a text's index terms (default: store.index.keyword_terms.index_terms).

        Raises NotWritableError when it must be written but cannot, InconsistentStoreError when
        it is not a readable catalog.
        """
        if terms is None:
            from store.index.keyword_terms import index_terms

            terms = index_terms
        self._terms = terms
        try:
            super().__init__(path, SCHEMA, read_only)
            self._query("SELECT count(*) FROM videos")
            if not read_only:
                self._add_url_column()
                self._drop_fts()
        except sqlite3.DatabaseError as exc:
            raise InconsistentStoreError(
                f"the catalog {path} is unreadable ({exc}); run `newsreel rebuild PATH…`"
                " to rebuild it from the transcripts"
            ) from exc

    def _add_url_column(self) -> None:
        # Catalogs made before videos had a page url: their videos are all YouTube ones.
        columns = {str(r[1]) for r in self._query("PRAGMA table_info(videos)")}
        if "url" not in columns:
            with self.transaction() as c:
                c.execute("ALTER TABLE videos ADD COLUMN url TEXT NOT NULL DEFAULT ''")

    def _drop_fts(self) -> None:
        # Catalogs made before the keyword index moved to tantivy kept chunk text in FTS5: the
        # text moves to `chunk_text`; the keyword index and term counts are refilled by ingest.
        tables = {str(r[0]) for r in self._query("SELECT name FROM sqlite_master")}
        if "chunks_fts" not in tables:
            return
        log.info("moving chunk text out of the FTS5 table (once)")
        with self.transaction() as c:
            c.execute("INSERT OR REPLACE INTO chunk_text SELECT rowid, text FROM chunks_fts")
            c.execute("DROP TABLE IF EXISTS chunks_vocab")
            c.execute("DROP TABLE chunks_fts")
            c.execute("DELETE FROM state WHERE key = 'keyword_index'")

    # --- ingest state -------------------------------------------------------------------

    def content_hash(self, video_id: str) -> tuple[str, str] | None:
        """(content hash, state) of a video, or None when unknown."""
        rows = self._query("SELECT content_hash, state FROM videos WHERE video_id = ?", (video_id,))
        return (str(rows[0][0]), str(rows[0][1])) if rows else None

    def hash_by_source(self) -> dict[str, tuple[str, str, str]]:
        """source path → (video id, content hash, state), to skip unchanged files before parsing."""
        rows = self._query("SELECT source, video_id, content_hash, state FROM videos")
        return {str(r[0]): (str(r[1]), str(r[2]), str(r[3])) for r in rows}

    def mark_pending(self, t: Transcript) -> None:
        """Record a new video as being ingested: not searchable until `commit_video`."""
        with self.transaction() as c:
            c.execute(
                f"INSERT INTO videos VALUES ({_VIDEO_MARKS}) ON CONFLICT(video_id) DO NOTHING",
                _video_row(t, "", now_iso(), searchable=False),
            )

    def commit_video(
        self,
        t: Transcript,
        content_hash: str,
        chunks: Sequence[Chunk],
        context: str,
        sparse: Sequence[SparseVector] | None = None,
        dense: Vectors | None = None,
    ) -> list[str]:
        """Replace a video's metadata, chunks, keyword index and sparse vectors atomically.

        `sparse` and `dense`, when given, hold one vector (or matrix row) per chunk; `dense`
        is stored as its bfloat16 copy. Marks the video searchable. Returns
        the ids of its previous chunks that the new version no longer has: they are also queued
        in `stale_vectors` so that a crash cannot leave them behind in Chroma.
        """
        new_ids = {ch.id for ch in chunks}
        added = Counter(t for ch in chunks for t in set(self._terms(ch.text)))
        added[""] = len(chunks)
        with self.transaction() as c:
            delta = added - Counter()
            delta.subtract(self._video_terms(c, t.video_id))
            old_ids = [
                str(r[0])
                for r in c.execute("SELECT id FROM chunks WHERE video_id=?", (t.video_id,))
            ]
            stale = [i for i in old_ids if i not in new_ids]
            c.executemany("INSERT OR IGNORE INTO stale_vectors VALUES (?)", [(i,) for i in stale])
            self._delete_chunks(c, t.video_id)
            now = now_iso()
            c.execute(
                f"""INSERT INTO videos VALUES ({_VIDEO_MARKS})
                ON CONFLICT(video_id) DO UPDATE SET title=excluded.title,
                channel=excluded.channel, published=excluded.published,
                n_words=excluded.n_words, timed=excluded.timed,
                content_hash=excluded.content_hash, state='done', source=excluded.source,
                ingested_at=excluded.ingested_at, text=excluded.text,
                word_starts=excluded.word_starts, url=excluded.url""",
                _video_row(t, content_hash, now, searchable=True),
            )
            for i, ch in enumerate(chunks):
                cur = c.execute(
                    "INSERT INTO chunks (id, video_id, start_word, end_word, start_s)"
                    " VALUES (?,?,?,?,?)",
                    (ch.id, ch.video_id, ch.start_word, ch.end_word, ch.start_s),
                )
                c.execute(
                    "INSERT INTO chunk_text (rowid, text) VALUES (?,?)",
                    # Folded (Orbán → orban, ά → α) as queries are: see store.text.fold.
                    (cur.lastrowid, fold(ch.text)),
                )
                if sparse is not None:
                    c.execute(
                        "INSERT INTO chunk_sparse (rowid, vec) VALUES (?,?)",
                        (cur.lastrowid, sparse[i].pack()),
                    )
            if dense is not None:
                _put_dense(c, t.video_id, [ch.id for ch in chunks], dense)
            c.execute(
                "INSERT INTO state VALUES ('last_ingest', ?)"
                " ON CONFLICT(key) DO UPDATE SET value=excluded.value",
                (now,),
            )
            self._count_terms(c, delta)
        return stale

    def _video_terms(self, c: sqlite3.Connection, video_id: str) -> Counter[str]:
        """Term counts of a video's chunks as the catalog holds them now (none when pending)."""
        rows = c.execute(
            "SELECT t.text FROM chunks ch JOIN videos v USING (video_id)"
            " JOIN chunk_text t ON t.rowid = ch.rowid WHERE ch.video_id = ? AND v.state = 'done'",
            (video_id,),
        ).fetchall()
        if not rows:
            return Counter()
        counts = Counter(t for r in rows for t in set(self._terms(str(r[0]))))
        counts[""] = len(rows)
        return counts

    @staticmethod
    def _count_terms(c: sqlite3.Connection, delta: Mapping[str, int]) -> None:
        changed = {t: d for t, d in delta.items() if d}
        if not changed:
            return
        c.executemany(
            "INSERT INTO term_docs VALUES (?, ?)"
            " ON CONFLICT(term) DO UPDATE SET docs = docs + excluded.docs",
            changed.items(),
        )
        gone = [(t,) for t, d in changed.items() if d < 0]
        c.executemany("DELETE FROM term_docs WHERE term = ? AND docs <= 0", gone)
        cur = c.execute("INSERT INTO term_log (delta) VALUES (?)", (json.dumps(changed),))
        c.execute("DELETE FROM term_log WHERE seq <= ?", (int(cur.lastrowid or 0) - TERM_LOG_ROWS,))

    def stale_vector_ids(self) -> list[str]:
        """Vector ids queued for deletion from Chroma."""
        return [str(r[0]) for r in self._query("SELECT id FROM stale_vectors")]

    def clear_stale(self, ids: Sequence[str]) -> None:
        """Forget stale vector ids once Chroma has deleted them."""
        with self.transaction() as c:
            c.executemany("DELETE FROM stale_vectors WHERE id=?", [(i,) for i in ids])

    def sources(self) -> list[str]:
        """The transcript files the catalog was built from (absolute paths, except in stores
        written before sources were stored absolute and not re-ingested since)."""
        return [str(r[0]) for r in self._query("SELECT DISTINCT source FROM videos")]

    def move_sources(self, moved: Mapping[str, str]) -> None:
        """Record new paths for transcript files ({video id: source}), content unchanged."""
        with self.transaction() as c:
            c.executemany(
                "UPDATE videos SET source=? WHERE video_id=?",
                [(src, vid) for vid, src in moved.items()],
            )

    def video_chunk_ids(self, video_id: str) -> list[str]:
        """Ids of one video's chunks."""
        return [
            str(r[0])
            for r in self._query(
                "SELECT id FROM chunks WHERE video_id=? ORDER BY start_word", (video_id,)
            )
        ]

    @staticmethod
    def _delete_chunks(c: sqlite3.Connection, video_id: str) -> None:
        for table in ("chunk_text", "chunk_sparse"):
            c.execute(
                f"DELETE FROM {table} WHERE rowid IN (SELECT rowid FROM chunks WHERE video_id=?)",
                (video_id,),
            )
        c.execute("DELETE FROM video_dense WHERE video_id=?", (video_id,))
        c.execute("DELETE FROM chunks WHERE video_id=?", (video_id,))

    def delete_video(self, video_id: str) -> None:
        """Remove a video and everything indexed for it."""
        with self.transaction() as c:
            gone = Counter[str]()
            gone.subtract(self._video_terms(c, video_id))
            self._delete_chunks(c, video_id)
            c.execute("DELETE FROM videos WHERE video_id=?", (video_id,))
            self._count_terms(c, gone)

    def pending_videos(self) -> list[str]:
        """Videos whose ingest started but did not finish."""
        return [str(r[0]) for r in self._query("SELECT video_id FROM videos WHERE state='pending'")]

    def get_state(self, key: str) -> str | None:
        """A value from the key/value state table."""
        rows = self._query("SELECT value FROM state WHERE key=?", (key,))
        return str(rows[0][0]) if rows else None

    def timings_dirs(self) -> list[Path]:
        """The timings folders earlier ingests were given (absolute, oldest first)."""
        raw = self.get_state("timings_dirs")
        return [Path(p) for p in json.loads(raw)] if raw else []

    def remember_timings_dirs(self, dirs: Sequence[Path]) -> None:
        """Add timings folders to those remembered (made absolute; duplicates dropped), so a
        later ingest or rebuild that is not given them still finds each video's cue times."""
        known = self.timings_dirs()
        new = [d for d in dict.fromkeys(Path(d).resolve() for d in dirs) if d not in known]
        if new:
            self.set_state("timings_dirs", json.dumps([str(d) for d in [*known, *new]]))

    # --- sparse vectors -----------------------------------------------------------------

    def chunks_without_sparse(self, limit: int) -> list[tuple[str, str, str]]:
        """Up to `limit` (chunk id, video title, chunk text) of chunks that lack a sparse vector."""
        rows = self._query(
            "SELECT c.id, v.title, f.text FROM chunks c"
            " JOIN videos v ON v.video_id = c.video_id"
            " JOIN chunk_text f ON f.rowid = c.rowid"
            " WHERE v.state = 'done' AND c.rowid NOT IN (SELECT rowid FROM chunk_sparse)"
            " LIMIT ?",
            (limit,),
        )
        return [(str(r[0]), str(r[1]), str(r[2])) for r in rows]

    def put_sparse(self, vectors: Sequence[tuple[str, SparseVector]]) -> None:
        """Store (or replace) the sparse vectors of existing chunks, in one transaction."""
        with self.transaction() as c:
            c.executemany(
                "INSERT OR REPLACE INTO chunk_sparse (rowid, vec)"
                " SELECT rowid, ? FROM chunks WHERE id = ?",
                [(v.pack(), cid) for cid, v in vectors],
            )

    def sparse_model(self) -> str | None:
        """The sparse model the stored vectors came from (None before any was stored)."""
        return self.get_state("sparse_model")

    def reset_sparse(self, model: str) -> None:
        """Forget every stored sparse vector and record `model` as the one to fill them with."""
        with self.transaction() as c:
            c.execute("DELETE FROM chunk_sparse")
            c.execute(
                "INSERT INTO state VALUES ('sparse_model', ?)"
                " ON CONFLICT(key) DO UPDATE SET value=excluded.value",
                (model,),
            )

    def sparse_vectors(self, chunk_ids: Sequence[str]) -> dict[str, SparseVector]:
        """The stored sparse vectors of the given chunks (chunks without one are left out)."""
        if not chunk_ids:
            return {}
        marks = ",".join("?" * len(chunk_ids))
        rows = self._query(
            "SELECT c.id, s.vec FROM chunks c CROSS JOIN chunk_sparse s ON s.rowid = c.rowid"
            f" WHERE c.id IN ({marks})",
            list(chunk_ids),
        )
        return {str(r[0]): SparseVector.unpack(r[1]) for r in rows}

    def video_windows(self, video_id: str) -> list[tuple[str, int, int, SparseVector | None]]:
        """Every chunk of a video in order: (id, start word, end word, sparse vector or None)."""
        rows = self._query(
            "SELECT c.id, c.start_word, c.end_word, s.vec FROM chunks c"
            " LEFT JOIN chunk_sparse s ON s.rowid = c.rowid"
            " WHERE c.video_id = ? ORDER BY c.start_word",
            (video_id,),
        )
        return [
            (str(r[0]), int(r[1]), int(r[2]), None if r[3] is None else SparseVector.unpack(r[3]))
            for r in rows
        ]

    def warm_up(self) -> None:
        """Read the tables every search touches, so their pages are in the OS cache."""
        for table in ("videos", "chunks", "chunk_sparse", "video_dense"):
            self._query(f"SELECT count(*) FROM {table}")

    # --- dense vector copies ------------------------------------------------------------

    def videos_without_dense(self, limit: int) -> list[str]:
        """Up to `limit` searchable videos that lack the bfloat16 copy of their vectors."""
        rows = self._query(
            "SELECT video_id FROM videos WHERE state='done'"
            " AND video_id NOT IN (SELECT video_id FROM video_dense) LIMIT ?",
            (limit,),
        )
        return [str(r[0]) for r in rows]

    def put_dense(self, video_ids: Sequence[str], vectors: dict[str, Vectors]) -> int:
        """Store the bfloat16 copies of the videos whose every chunk is in `vectors` (chunk id
        → vector); returns how many videos were written."""
        written = 0
        with self.transaction() as c:
            for vid in video_ids:
                ids = [
                    str(r[0])
                    for r in c.execute(
                        "SELECT id FROM chunks WHERE video_id=? ORDER BY start_word", (vid,)
                    )
                ]
                if all(i in vectors for i in ids):
                    _put_dense(c, vid, ids, np.stack([vectors[i] for i in ids]))
                    written += 1
        return written

    def dense_copy(self, video_id: str, dimension: int) -> tuple[list[str], Vectors] | None:
        """(chunk ids, float32 unit rows) of one searchable video's stored vector copies; None
        when it has none or they are not `dimension`-d."""
        rows = self._query(
            "SELECT d.ids, d.vecs, d.n FROM video_dense d JOIN videos v"
            " ON v.video_id = d.video_id WHERE d.video_id=? AND v.state='done' AND d.n > 0",
            (video_id,),
        )
        if not rows:
            return None
        ids = str(rows[0][0]).split("\n")
        try:
            return ids, unpack_matrix(rows[0][1], len(ids), dimension)
        except ValueError:
            return None

    def filtered_size(self, filters: SearchFilters, limit: int) -> int | None:
        """How many searchable chunks pass the filters, counted up to `limit` + 1 (so a broad
        filter costs little); None when a passing video has no stored copy of its vectors (a
        store from before the copies, until the next ingest fills them in)."""
        cond, params = filter_sql(filters)
        passing = 0
        with self._lock:
            # Only each row's head is read (n), never its blob.
            sizes = self._conn.execute(
                "SELECT d.n FROM videos v LEFT JOIN video_dense d ON d.video_id = v.video_id"
                f" WHERE {cond}",
                params,
            )
            for (n,) in sizes:
                if n is None:
                    return None
                passing += int(n)
                if passing > limit:
                    break
        return passing

    def filtered_vectors(
        self, filters: SearchFilters, dimension: int
    ) -> tuple[list[str], Vectors] | None:
        """(chunk ids, float32 matrix) of the stored copies of every searchable chunk that
        passes the filters; None when the copies are not `dimension`-d (another model's)."""
        cond, params = filter_sql(filters)
        rows = self._query(
            "SELECT d.ids, d.vecs FROM videos v CROSS JOIN video_dense d"
            f" ON d.video_id = v.video_id WHERE {cond} AND d.n > 0",
            params,
        )
        ids = [cid for r in rows for cid in str(r[0]).split("\n")]
        try:
            matrix = unpack_matrix(b"".join(r[1] for r in rows), len(ids), dimension)
        except ValueError:
            return None
        return ids, matrix

    # --- reads --------------------------------------------------------------------------

    def video(self, video_id: str) -> VideoInfo | None:
        """Metadata of one searchable video."""
        found = self.videos([video_id])
        return found.get(video_id)

    def videos(self, video_ids: Sequence[str]) -> dict[str, VideoInfo]:
        """Metadata of the searchable videos among `video_ids`."""
        if not video_ids:
            return {}
        marks = ",".join("?" * len(video_ids))
        rows = self._query(
            "SELECT video_id, title, channel, published, n_words, timed, ingested_at, source, url"
            f" FROM videos WHERE state='done' AND video_id IN ({marks})",
            list(video_ids),
        )
        return {str(r[0]): _video_info(r) for r in rows}

    def latest(self, limit: int = 10, channel: str | None = None) -> list[VideoInfo]:
        """The most recently ingested searchable videos, newest first."""
        cond, params = filter_sql(SearchFilters(channel=channel))
        rows = self._query(
            "SELECT video_id, title, channel, published, n_words, timed, ingested_at, source, url"
            f" FROM videos v WHERE {cond} ORDER BY ingested_at DESC, published DESC LIMIT ?",
            [*params, limit],
        )
        return [_video_info(r) for r in rows]

    def ingested_since(self, iso_time: str) -> list[VideoInfo]:
        """Searchable videos ingested at or after `iso_time`, oldest first."""
        rows = self._query(
            "SELECT video_id, title, channel, published, n_words, timed, ingested_at, source, url"
            " FROM videos WHERE state='done' AND ingested_at >= ? ORDER BY ingested_at",
            (iso_time,),
        )
        return [_video_info(r) for r in rows]

    def has_word_times(self, video_id: str) -> bool:
        """True when the stored video knows when each word is said (links open at the second)."""
        rows = self._query(
            "SELECT word_starts IS NOT NULL FROM videos WHERE video_id=? AND state='done'",
            (video_id,),
        )
        return bool(rows and rows[0][0])

    def video_text(self, video_id: str) -> VideoText | None:
        """A video's words and word start times."""
        rows = self._query("SELECT text, word_starts FROM videos WHERE video_id=?", (video_id,))
        if not rows:
            return None
        text, blob = rows[0]
        return VideoText(video_id, tuple(str(text).split()), _unpack_starts(blob))

    def chunks(self, chunk_ids: Sequence[str]) -> dict[str, ChunkRow]:
        """Chunk rows (with text) for the ids that belong to searchable videos."""
        if not chunk_ids:
            return {}
        marks = ",".join("?" * len(chunk_ids))
        # CROSS JOIN pins the join order (ids first): with ~100 ids the planner otherwise scans
        # every 'done' video and its chunks (220 ms at 1M chunks instead of 1 ms).
        rows = self._query(
            "SELECT c.id, c.video_id, c.start_word, c.end_word, c.start_s, f.text"
            " FROM chunks c CROSS JOIN videos v ON v.video_id = c.video_id"
            " CROSS JOIN chunk_text f ON f.rowid = c.rowid"
            f" WHERE v.state='done' AND c.id IN ({marks})",
            list(chunk_ids),
        )
        return {str(r[0]): _chunk_row(r) for r in rows}

    def generation(self) -> tuple[int, int]:
        """Changes when the catalog changes (this connection's writes or another process's)."""
        with self._lock:
            version = self._conn.execute("PRAGMA data_version").fetchone()[0]
            return int(version), self._conn.total_changes

    # --- term counts (the keyword index's statistics) ---------------------------------------

    def term_counts(self) -> tuple[int, dict[str, int]]:
        """(log position, {index term: chunks holding it}); term '' counts every chunk."""
        with self._lock:
            seq = self._conn.execute("SELECT coalesce(max(seq), 0) FROM term_log").fetchone()[0]
            rows = self._conn.execute("SELECT term, docs FROM term_docs").fetchall()
        return int(seq), {str(r[0]): int(r[1]) for r in rows}

    def term_changes(self, since: int) -> tuple[int, list[dict[str, int]]] | None:
        """(log position, term-count changes after position `since`, oldest first), or None
        when they cannot be replayed (the log was cut or recounted): reload `term_counts`."""
        with self._lock:
            lo, hi = self._conn.execute("SELECT min(seq), max(seq) FROM term_log").fetchone()
            if hi is None or hi == since:
                return (since, []) if (hi is None and since == 0) or hi == since else None
            if hi < since or lo > since + 1:
                return None
            rows = self._conn.execute(
                "SELECT seq, delta FROM term_log WHERE seq > ? ORDER BY seq", (since,)
            ).fetchall()
        deltas = [json.loads(r[1]) for r in rows]
        if any(d is None for d in deltas):  # a recount: nothing to replay
            return None
        return int(rows[-1][0]), deltas

    def keyword_docs(self, batch: int = 20_000) -> Iterator[list[tuple[str, ...]]]:
        """Every chunk as (chunk id, video id, channel, published, text, context), in batches
        read one at a time: what the keyword index is refilled from."""
        after = -1
        while rows := self._query(
            "SELECT c.rowid, c.id, c.video_id, v.channel, v.published, t.text, v.title"
            " FROM chunks c JOIN videos v ON v.video_id = c.video_id"
            " JOIN chunk_text t ON t.rowid = c.rowid WHERE c.rowid > ? ORDER BY c.rowid LIMIT ?",
            (after, batch),
        ):
            after = int(rows[-1][0])
            yield [
                (str(r[1]), str(r[2]), str(r[3]), str(r[4]), str(r[5]), context_text(r[6], r[3]))
                for r in rows
            ]

    def recount_terms(self) -> int:
        """Recompute every term count from the chunk text (slow: a check, or a repair)."""
        counts: Counter[str] = Counter()
        for docs in self.keyword_docs():
            for doc in docs:
                counts.update(set(self._terms(doc[4])))
            counts[""] += len(docs)
        self.set_term_counts(counts)
        return counts[""]

    def set_term_counts(self, counts: Mapping[str, int]) -> None:
        """Replace every term count ('' = chunks); searchers reload them whole."""
        with self.transaction() as c:
            c.execute("DELETE FROM term_docs")
            c.executemany("INSERT INTO term_docs VALUES (?, ?)", counts.items())
            # Readers cannot replay a reset: its log row ('null') makes them reload.
            c.execute("DELETE FROM term_log")
            c.execute("INSERT INTO term_log (delta) VALUES ('null')")

    def set_state(self, key: str, value: str) -> None:
        """Store a value in the key/value state table."""
        with self.transaction() as c:
            c.execute(
                "INSERT INTO state VALUES (?, ?)"
                " ON CONFLICT(key) DO UPDATE SET value=excluded.value",
                (key, value),
            )

    def chunk_count(self) -> int:
        """Chunks of searchable videos."""
        rows = self._query(
            "SELECT count(*) FROM chunks c JOIN videos v ON v.video_id=c.video_id"
            " WHERE v.state='done'"
        )
        return int(rows[0][0])

    def chunk_rows(self) -> int:
        """Chunks of every video, searchable or not (to compare with the vector count)."""
        return int(self._query("SELECT count(*) FROM chunks")[0][0])

    def chunk_ids(self) -> set[str]:
        """Ids of every chunk the catalog holds."""
        return {str(r[0]) for r in self._query("SELECT id FROM chunks")}

    def stats(self) -> dict[str, object]:
        """The `stats --json` object."""
        videos = self._query("SELECT count(*) FROM videos WHERE state='done'")[0][0]
        channels = dict(
            self._query(
                "SELECT channel, count(*) FROM videos WHERE state='done'"
                " GROUP BY channel ORDER BY count(*) DESC"
            )
        )
        return {
            "videos": videos,
            "chunks": self.chunk_count(),
            "channels": channels,
            "last_ingest": self.get_state("last_ingest"),
        }

    def channels(self) -> list[str]:
        """Channel names of searchable videos, most videos first."""
        rows = self._query(
            "SELECT channel FROM videos WHERE state='done' GROUP BY channel ORDER BY count(*) DESC"
        )
        return [str(r[0]) for r in rows]

    def video_filter_ids(self, filters: SearchFilters) -> set[str]:
        """Ids of the searchable videos that pass the filters."""
        cond, params = filter_sql(filters)
        return {
            str(r[0]) for r in self._query(f"SELECT video_id FROM videos v WHERE {cond}", params)
        }


def _put_dense(c: sqlite3.Connection, video_id: str, ids: Sequence[str], vectors: Vectors) -> None:
    c.execute(
        "INSERT OR REPLACE INTO video_dense (video_id, n, ids, vecs) VALUES (?,?,?,?)",
        (video_id, len(ids), "\n".join(ids), pack_matrix(vectors)),
    )


def stored_source(source: str) -> str:
    """A transcript's path as the catalog keeps it: absolute, so `newsreel rebuild` finds the
    files from any folder ("" stays "": a transcript that came from no file)."""
    return os.path.abspath(source) if source else source


def context_text(title: str, channel: str) -> str:
    """A video's title and channel: context that both the embedding and the keyword index see."""
    return f"{title} ({channel})"


def _video_info(r: Any) -> VideoInfo:
    return VideoInfo(
        video_id=str(r[0]),
        title=str(r[1]),
        channel=str(r[2]),
        published=str(r[3]),
        n_words=int(r[4]),
        timed=bool(r[5]),
        ingested_at=str(r[6]),
        source=str(r[7]),
        url=str(r[8]),
    )


def _chunk_row(r: Any) -> ChunkRow:
    return ChunkRow(
        id=str(r[0]),
        video_id=str(r[1]),
        start_word=int(r[2]),
        end_word=int(r[3]),
        start_s=None if r[4] is None else float(r[4]),
        text=str(r[5]),
    )
