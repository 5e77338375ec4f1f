"""One SQLite connection shared across threads: WAL, a lock, and atomic transactions."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

from store.errors import NotWritableError
from store.index.writable import write_problem


class SqliteDatabase:
    """A database file with its schema applied; safe to call from worker threads.

    With `read_only`, an existing file that cannot be written (read-only mount, permissions) is
    opened for reading instead of failing; otherwise such a file raises NotWritableError.
    """

    def __init__(self, path: Path | str, schema: str, read_only: bool = False) -> None:
        self.path = str(path)
        problem = None if self.path == ":memory:" else write_problem(Path(self.path))
        self.read_only = problem is not None
        if problem is not None and not (read_only and Path(self.path).is_file()):
            raise NotWritableError(
                f"cannot write {self.path}: {problem}; SQLite writes the file and its -wal/-shm"
                " files beside it, so make that folder writable or choose another data folder"
            )
        self._lock = threading.RLock()
        if self.read_only:
            self._conn = _connect_read_only(Path(self.path))
            return
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        try:
            with self._lock:
                self._conn.execute("PRAGMA journal_mode=WAL")
                self._conn.execute("PRAGMA synchronous=NORMAL")
                self._conn.execute("PRAGMA foreign_keys=ON")
                self._conn.executescript(schema)
        except sqlite3.DatabaseError:
            self._conn.close()
            raise

    def close(self) -> None:
        """Close the connection."""
        with self._lock:
            self._conn.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One atomic write: committed on success, rolled back on any error."""
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    def _query(self, sql: str, params: Sequence[object] = ()) -> list[Any]:
        with self._lock:
            return self._conn.execute(sql, params).fetchall()


def _connect_read_only(path: Path) -> sqlite3.Connection:
    """A read-only connection to a file this process may not write."""
    uri = "file:" + quote(str(path.absolute()))
    conn = sqlite3.connect(f"{uri}?mode=ro", uri=True, check_same_thread=False)
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchall()
        return conn
    except sqlite3.OperationalError:
        # A WAL database without its -shm file cannot be opened read-only unless declared
        # immutable; no writer is running (it would have made the -shm file), so that is safe.
        conn.close()
    return sqlite3.connect(f"{uri}?immutable=1", uri=True, check_same_thread=False)
