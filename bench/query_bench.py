"""Query latency: the real search, the bare-minimum floor, and where a search spends its time."""

from __future__ import annotations

import json
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from app.config import Config
from app.wiring import Library
from store.encoders import SentenceTransformerEmbedder, SpladeEncoder
from store.records import SearchFilters
from store.search import IdentityReranker, Reranker, Searcher, SparseReranker
from store.text import content_terms

FLOOR_DEPTH = 50  # the depth the default SearchParams fetch from each side


def load_questions(path: Path) -> list[str]:
    """The question texts of a JSONL question file."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return [str(json.loads(line)["question"]) for line in lines if line.strip()]


def time_each(
    fn: Callable[[str], object], questions: Sequence[str], rounds: int = 1
) -> list[float]:
    """Milliseconds of `fn(q)` for every question, `rounds` times over."""
    out: list[float] = []
    for _ in range(rounds):
        for q in questions:
            t0 = time.perf_counter()
            fn(q)
            out.append((time.perf_counter() - t0) * 1000)
    return out


def searcher_fn(
    lib: Library, filters: SearchFilters | None = None, k: int = 5
) -> Callable[[str], object]:
    """The real search, exactly as the bot and `newsreel search` call it."""
    searcher = lib.searcher
    return lambda q: searcher.search(q, k=k, filters=filters)


def torch_searcher_fn(lib: Library, config: Config) -> Callable[[str], object]:
    """The same search with both question encoders on torch, as before ONNX Runtime took them:
    the baseline a run compares itself with (loads a second copy of each model)."""
    m = config.model
    embedder = SentenceTransformerEmbedder(m.name, m.dtype, m.batch_size, query_runtime="torch")
    sparse = SpladeEncoder(m.sparse_name, m.dtype, query_runtime="torch") if m.sparse_name else None
    reranker: Reranker = SparseReranker(lib.catalog) if sparse else IdentityReranker()
    searcher = Searcher(lib.catalog, lib.index, lib.keyword, embedder, None, reranker, sparse)
    return lambda q: searcher.search(q, k=5)


def floor_fn(lib: Library) -> Callable[[str], object]:
    """The least any hybrid search must do: encode the question with both models (as the
    search does), one Chroma query, one keyword-index query."""

    def run(q: str) -> object:
        vec, _ = lib.searcher.encode(q)
        dense = lib.index.query(vec, FLOOR_DEPTH)
        keyword = lib.keyword.search(content_terms(q), SearchFilters(), FLOOR_DEPTH)
        return dense, keyword

    return run


TRACED = ("embedder", "sparse", "index", "keyword", "catalog")  # the adapters a Searcher calls


def _public_methods(obj: object) -> list[str]:
    return [n for n in dir(type(obj)) if not n.startswith("_") and callable(getattr(obj, n))]


@contextmanager
def traced(lib: Library) -> Iterator[dict[str, list[float]]]:
    """Record the milliseconds of every adapter call a search makes, by `adapter.method`.

    Every public method of the catalog, the index and the embedder is wrapped on the instance
    (never on the class), so whatever the searcher comes to call is seen; a call made from
    inside another traced call counts only in the outer one.
    """
    spent: dict[str, list[float]] = defaultdict(list)
    patched: list[tuple[object, str]] = []
    depth = threading.local()

    def wrap(label: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            level = getattr(depth, "n", 0)
            depth.n = level + 1
            t0 = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                depth.n = level
                if level == 0:
                    spent[label].append((time.perf_counter() - t0) * 1000)

        return timed

    for owner in TRACED:
        obj = getattr(lib, owner)
        if obj is None:
            continue  # no sparse model configured
        for name in _public_methods(obj):
            setattr(obj, name, wrap(f"{owner}.{name}", getattr(obj, name)))
            patched.append((obj, name))
    try:
        yield spent
    finally:
        for obj, name in patched:
            delattr(obj, name)  # the instance attribute goes; the class method shows again


def mean_breakdown(spent: dict[str, list[float]], total_ms: Sequence[float]) -> dict[str, float]:
    """Mean milliseconds per search in each adapter call, the total, and the rest (Python)."""
    n = max(1, len(total_ms))
    out = {name: round(sum(ms) / n, 2) for name, ms in sorted(spent.items())}
    out["total"] = round(sum(total_ms) / n, 2)
    out["other (python in searcher)"] = round(
        out["total"] - sum(v for k, v in out.items() if k != "total"), 2
    )
    return out


def breakdown(
    lib: Library, questions: Sequence[str], filters: SearchFilters | None = None
) -> dict[str, float]:
    """Mean milliseconds per search spent in each adapter call (and in total)."""
    with traced(lib) as spent:
        total = time_each(searcher_fn(lib, filters), questions)
    return mean_breakdown(spent, total)
