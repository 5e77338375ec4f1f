"""A small least-recently-used cache of what was read from the catalog (a video's text or windows,
a filter's vectors), dropped whenever the catalog changes."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
T = TypeVar("T")


class CatalogCache(Generic[K, T]):
    """Keeps what was read for the last `size` keys; any catalog change empties it."""

    def __init__(
        self,
        load: Callable[[K], T | None],
        generation: Callable[[], Hashable],
        size: int = 64,
    ) -> None:
        self._load = load
        self._generation = generation
        self._size = size
        self._items: OrderedDict[K, T] = OrderedDict()
        self._seen: Hashable = None
        self._lock = threading.Lock()

    def get(self, key: K) -> T | None:
        """The value for `key`, from the cache if the catalog has not changed since it was read."""
        generation = self._generation()
        with self._lock:
            if generation != self._seen:
                # A re-ingested video has new words: stale text would quote words it no longer has.
                self._items.clear()
                self._seen = generation
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
                return value
        value = self._load(key)
        if value is not None:
            with self._lock:
                if generation == self._seen:
                    self._items[key] = value
                    while len(self._items) > self._size:
                        self._items.popitem(last=False)
        return value
