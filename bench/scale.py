"""Big stores without re-embedding: the real corpus replicated under new ids, channels and dates.

Replica 0 is the real store itself; replica r ≥ 1 copies every real video as `<id>~rNNN`, on
channel "Replica News r", published `r` periods earlier (a period is longer than the corpus's
own date span, so each replica owns a date window), with the real chunk texts and the real
vectors plus small gaussian noise, renormalised. Everything is written through
`Catalog.commit_video` and `ChromaIndex.upsert`, so the result is a store the normal Searcher
reads; the keyword index is filled from the catalog once the replicas are written. Run as
`python -m bench.scale SOURCE DEST TARGET` to build in a fresh process.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import re
import shutil
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

from bench.signals import exit_on_termination
from store.index import (
    COLLECTION,
    SCHEMA,
    Catalog,
    ChromaIndex,
    ChunkMeta,
    TantivyKeywordIndex,
    connect_embedded,
)
from store.ingest import chunk_context, fill_dense, fill_keyword
from store.records import Chunk, SearchFilters, Transcript
from store.sparse import SparseVector

BUILD_VERSION = "scale-v1"  # bump to invalidate every cached store
NOISE_SIGMA = 0.015  # per dimension; on 384-d unit vectors the copy keeps cosine ≈ 0.96
MIN_PERIOD_DAYS = 730
UPSERT_BATCH = 5000  # below the embedded client's max batch size (5461)
SNAPSHOT = "source_vectors.npz"
MARKER = "build.json"
SCALES = {"100k": 100_000, "1m": 1_000_000}

Progress = Callable[[str], None]


@dataclass(frozen=True)
class SourceVideo:
    """One real video: what the catalog holds for it, and its chunks' vectors."""

    transcript: Transcript
    content_hash: str
    chunks: tuple[Chunk, ...]
    vectors: np.ndarray  # one row per chunk, in chunk order
    sparse: tuple[SparseVector, ...] | None = None  # one per chunk, when the source has them


@dataclass(frozen=True)
class Source:
    """The real store, loaded for replication."""

    videos: tuple[SourceVideo, ...]
    model: str
    dimension: int

    @property
    def chunks(self) -> int:
        """Chunks in one copy."""
        return sum(len(v.chunks) for v in self.videos)

    @property
    def period_days(self) -> int:
        """Days each replica is shifted by: longer than the corpus spans, so windows are apart."""
        dates = [dt.date.fromisoformat(v.transcript.published) for v in self.videos]
        return max(MIN_PERIOD_DAYS, (max(dates) - min(dates)).days + 1)

    def fingerprint(self) -> str:
        """What a cached build depends on: contents, chunking, model and the catalog schema."""
        h = hashlib.sha256(f"{BUILD_VERSION}|{NOISE_SIGMA}|{self.model}|{self.dimension}".encode())
        h.update(table_definitions().encode())
        for v in self.videos:
            h.update(f"{v.transcript.video_id}|{v.content_hash}|{len(v.chunks)}|".encode())
            h.update(",".join(c.id for c in v.chunks).encode())
        return h.hexdigest()[:16]


def table_definitions() -> str:
    """The catalog's CREATE TABLE statements: a cached store must be rebuilt when they change.

    Indexes are left out on purpose: `Catalog` creates missing ones when it opens a store.
    """
    return "\n".join(re.findall(r"CREATE (?:VIRTUAL )?TABLE.*?;", SCHEMA, flags=re.S))


# --- the source store -------------------------------------------------------------------


def export_snapshot(data_dir: Path) -> Path:
    """Write the real store's vectors beside its catalog, so another process can read them."""
    col = connect_embedded(data_dir / "chroma").get_collection(COLLECTION)
    ids: list[str] = []
    rows: list[np.ndarray] = []
    offset = 0
    while True:
        got = col.get(include=["embeddings"], limit=UPSERT_BATCH, offset=offset)
        ids += got["ids"]
        rows.append(np.asarray(got["embeddings"], dtype=np.float32).reshape(len(got["ids"]), -1))
        if len(got["ids"]) < UPSERT_BATCH:
            break
        offset += UPSERT_BATCH
    meta = col.metadata or {}
    out = data_dir / SNAPSHOT
    np.savez(
        out,
        ids=np.array(ids),
        vectors=np.concatenate(rows),
        model=np.array(str(meta.get("model"))),
        dimension=np.array(int(meta["dimension"])),
    )
    return out


def load_source(data_dir: Path) -> Source:
    """The real videos of a store (catalog + exported vector snapshot), sorted by id."""
    snap = np.load(data_dir / SNAPSHOT)
    row_of = {str(i): n for n, i in enumerate(snap["ids"])}
    vectors = snap["vectors"]
    catalog = Catalog(data_dir / "catalog.sqlite3")
    try:
        videos = []
        for vid in sorted(catalog.video_filter_ids(SearchFilters())):
            info, text = catalog.video(vid), catalog.video_text(vid)
            state = catalog.content_hash(vid)
            assert info is not None and text is not None and state is not None
            rows = catalog.chunks(catalog.video_chunk_ids(vid))
            chunks = tuple(
                Chunk(vid, r.start_word, r.end_word, r.text, r.start_s)
                for r in sorted(rows.values(), key=lambda r: r.start_word)
            )
            t = Transcript(
                vid,
                info.title,
                info.channel,
                info.published,
                text.words,
                text.word_starts,
                source=info.source,
            )
            stored = catalog.sparse_vectors([c.id for c in chunks])
            sparse = tuple(stored[c.id] for c in chunks) if len(stored) == len(chunks) else None
            rows_of = vectors[[row_of[c.id] for c in chunks]]
            videos.append(SourceVideo(t, state[0], chunks, rows_of, sparse))
    finally:
        catalog.close()
    return Source(tuple(videos), str(snap["model"]), int(snap["dimension"]))


# --- replicas ---------------------------------------------------------------------------


def replica_id(video_id: str, r: int) -> str:
    """The video id of replica r of a video (replica 0 is the video itself)."""
    return video_id if r == 0 else f"{video_id}~r{r:03d}"


def replica_channel(r: int) -> str:
    """The channel every video of replica r is on."""
    return f"Replica News {r}"


def shift_date(published: str, r: int, period_days: int) -> str:
    """A publish date moved r periods into the past."""
    return (dt.date.fromisoformat(published) - dt.timedelta(days=r * period_days)).isoformat()


def replica_window(source: Source, r: int) -> tuple[str, str]:
    """(since, until) covering exactly replica r's publish dates."""
    dates = sorted(v.transcript.published for v in source.videos)
    period = source.period_days
    return shift_date(dates[0], r, period), shift_date(dates[-1], r, period)


def replicate(source: Source, r: int) -> Iterator[tuple[Transcript, str, list[Chunk], np.ndarray]]:
    """Replica r of every source video: transcript, content hash, chunks and noisy vectors."""
    rng = np.random.default_rng(r)  # seeded per replica: rebuilding gives the same store
    period = source.period_days
    for v in source.videos:
        t = v.transcript
        if r == 0:
            yield t, v.content_hash, list(v.chunks), v.vectors
            continue
        vid = replica_id(t.video_id, r)
        rt = Transcript(
            vid,
            t.title,
            replica_channel(r),
            shift_date(t.published, r, period),
            t.words,
            t.word_starts,
            source=f"{t.source}#replica{r}",
        )
        chunks = [Chunk(vid, c.start_word, c.end_word, c.text, c.start_s) for c in v.chunks]
        # Real vectors plus noise, not random ones: neighbourhoods keep the real structure.
        noisy = v.vectors + rng.normal(0.0, NOISE_SIGMA, v.vectors.shape).astype(np.float32)
        noisy /= np.linalg.norm(noisy, axis=1, keepdims=True)
        yield rt, v.content_hash, chunks, noisy


@dataclass
class _Pending:
    ids: list[str]
    vectors: list[np.ndarray]
    metas: list[ChunkMeta]

    def __len__(self) -> int:
        return len(self.ids)


def build(source: Source, dest: Path, target_chunks: int, progress: Progress) -> dict[str, Any]:
    """Write replicas 0, 1, … into an empty store at `dest` until it holds ≥ target chunks."""
    if dest.exists():
        shutil.rmtree(dest)
    catalog = Catalog(dest / "catalog.sqlite3")
    index = ChromaIndex(lambda: connect_embedded(dest / "chroma"), source.model, source.dimension)
    started = time.perf_counter()
    written = replicas = 0
    pending = _Pending([], [], [])
    # Chroma's HNSW insert runs in native code and dominates; one writer thread overlaps it
    # with the catalog's FTS5 inserts on the other core.
    with ThreadPoolExecutor(max_workers=1) as pool:
        inflight: Future[None] | None = None

        def flush() -> None:
            nonlocal inflight, pending
            if not pending:
                return
            if inflight is not None:
                inflight.result()
            batch = pending
            inflight = pool.submit(
                index.upsert, batch.ids, np.concatenate(batch.vectors), batch.metas
            )
            pending = _Pending([], [], [])

        r = 0
        while written < target_chunks:
            for (t, content_hash, chunks, vectors), v in zip(
                replicate(source, r), source.videos, strict=True
            ):
                # A replica's text is its source's text: so are its sparse vectors.
                catalog.commit_video(
                    t, content_hash, chunks, chunk_context(t), v.sparse, vectors
                )
                pending.ids += [c.id for c in chunks]
                pending.vectors.append(vectors)
                pending.metas += [ChunkMeta(t.video_id, t.channel, t.published)] * len(chunks)
                written += len(chunks)
                if len(pending) >= UPSERT_BATCH:
                    flush()
                if written >= target_chunks:
                    break
            replicas = r + 1
            if r % 5 == 0 or written >= target_chunks:
                rate = written / (time.perf_counter() - started)
                progress(
                    f"  built {written:,} / {target_chunks:,} chunks"
                    f" ({replicas} copies, {rate:,.0f} chunks/s)"
                )
            r += 1
        flush()
        if inflight is not None:
            inflight.result()
    keyword_s = fill_store(catalog, dest, source.model, source.dimension)
    counts = (catalog.chunk_count(), index.count(), TantivyKeywordIndex(dest / "keyword").count())
    catalog.close()
    if len(set(counts)) != 1:
        raise RuntimeError(f"scaled store is inconsistent: catalog, chroma, keyword: {counts}")
    # The filters the scale bench uses: one replica's channel, another replica's date window.
    channel_r, date_r = min(7, replicas - 1), min(11, replicas - 1)
    since, until = replica_window(source, date_r)
    return {
        "version": BUILD_VERSION,
        "chunks": counts[0],
        "copies": replicas,
        "build_s": round(time.perf_counter() - started, 1),
        "keyword_fill_s": keyword_s,
        "channel_filter": replica_channel(channel_r) if channel_r else None,
        "date_filter": [since, until] if date_r else None,
        "noise_sigma": NOISE_SIGMA,
    }


# --- the cache --------------------------------------------------------------------------


def cached_store(cache_dir: Path, scale: str, fingerprint: str) -> Path:
    """Where a scale's store for this source lives in the cache."""
    return cache_dir / f"{scale}-{fingerprint}"


def read_marker(store: Path) -> dict[str, Any] | None:
    """The build record of a complete cached store, or None when absent or half-built."""
    marker = store / MARKER
    if not marker.exists():
        return None
    info: dict[str, Any] = json.loads(marker.read_text())
    return info


def fill_store(catalog: Catalog, dest: Path, model: str, dimension: int) -> float:
    """Bring a cached store up to date without rebuilding it: fill the keyword index and the
    catalog's dense vector copies where it lacks them (a store copied from before either);
    seconds spent."""
    t0 = time.perf_counter()
    fill_keyword(catalog, TantivyKeywordIndex(dest / "keyword"))
    index = ChromaIndex(
        partial(connect_embedded, dest / "chroma"), model, dimension, folder=dest / "chroma"
    )
    fill_dense(catalog, index)
    return round(time.perf_counter() - t0, 1)


def ensure(
    source: Source,
    cache_dir: Path,
    scale: str,
    target: int,
    progress: Progress,
    rebuild: bool = False,
) -> tuple[Path, dict[str, Any], bool]:
    """The cached store for a scale, built first when missing: (path, build record, was cached)."""
    store = cached_store(cache_dir, scale, source.fingerprint())
    info = None if rebuild else read_marker(store)
    if info is not None:
        catalog = Catalog(store / "catalog.sqlite3")
        try:
            filled_s = fill_store(catalog, store, source.model, source.dimension)
        finally:
            catalog.close()
        if filled_s > 1:
            progress(f"  filled the keyword index or dense copies of {store.name} in {filled_s} s")
        return store, info, True
    for old in cache_dir.glob(f"{scale}-*"):
        if old != store and old.is_dir():
            progress(f"  removing stale cache {old.name}")
            shutil.rmtree(old)
    progress(f"building the {scale} store ({target:,} chunks) in {store}")
    info = build(source, store, target, progress)
    # The marker is written last: a build that died half-way is never taken for complete.
    (store / MARKER).write_text(json.dumps(info, indent=1))
    return store, info, False


def main(argv: Sequence[str] | None = None) -> int:
    """Build (or find) one scale's cached store in this process; the record goes to --out."""
    ap = argparse.ArgumentParser(description="Build a replicated store for the scale bench.")
    ap.add_argument("source", type=Path, help="data dir of the real store (with its snapshot)")
    ap.add_argument("cache_dir", type=Path)
    ap.add_argument("scale", choices=sorted(SCALES))
    ap.add_argument("--rebuild", action="store_true")
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args(argv)
    exit_on_termination()

    def say(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    source = load_source(args.source)
    store, info, cached = ensure(
        source, args.cache_dir, args.scale, SCALES[args.scale], say, args.rebuild
    )
    args.out.write_text(json.dumps({"path": str(store), "cached": cached, **info}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
