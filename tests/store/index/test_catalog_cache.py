from store.index.catalog_cache import CatalogCache
from store.records import VideoText


class Store:
    """A catalog stand-in: texts that can change, counting reads."""

    def __init__(self) -> None:
        self.words = {"a": "old words", "b": "bee", "c": "sea"}
        self.generation = 0
        self.reads: list[str] = []

    def load(self, video_id: str) -> VideoText | None:
        self.reads.append(video_id)
        text = self.words.get(video_id)
        return None if text is None else VideoText(video_id, tuple(text.split()), None)


def test_a_video_is_read_once_while_the_catalog_is_unchanged() -> None:
    store = Store()
    cache = CatalogCache(store.load, lambda: store.generation)
    assert cache.get("a") == cache.get("a")
    assert store.reads == ["a"]


def test_a_reingested_video_is_never_quoted_from_its_old_text() -> None:
    store = Store()
    cache = CatalogCache(store.load, lambda: store.generation)
    assert cache.get("a").words == ("old", "words")  # type: ignore[union-attr]
    store.words["a"], store.generation = "new words here", 1
    assert cache.get("a").words == ("new", "words", "here")  # type: ignore[union-attr]


def test_the_least_recently_used_video_is_dropped_first() -> None:
    store = Store()
    cache = CatalogCache(store.load, lambda: store.generation, capacity=2)
    cache.get("a"), cache.get("b"), cache.get("a"), cache.get("c")
    store.reads.clear()
    cache.get("a"), cache.get("b")
    assert store.reads == ["b"]


def test_a_missing_video_is_not_cached() -> None:
    store = Store()
    cache = CatalogCache(store.load, lambda: store.generation)
    assert cache.get("zzz") is None
    store.words["zzz"] = "arrived"
    assert cache.get("zzz") is not None


def test_a_memory_budget_keeps_many_short_videos_or_few_long_ones() -> None:
    store = Store()
    store.words.update(long=" ".join(["word"] * 10), d="dee")
    cache = CatalogCache(
        store.load, lambda: store.generation, capacity=10, weigh=lambda t: len(t.words)
    )
    cache.get("b"), cache.get("c"), cache.get("d")
    store.reads.clear()
    cache.get("b"), cache.get("c"), cache.get("d")
    assert store.reads == []  # three one-word videos fit in ten
    cache.get("long")  # ten words: the short ones make room
    assert cache.weight == 10
    store.reads.clear()
    cache.get("long"), cache.get("b")
    assert store.reads == ["b"]
    assert cache.weight == 1  # the long video went to make room for "b"
