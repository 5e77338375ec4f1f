"""Ingest throughput against the model alone, re-ingest time, warm query latency on the corpus."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from app.config import Config, StoreConfig
from app.wiring import Library, build_library
from bench.measure import p50_p95
from bench.query_bench import (
    floor_fn,
    mean_breakdown,
    searcher_fn,
    time_each,
    torch_searcher_fn,
    traced,
)
from store.encoders import Embedder, SentenceTransformerEmbedder, SpladeEncoder
from store.errors import TranscriptError
from store.ingest import embedding_text
from store.sources import chunk_transcript, discover, load_transcript
from store.sparse import SparseEncoder

Progress = Callable[[str], None]


@dataclass(frozen=True)
class IngestFigures:
    """The ingest-side numbers of one run."""

    model_load_s: float
    ingest_s: float
    chunks: int
    videos: int
    embed_s_inside_ingest: float
    model_chunks_per_s: list[float]  # one figure per model-alone pass
    reingest_s: float
    rejected: int

    def to_json(self) -> dict[str, Any]:
        """The top-level bench keys, plus detail."""
        # The faster model pass: load from other work can only make the efficiency look
        # worse, never better than it is.
        model = max(self.model_chunks_per_s)
        ingest = self.chunks / self.ingest_s if self.ingest_s else 0.0
        return {
            "ingest_s": round(self.ingest_s, 2),
            "ingest_chunks_per_s": round(ingest, 1),
            "model_chunks_per_s": round(model, 1),
            "ingest_efficiency": round(ingest / model, 3) if model else 0.0,
            "reingest_s": round(self.reingest_s, 3),
            "detail": {
                "model_load_s": round(self.model_load_s, 2),
                "chunks": self.chunks,
                "videos": self.videos,
                "rejected_files": self.rejected,
                "embed_s_inside_ingest": round(self.embed_s_inside_ingest, 2),
                "model_passes_chunks_per_s": [round(x, 1) for x in self.model_chunks_per_s],
                "reingest_share": round(self.reingest_s / self.ingest_s, 4) if self.ingest_s else 0,
            },
        }


def load_embedder(config: Config) -> tuple[SentenceTransformerEmbedder, float]:
    """The configured model, and the seconds it took to load."""
    m = config.model
    t0 = time.perf_counter()
    embedder = SentenceTransformerEmbedder(
        m.name, m.dtype, m.batch_size, query_runtime=m.query_runtime
    )
    # First-call setup is not throughput: warm the batch (torch) and the question path.
    embedder.embed(["warm up the kernels once"] * m.batch_size)
    embedder.embed(["warm up the question path"])
    return embedder, time.perf_counter() - t0


def load_sparse(config: Config) -> SpladeEncoder | None:
    """The configured sparse relevance model (None when `[model] sparse_name` is empty)."""
    if not config.model.sparse_name:
        return None
    sparse = SpladeEncoder(
        config.model.sparse_name, config.model.dtype, query_runtime=config.model.query_runtime
    )
    sparse.encode(["warm up the kernels once"] * sparse.batch_size)
    sparse.encode(["warm up the question path"])
    return sparse


def embedding_batches(
    config: Config, corpus: Path, timings: Sequence[Path], batch_chunks: int
) -> list[list[str]]:
    """The texts ingest embeds, grouped as ingest groups them (whole videos, ≥ batch_chunks)."""
    dirs = [*timings, *config.ingest.timings]
    batches: list[list[str]] = []
    current: list[str] = []
    seen: set[str] = set()
    for path in discover([corpus]):
        try:
            t = load_transcript(path, dirs).transcript
        except TranscriptError:
            continue  # ingest rejects it too
        if t.video_id in seen:
            continue
        seen.add(t.video_id)
        chunks = chunk_transcript(t, config.ingest.window, config.ingest.overlap)
        current.extend(embedding_text(t, ch) for ch in chunks)
        if len(current) >= batch_chunks:
            batches.append(current)
            current = []
    if current:
        batches.append(current)
    return batches


def model_alone(
    embedder: Embedder, sparse: SparseEncoder | None, batches: Sequence[Sequence[str]]
) -> float:
    """Chunks per second of the models alone (dense, then sparse) over the same batches."""
    spent = 0.0
    for texts in batches:
        t0 = time.perf_counter()
        embedder.embed(texts)
        if sparse is not None:
            sparse.encode(texts)
        spent += time.perf_counter() - t0
    n = sum(len(b) for b in batches)
    return n / spent if spent else 0.0


def library_in(
    config: Config, data_dir: Path, embedder: Embedder, sparse: SparseEncoder | None
) -> Library:
    """A library on `data_dir` (embedded Chroma) with the bench's loaded models."""
    store = replace(StoreConfig(), data_dir=data_dir)
    return build_library(replace(config, store=store), embedder, sparse)


def run_ingest_bench(
    config: Config,
    embedder: Embedder,
    sparse: SparseEncoder | None,
    model_load_s: float,
    data_dir: Path,
    corpus: Path,
    timings: Sequence[Path],
    progress: Progress,
) -> tuple[Library, IngestFigures]:
    """Ingest the corpus into an empty `data_dir` and time it against both models alone."""
    lib = library_in(config, data_dir, embedder, sparse)
    batch_chunks = int(getattr(lib.ingestor, "batch_chunks", 512))
    batches = embedding_batches(config, corpus, timings, batch_chunks)
    n_texts = sum(len(b) for b in batches)
    # The model alone runs before and after the ingest, so a burst of load from other work
    # on a shared machine does not decide the figure.
    progress(f"models alone: {n_texts} chunks in {len(batches)} batches (pass 1/2)")
    model_rates = [model_alone(embedder, sparse, batches)]
    progress(f"  {model_rates[0]:.1f} chunks/s; ingesting {corpus} into an empty store")
    t0 = time.perf_counter()
    report = lib.ingest([corpus], list(timings))
    ingest_s = time.perf_counter() - t0
    if report.failed:
        raise RuntimeError(f"ingest failed: {report.failed}")
    progress(
        f"  ingest {report.chunks} chunks in {ingest_s:.1f} s"
        f" ({report.chunks / ingest_s:.1f} chunks/s); {report.summary_line()}"
    )
    if report.chunks != n_texts:
        progress(f"  WARNING: ingest embedded {report.chunks} chunks, the model pass {n_texts}")
    progress("model alone (pass 2/2)")
    model_rates.append(model_alone(embedder, sparse, batches))
    progress(f"  {model_rates[1]:.1f} chunks/s; re-ingesting (nothing changed)")
    t0 = time.perf_counter()
    again = lib.ingest([corpus], list(timings))
    reingest_s = time.perf_counter() - t0
    progress(f"  re-ingest {reingest_s:.3f} s; {again.summary_line()}")
    figures = IngestFigures(
        model_load_s=model_load_s,
        ingest_s=ingest_s,
        chunks=report.chunks,
        videos=len(report.ingested),
        embed_s_inside_ingest=report.embed_seconds,
        model_chunks_per_s=model_rates,
        reingest_s=reingest_s,
        rejected=len(report.rejected),
    )
    return lib, figures


def run_corpus_queries(
    lib: Library, questions: Sequence[str], rounds: int, progress: Progress, config: Config
) -> dict[str, Any]:
    """Warm p50/p95 of the real search, of the floor and of the same search with its question
    encoders on torch (the baseline) on the ingested corpus."""
    search, floor = searcher_fn(lib), floor_fn(lib)
    on_torch = torch_searcher_fn(lib, config)
    progress(f"queries on the corpus: {len(questions)} questions, warm-up pass")
    time_each(search, questions)
    time_each(floor, questions)
    time_each(on_torch, questions)
    search_ms: list[float] = []
    floor_ms: list[float] = []
    torch_ms: list[float] = []
    spent: dict[str, list[float]] = {}
    for _ in range(rounds):
        # Interleaved rounds, so both see the same background load.
        with traced(lib) as calls:
            search_ms += time_each(search, questions)
        for call, values in calls.items():
            spent.setdefault(call, []).extend(values)
        floor_ms += time_each(floor, questions)
        torch_ms += time_each(on_torch, questions)
    q50, q95 = p50_p95(search_ms)
    f50, f95 = p50_p95(floor_ms)
    t50, t95 = p50_p95(torch_ms)
    progress(
        f"  search p50 {q50} ms p95 {q95} ms; floor p50 {f50} ms p95 {f95} ms;"
        f" questions on torch p50 {t50} ms p95 {t95} ms"
    )
    return {
        "query_p50_ms": q50,
        "query_p95_ms": q95,
        "floor_p50_ms": f50,
        "detail": {
            "floor_p95_ms": f95,
            "query_samples": len(search_ms),
            "questions_on_torch_p50_ms": t50,
            "questions_on_torch_p95_ms": t95,
            "breakdown_ms": mean_breakdown(spent, search_ms),
            "p95_over_floor_p95": round(q95 / f95, 2) if f95 else None,
            "p95_over_floor_p50": round(q95 / f50, 2) if f50 else None,
        },
    }
