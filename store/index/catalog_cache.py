"""A small least-recently-used cache of what was read from the catalog (a video's text or windows,
a filter's vectors), dropped whenever the catalog changes."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
T = TypeVar("T")


def _one(_: object) -> int:
    return 1


class CatalogCache(Generic[K, T]):
    """Keeps what was read for recent keys, up to `capacity` in the units of `weigh` (by default
    one per key; bytes for a memory budget); any catalog change empties it. The most recent value
    is kept even when it alone weighs more than the capacity."""

    def __init__(
        self,
        load: Callable[[K], T | None],
        generation: Callable[[], Hashable],
        capacity: int = 64,
        weigh: Callable[[T], int] = _one,
    ) -> None:
        self._load = load
        self._generation = generation
        self._capacity = capacity
        self._weigh = weigh
        self._items: OrderedDict[K, tuple[T, int]] = OrderedDict()
        self._weight = 0
        self._seen: Hashable = None
        self._lock = threading.Lock()

    def get(self, key: K) -> T | None:
        """The value for `key`, from the cache if the catalog has not changed since it was read."""
        generation = self._generation()
        with self._lock:
            if generation != self._seen:
                # A re-ingested video has new words: stale text would quote words it no longer has.
                self._items.clear()
                self._weight = 0
                self._seen = generation
            item = self._items.get(key)
            if item is not None:
                self._items.move_to_end(key)
                return item[0]
        value = self._load(key)
        if value is None:
            return None
        weight = self._weigh(value)
        with self._lock:
            if generation == self._seen and key not in self._items:
                self._items[key] = (value, weight)
                self._weight += weight
                while self._weight > self._capacity and len(self._items) > 1:
                    _, (_, dropped) = self._items.popitem(last=False)
                    self._weight -= dropped
        return value

    @property
    def weight(self) -> int:
        """What the kept values weigh together (in the units of `weigh`)."""
        return self._weight
