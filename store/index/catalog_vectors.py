"""The catalog's copies of the chunks' vectors: sparse (for the reranker), dense (for the exact
scan)."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

import numpy as np

from store.encoders.embedder import Vectors
from store.index.catalog_schema import CatalogState, filter_sql
from store.index.exact_dense import pack_matrix, unpack_matrix
from store.records import SearchFilters
from store.sparse import SparseVector


class VectorCopies(CatalogState):
    """Sparse vectors per chunk and a packed dense matrix per video, beside the chunks."""

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
                    write_dense_copy(c, vid, ids, np.stack([vectors[i] for i in ids]))
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


def write_dense_copy(
    c: sqlite3.Connection, video_id: str, ids: Sequence[str], vectors: Vectors
) -> None:
    """Store a video's dense vectors (rows in `ids` order) as one packed matrix, inside `c`."""
    c.execute(
        "INSERT OR REPLACE INTO video_dense (video_id, n, ids, vecs) VALUES (?,?,?,?)",
        (video_id, len(ids), "\n".join(ids), pack_matrix(vectors)),
    )
