"""SQLite catalog: videos, chunks and their text, and store state; term counts and vector copies
are its parts in `catalog_terms` and `catalog_vectors`."""

from __future__ import annotations

import json
import logging
import sqlite3
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from store.encoders.embedder import Vectors
from store.errors import InconsistentStoreError
from store.index.catalog_schema import (
    SCHEMA,
    CatalogState,
    filter_sql,
    now_iso,
    stored_source,
)
from store.index.catalog_terms import TermCounts, TermFn
from store.index.catalog_vectors import VectorCopies, write_dense_copy
from store.records import Chunk, ChunkRow, SearchFilters, Transcript, VideoInfo, VideoText
from store.sparse import SparseVector
from store.text import fold

log = logging.getLogger(__name__)

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


class Catalog(TermCounts, VectorCopies, CatalogState):
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
                write_dense_copy(c, t.video_id, [ch.id for ch in chunks], dense)
            c.execute(
                "INSERT INTO state VALUES ('last_ingest', ?)"
                " ON CONFLICT(key) DO UPDATE SET value=excluded.value",
                (now,),
            )
            self._count_terms(c, delta)
        return stale

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

    def warm_up(self) -> None:
        """Read the tables every search touches, so their pages are in the OS cache."""
        for table in ("videos", "chunks", "chunk_sparse", "video_dense"):
            self._query(f"SELECT count(*) FROM {table}")

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

    def newest_chunk_row(self) -> int:
        """The rowid of the newest chunk row (0 when none): changes when chunks are written."""
        return int(self._query("SELECT coalesce(max(rowid), 0) FROM chunks")[0][0])

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

    def date_span(self, filters: SearchFilters) -> tuple[str, str] | None:
        """(first, last) publication date (YYYY-MM-DD) of the searchable videos passing the
        filters that have a date; None when there are none."""
        cond, params = filter_sql(filters)
        rows = self._query(
            f"SELECT min(published), max(published) FROM videos v WHERE {cond}"
            " AND v.published <> ''",
            params,
        )
        return (str(rows[0][0]), str(rows[0][1])) if rows and rows[0][0] else None

    def channels_in(self, filters: SearchFilters) -> list[str]:
        """Channel names of the searchable videos passing the filters, most videos first."""
        cond, params = filter_sql(filters)
        rows = self._query(
            f"SELECT channel FROM videos v WHERE {cond} GROUP BY channel"
            " ORDER BY count(*) DESC, channel",
            params,
        )
        return [str(r[0]) for r in rows]

    def video_filter_ids(self, filters: SearchFilters) -> set[str]:
        """Ids of the searchable videos that pass the filters."""
        cond, params = filter_sql(filters)
        return {
            str(r[0]) for r in self._query(f"SELECT video_id FROM videos v WHERE {cond}", params)
        }


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
