"""Another process's writes made visible to the vector index of a running one."""

from __future__ import annotations

import threading
from typing import Protocol

from store.index.catalog import Catalog


class Refreshable(Protocol):
    """An index that can re-read what another process wrote (`ChromaIndex`)."""

    def refresh(self) -> None:
        """Re-open the index."""
        ...


class IndexFreshness:
    """Re-opens the vector index when another process added vectors to the store.

    The catalog's `data_version` changes only with another connection's commits (a pragma read,
    ~µs); then its vector stamp (last ingest, newest chunk row) says whether vectors changed or
    only something else (a subscription's last poll, say)."""

    def __init__(self, catalog: Catalog, index: Refreshable) -> None:
        self.catalog = catalog
        self.index = index
        self._lock = threading.Lock()
        self._version = catalog.generation()[0]
        self._stamp = self._read_stamp()
        self.refreshes = 0

    def _read_stamp(self) -> tuple[str | None, int]:
        return self.catalog.get_state("last_ingest"), self.catalog.newest_chunk_row()

    def check(self) -> bool:
        """Re-open the index if another process ingested since the last check; whether it did."""
        version = self.catalog.generation()[0]
        if version == self._version:
            return False
        with self._lock:
            if version == self._version:
                return False
            stamp = self._read_stamp()
            changed = stamp != self._stamp
            if changed:
                self.index.refresh()
                self.refreshes += 1
            self._version, self._stamp = version, stamp
            return changed
