"""The catalog's tables, its key/value state, and the small SQL and text helpers its parts share."""

from __future__ import annotations

import os
from datetime import UTC, datetime

from store.index.sqlite_db import SqliteDatabase
from store.records import SearchFilters

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


def stored_source(source: str) -> str:
    """A transcript's path as the catalog keeps it: absolute, so `newsreel rebuild` finds the
    files from any folder ("" stays "": a transcript that came from no file)."""
    return os.path.abspath(source) if source else source


def context_text(title: str, channel: str) -> str:
    """A video's title and channel: context that both the embedding and the keyword index see."""
    return f"{title} ({channel})"


class CatalogState(SqliteDatabase):
    """The catalog's key/value state table (last ingest, models, folders): what every part reads."""

    def get_state(self, key: str) -> str | None:
        """A value from the key/value state table."""
        rows = self._query("SELECT value FROM state WHERE key=?", (key,))
        return str(rows[0][0]) if rows else None

    def set_state(self, key: str, value: str) -> None:
        """Store a value in the key/value state table."""
        with self.transaction() as c:
            c.execute(
                "INSERT INTO state VALUES (?, ?)"
                " ON CONFLICT(key) DO UPDATE SET value=excluded.value",
                (key, value),
            )

