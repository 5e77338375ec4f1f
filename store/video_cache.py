"""A small least-recently-used cache of whole video texts, dropped whenever the catalog changes."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable

from store.models import VideoText


class VideoTextCache:
    """Keeps the last `size` videos' words and timings; any catalog change empties it."""

    def __init__(
        self,
        load: Callable[[str], VideoText | None],
        generation: Callable[[], Hashable],
        size: int = 64,
    ) -> None:
        self._load = load
        self._generation = generation
        self._size = size
        self._items: OrderedDict[str, VideoText] = OrderedDict()
        self._seen: Hashable = None
        self._lock = threading.Lock()

    def get(self, video_id: str) -> VideoText | None:
        """The video's text, from the cache if the catalog has not changed since it was read."""
        generation = self._generation()
        with self._lock:
            if generation != self._seen:
                # A re-ingested video has new words: stale text would quote words it no longer has.
                self._items.clear()
                self._seen = generation
            text = self._items.get(video_id)
            if text is not None:
                self._items.move_to_end(video_id)
                return text
        text = self._load(video_id)
        if text is not None:
            with self._lock:
                if generation == self._seen:
                    self._items[video_id] = text
                    while len(self._items) > self._size:
                        self._items.popitem(last=False)
        return text
