"""Chroma adapter: our own vectors in a cosine collection, embedded or against a server."""

from __future__ import annotations

import contextlib
import logging
import re
import shutil
import sqlite3
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote

import numpy as np

from store.encoders.embedder import Vectors
from store.errors import IndexUnavailableError, ModelMismatchError, NotWritableError
from store.index.writable import write_problem

log = logging.getLogger(__name__)

COLLECTION = "newsreel-chunks"
_SEGMENT_DIR = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
T = TypeVar("T")


@dataclass(frozen=True)
class ChunkMeta:
    """What Chroma stores beside each vector, so filters can run inside the index if needed."""

    video_id: str
    channel: str
    published: str  # YYYY-MM-DD

    def to_chroma(self) -> dict[str, str | int]:
        """Chroma metadata; the date as an int so range filters work."""
        return {
            "video_id": self.video_id,
            "channel": self.channel,
            "published": int(self.published.replace("-", "") or 0),  # 0: date unknown
        }


def _client_settings() -> Any:
    import chromadb

    return chromadb.Settings(anonymized_telemetry=False, allow_reset=False)


def connect_embedded(path: Path) -> Any:
    """A Chroma PersistentClient on a folder; NotWritableError when the folder is read-only."""
    import chromadb

    problem = write_problem(path) or write_problem(path / "chroma.sqlite3")
    if problem:
        # Chroma 1.5 writes its own SQLite database when it opens, even to answer a query.
        raise NotWritableError(
            f"cannot open the vector index {path}: {problem}; Chroma writes to its folder even"
            " to search, so copy the data folder somewhere writable, or serve it with"
            " `chroma run` ([store] mode = \"server\")"
        )
    path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(path), settings=_client_settings())


def connect_server(host: str, port: int) -> Any:
    """A Chroma HttpClient to a `chroma run` server."""
    import chromadb

    try:
        return chromadb.HttpClient(host=host, port=port, settings=_client_settings())
    except Exception as exc:  # chromadb raises plain ValueError/ConnectError here
        raise IndexUnavailableError(
            f"the Chroma server at {host}:{port} is unavailable ({exc.__class__.__name__})"
        ) from exc


class ChromaIndex:
    """The dense-vector side of the store."""

    def __init__(
        self,
        connect: Callable[[], Any],
        model_name: str,
        dimension: int,
        where: str = "chroma",
        ef_search: int = 128,
        folder: Path | None = None,
    ) -> None:
        # The client is made lazily (and remade after an outage) so a stopped server
        # becomes usable again without restarting Newsreel.
        self._connect = connect
        self._client: Any = None
        self._collection: Any = None
        self.model_name = model_name
        self.dimension = dimension
        self.where = where
        self.ef_search = ef_search
        self.folder = folder  # the embedded store's folder; None for a server
        # Calls share the client; `refresh` replaces it once none is running.
        self._users = 0
        self._idle = threading.Condition()

    def _open(self) -> Any:
        if self._collection is None:
            self._client = self._connect()
            col = self._client.get_or_create_collection(
                COLLECTION,
                embedding_function=None,
                metadata={"model": self.model_name, "dimension": self.dimension},
                configuration={"hnsw": {"space": "cosine", "ef_search": self.ef_search}},
            )
            meta = col.metadata or {}
            if meta.get("model") != self.model_name or meta.get("dimension") != self.dimension:
                raise ModelMismatchError(
                    f"the index at {self.where} was built with model {meta.get('model')!r}"
                    f" ({meta.get('dimension')}-d), not {self.model_name!r}"
                    f" ({self.dimension}-d): set [model] name back,"
                    " or re-ingest into a new data_dir"
                )
            self._collection = col
        return self._collection

    def _call(self, fn: Callable[[Any], T]) -> T:
        with self._idle:
            self._users += 1
        try:
            return self._run(fn)
        finally:
            with self._idle:
                self._users -= 1
                self._idle.notify_all()

    def refresh(self) -> None:
        """Re-open an embedded index so that it sees what another process wrote.

        Chroma's embedded client keeps its HNSW index in memory: after another process's writes
        its count rises, but its queries keep returning the old neighbours until this process
        writes itself. A server needs nothing."""
        if self.folder is None:
            return
        with self._idle:
            self._idle.wait_for(lambda: self._users == 0)
            client, self._client, self._collection = self._client, None, None
            if client is not None:
                with contextlib.suppress(Exception):
                    client.close()

    def _run(self, fn: Callable[[Any], T]) -> T:
        try:
            return fn(self._open())
        except (ModelMismatchError, IndexUnavailableError, NotWritableError):
            raise
        except Exception as exc:
            if _is_connection_error(exc):
                self._collection = None
                self._client = None
                raise IndexUnavailableError(
                    f"the vector index at {self.where} is unavailable right now"
                ) from exc
            raise

    def drop(self) -> None:
        """Delete the whole collection (for `newsreel rebuild`)."""
        client = self._client or self._connect()
        try:
            client.delete_collection(COLLECTION)
        except Exception as exc:
            if _is_connection_error(exc):
                raise IndexUnavailableError(
                    f"the vector index at {self.where} is unavailable right now"
                ) from exc
            # A missing collection is what we wanted anyway.
        self._collection = None
        self._client = None
        if self.folder is not None:
            remove_orphan_segments(self.folder)

    def check(self) -> None:
        """Open the collection now: connection and model mismatch errors surface here."""
        self._call(lambda col: col.count())

    def upsert(self, ids: Sequence[str], vectors: Vectors, metas: Sequence[ChunkMeta]) -> None:
        """Insert or replace vectors by id."""
        if not ids:
            return
        self._call(
            lambda col: col.upsert(
                ids=list(ids),
                embeddings=np.asarray(vectors, dtype=np.float32),
                metadatas=[m.to_chroma() for m in metas],
            )
        )

    def delete_video(self, video_id: str) -> None:
        """Remove every vector of one video."""
        self._call(lambda col: col.delete(where={"video_id": video_id}))

    def delete_ids(self, ids: Sequence[str]) -> None:
        """Remove vectors by id."""
        if ids:
            self._call(lambda col: col.delete(ids=list(ids)))

    def query(
        self, vector: Vectors, n: int, where: dict[str, Any] | None = None
    ) -> list[tuple[str, float]]:
        """(chunk id, cosine similarity) of the n nearest vectors, best first."""

        def run(col: Any) -> list[tuple[str, float]]:
            # No count() first: it costs 60 ms at 1M vectors, and Chroma 1.5 already returns
            # fewer results (or none) when the collection holds fewer than n.
            res = col.query(
                query_embeddings=np.asarray(vector, dtype=np.float32).reshape(1, -1),
                n_results=n,
                where=where,
                include=["distances"],
            )
            return [
                (i, 1.0 - float(d)) for i, d in zip(res["ids"][0], res["distances"][0], strict=True)
            ]

        return self._call(run)

    def vectors(self, ids: Sequence[str]) -> dict[str, Vectors]:
        """The stored vectors of `ids` (float32 rows; unknown ids omitted)."""
        if not ids:
            return {}

        def run(col: Any) -> dict[str, Vectors]:
            got = col.get(ids=list(ids), include=["embeddings"])
            mat = np.asarray(got["embeddings"], dtype=np.float32)
            return {i: mat[n] for n, i in enumerate(got["ids"])}

        return self._call(run)

    def similarities(self, vector: Vectors, ids: Sequence[str]) -> dict[str, float]:
        """Cosine similarity of `vector` to the stored vectors of `ids` (unknown ids omitted)."""
        if not ids:
            return {}

        def run(col: Any) -> dict[str, float]:
            got = col.get(ids=list(ids), include=["embeddings"])
            if not len(got["ids"]):
                return {}
            mat = np.asarray(got["embeddings"], dtype=np.float32)
            norms = np.linalg.norm(mat, axis=1) * float(np.linalg.norm(vector)) + 1e-9
            sims = mat @ np.asarray(vector, dtype=np.float32) / norms
            return {i: float(x) for i, x in zip(got["ids"], sims, strict=True)}

        return self._call(run)

    def count(self) -> int:
        """Number of vectors in the collection."""
        return int(self._call(lambda col: col.count()))

    def all_ids(self, batch: int = 20000) -> set[str]:
        """Every id in the collection (for consistency checks)."""

        def run(col: Any) -> set[str]:
            out: set[str] = set()
            offset = 0
            while True:
                got = col.get(include=[], limit=batch, offset=offset)
                out.update(got["ids"])
                if len(got["ids"]) < batch:
                    return out
                offset += batch

        return self._call(run)


def remove_orphan_segments(folder: Path) -> list[Path]:
    """Delete the segment folders of deleted collections from an embedded store; returns them.

    Chroma 1.5 drops a collection's rows but leaves its HNSW folder (named by segment id), so
    every rebuild would otherwise leave a copy of the old index behind.
    """
    try:
        with contextlib.closing(
            sqlite3.connect(f"file:{quote(str(folder / 'chroma.sqlite3'))}?mode=ro", uri=True)
        ) as db:
            live = {str(row[0]) for row in db.execute("SELECT id FROM segments")}
    except sqlite3.Error as exc:  # another Chroma layout: leave its files alone
        log.warning("could not list the segments of %s (%s); nothing removed", folder, exc)
        return []
    orphans = [
        p for p in folder.iterdir()
        if p.is_dir() and _SEGMENT_DIR.fullmatch(p.name) and p.name not in live
    ]
    for path in orphans:
        shutil.rmtree(path, ignore_errors=True)
    return orphans


def _is_connection_error(exc: BaseException) -> bool:
    """True for the transport errors a stopped Chroma server produces."""
    seen: BaseException | None = exc
    while seen is not None:
        name = type(seen).__name__
        if name in {
            "ConnectError",
            "ConnectTimeout",
            "ReadError",
            "RemoteProtocolError",
            "ConnectionError",
            "ConnectionRefusedError",
            "ReadTimeout",
            "PoolTimeout",
        }:
            return True
        if "Could not connect to a Chroma server" in str(seen):
            return True
        seen = seen.__cause__ or seen.__context__
    return False
