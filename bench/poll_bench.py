"""Following a channel: one poll of a fake channel of 50 videos on 127.0.0.1 read by the real
yt-dlp (the first poll, a backfill of all 50, then a poll with nothing new), and the ingest rate
during the backfill against the models alone on the same chunks."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from app.config import Config, SubscriptionsConfig
from bench.fake_channel import FakeChannel
from bench.ingest_bench import library_in, model_alone
from store.encoders import Embedder
from store.ingest import embedding_text
from store.records import Transcript
from store.sources import chunk_transcript, parse_seed
from store.sparse import SparseEncoder

Progress = Callable[[str], None]
VIDEOS = 50


def channel_of(corpus: Path, videos: int = VIDEOS) -> tuple[FakeChannel, list[Transcript]]:
    """A fake channel whose videos are the first `videos` transcripts of the corpus (their
    titles and words, as captions), and those transcripts."""
    if not any(corpus.glob("*.txt")):
        raise RuntimeError(f"no seed transcripts in {corpus}")
    channel = FakeChannel("Bench News")
    transcripts = [parse_seed(p.read_bytes(), str(p))
                   for p in sorted(corpus.glob("*.txt"))[:videos]]
    for t in transcripts:
        channel.add(t.video_id, title=t.title, text=" ".join(t.words))
    return channel, transcripts


def run_poll_bench(config: Config, embedder: Embedder, sparse: SparseEncoder | None,
                   work_dir: Path, corpus: Path, progress: Progress, videos: int = VIDEOS
                   ) -> dict[str, Any]:
    """The `poll` figures of `newsreel bench --json`; RuntimeError when the poll failed."""
    channel, transcripts = channel_of(corpus, videos)
    videos = len(transcripts)
    channel.start()
    config = replace(config, subscriptions=SubscriptionsConfig(backfill=videos))
    lib = library_in(config, work_dir, embedder, sparse)
    try:
        progress(f"polling a fake channel of {videos} videos (first poll: the whole backfill)")
        lib.subscriptions.subscribe([channel.feed_url])
        t0 = time.perf_counter()
        first = lib.subscriptions.poll()
        first_s = time.perf_counter() - t0
        if not first.ok or len(first.ingested) != videos:
            raise RuntimeError(f"the first poll did not ingest the channel: {first.failed}")
        progress(f"  {first.summary_line()} in {first_s:.1f} s")
        t0 = time.perf_counter()
        again = lib.subscriptions.poll()
        again_s = time.perf_counter() - t0
        if again.ingested or not again.ok:
            raise RuntimeError("a poll with nothing new ingested or failed")
        # The models alone on the same chunks (same words, titles and windows).
        ing = config.ingest
        texts = [embedding_text(t, ch) for t in transcripts
                 for ch in chunk_transcript(t, ing.window, ing.overlap)]
        batches = [texts[i:i + 512] for i in range(0, len(texts), 512)]
        model = model_alone(embedder, sparse, batches)
    finally:
        lib.close()
        channel.stop()
    ingest = first.ingest
    chunks_per_s = ingest.chunks / ingest.seconds if ingest.seconds else 0.0
    return {
        "poll_first_s": round(first_s, 2),
        "poll_nothing_new_s": round(again_s, 3),
        "poll_backfill_chunks_per_s": round(chunks_per_s, 1),
        "poll_model_chunks_per_s": round(model, 1),
        "detail": {
            "videos": videos,
            "chunks": ingest.chunks,
            "first_fetch_s": round(first.fetch_seconds, 2),
            "first_ingest_s": round(ingest.seconds, 2),
            "nothing_new_fetch_s": round(again.fetch_seconds, 3),
        },
    }

