"""All benchmark figures in one run: `python bench/run.py [--json] [--quick]` (or `newsreel bench`).

Ingest throughput against the model alone, re-ingest, warm query latency against the floor on
the real corpus, then query latency, memory and disk of replicated 100k / 1M chunk stores
(embedded Chroma) and of the same stores behind a `chroma run` server, with the first
question's time in a fresh process with and without warm-up. Big stores are cached under
`bench/.cache/`; progress goes to stderr.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.config import Config, load_config
from bench import scale as scale_mod
from bench.child import REPO, run_module
from bench.chroma_server import free_port, start_chroma, stop_chroma
from bench.ingest_bench import load_embedder, load_sparse, run_corpus_queries, run_ingest_bench
from bench.measure import dir_size_mb, machine_info, rss_mb, store_disk_mb, today
from bench.poll_bench import run_poll_bench
from bench.query_bench import load_questions
from bench.signals import exit_on_termination
from bench.trend_bench import TREND_TARGET_MS, time_trends, trend_range

SHARED = REPO.parent / "shared"
DEFAULT_CORPUS = SHARED / "corpus"
DEFAULT_TIMINGS = SHARED / "corpus_timed"
DEFAULT_QUESTIONS = SHARED / "eval" / "dev_questions.jsonl"
DEFAULT_CACHE = REPO / "bench" / ".cache"
ALL_SCALES = ("100k", "1m", "100k_server", "1m_server")
P95_TARGET_MS = {"100k": 50.0, "1m": 120.0, "100k_server": 50.0, "1m_server": 120.0}
EFFICIENCY_TARGET = 0.85
REINGEST_SHARE_TARGET = 0.02
FLOOR_FACTOR = 1.5

Progress = Callable[[str], None]


def run_benchmarks(
    config: Config,
    *,
    scales: Sequence[str] = ALL_SCALES,
    cache_dir: Path,
    progress: Progress,
    corpus: Path = DEFAULT_CORPUS,
    timings: Path = DEFAULT_TIMINGS,
    questions: Path = DEFAULT_QUESTIONS,
    corpus_rounds: int = 3,
    scale_rounds: int = 2,
    rebuild: bool = False,
) -> dict[str, Any]:
    """Run every figure and return the `newsreel bench --json` object."""
    unknown = set(scales) - set(ALL_SCALES)
    if unknown:
        raise ValueError(f"unknown scales {sorted(unknown)} (known: {', '.join(ALL_SCALES)})")
    started = time.perf_counter()
    result: dict[str, Any] = {"machine": machine_info(), "date": today()}
    qs = load_questions(questions)
    cache_dir = cache_dir.resolve()  # children run from the repo root
    questions = questions.resolve()
    cache_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="newsreel-bench-") as tmp:
        source_dir = Path(tmp) / "corpus-store"
        progress(f"loading the model {config.model.name}")
        embedder, load_s = load_embedder(config)
        sparse = load_sparse(config)
        sparse_name = config.model.sparse_name or "none"
        progress(f"  loaded in {load_s:.1f} s ({embedder.dtype}); sparse model: {sparse_name}")
        lib, figures = run_ingest_bench(
            config, embedder, sparse, load_s, source_dir, corpus, [timings], progress
        )
        ingest = figures.to_json()
        queries = run_corpus_queries(lib, qs, corpus_rounds, progress, config)
        progress("trends on the corpus: 22 topics over its last 90 days")
        result["trend_corpus"] = time_trends(lib, *trend_range(lib), rounds=corpus_rounds)
        result.update({k: v for k, v in ingest.items() if k != "detail"})
        result.update({k: v for k, v in queries.items() if k != "detail"})
        result["detail"] = {"ingest": ingest["detail"], "corpus_queries": queries["detail"]}
        errors: dict[str, str] = {}
        result["poll"] = poll_figures(config, embedder, sparse, Path(tmp) / "poll-store", corpus,
                                      progress, errors)
        if scales:
            scale_mod.export_snapshot(source_dir)
        lib.close()
        result["scale"] = run_scales(
            config,
            scales,
            source_dir,
            cache_dir,
            questions,
            scale_rounds,
            rebuild,
            progress,
            errors,
        )
    if errors:
        result["errors"] = errors
    result["targets"] = targets(result)
    result["detail"]["wall_s"] = round(time.perf_counter() - started, 1)
    progress(f"done in {result['detail']['wall_s']:.0f} s")
    return result


def poll_figures(config: Config, embedder: Any, sparse: Any, work_dir: Path, corpus: Path,
                 progress: Progress, errors: dict[str, str]) -> dict[str, Any] | None:
    """The poll of a fake channel (bench.poll_bench); None, with the reason in `errors`, when
    it failed."""
    try:
        return run_poll_bench(config, embedder, sparse, work_dir, corpus, progress)
    except (RuntimeError, OSError) as exc:
        errors["poll"] = f"polling the fake channel failed: {exc}"
        progress(errors["poll"])
        return None


def run_poll_only(config: Config, progress: Progress, corpus: Path = DEFAULT_CORPUS
                  ) -> dict[str, Any]:
    """Only the poll figures (`--poll-only`): the models loaded, one fake channel polled."""
    result: dict[str, Any] = {"machine": machine_info(), "date": today()}
    embedder, load_s = load_embedder(config)
    sparse = load_sparse(config)
    progress(f"loaded the models in {load_s:.1f} s")
    errors: dict[str, str] = {}
    with tempfile.TemporaryDirectory(prefix="newsreel-bench-") as tmp:
        result["poll"] = poll_figures(config, embedder, sparse, Path(tmp) / "poll-store", corpus,
                                      progress, errors)
    if errors:
        result["errors"] = errors
    return result


def poll_lines(r: dict[str, Any]) -> list[str]:
    """The poll figures as table rows."""
    p = r.get("poll")
    if not p:
        failed = r.get("errors", {}).get("poll")
        return ["", f"poll of a fake channel: {'FAILED: ' + failed if failed else '(not run)'}"]
    d = p["detail"]
    rows = [
        ("first poll (backfill of all)", f"{p['poll_first_s']:.1f} s",
         f"fetch {d['first_fetch_s']:.1f} s + ingest {d['first_ingest_s']:.1f} s"
         f" ({d['chunks']} chunks)"),
        ("poll, nothing new", f"{p['poll_nothing_new_s']:.3f} s", "target < 2 s"),
        ("backfill ingest (both models)", f"{p['poll_backfill_chunks_per_s']:.1f} chunks/s", ""),
        ("models alone, same chunks", f"{p['poll_model_chunks_per_s']:.1f} chunks/s", ""),
    ]
    return ["", f"following a channel: a fake channel of {d['videos']} videos on 127.0.0.1,"
            " real yt-dlp", *(f"{a:<34}{b:>16}  {c}".rstrip() for a, b, c in rows)]


def run_scales(
    config: Config,
    scales: Sequence[str],
    source_dir: Path,
    cache_dir: Path,
    questions: Path,
    rounds: int,
    rebuild: bool,
    progress: Progress,
    errors: dict[str, str],
) -> dict[str, Any]:
    """Build (or reuse) the replicated stores; measure each asked-for scale in its own process.

    A scale that fails (a build, a worker or the server) is reported in `errors` and left None,
    so one failure does not throw away the other figures of a long run.
    """
    out: dict[str, Any] = {name: None for name in ALL_SCALES}  # None: not run this time
    built: dict[str, dict[str, Any]] = {}
    for name in ("100k", "1m"):
        if name in scales or f"{name}_server" in scales:
            args = [str(source_dir), str(cache_dir), name, *(["--rebuild"] if rebuild else [])]
            try:
                built[name] = run_module("bench.scale", args, progress)
            except (RuntimeError, OSError) as exc:
                errors[name] = f"building the store failed: {exc}"
                progress(f"{name}: {errors[name]}")
                continue
            how = "cached" if built[name]["cached"] else "built"
            progress(
                f"{name} store {how}: {built[name]['chunks']:,} chunks"
                f" (build {built[name]['build_s']:.0f} s)"
            )
    for name in scales:
        store = built.get(name.removesuffix("_server"))
        if store is None:
            errors.setdefault(name, "its store could not be built")
            continue
        progress(f"measuring {name}")
        try:
            if name.endswith("_server"):
                out[name] = measure_server(config, store, questions, rounds, name, progress)
            else:
                data_dir = Path(store["path"])
                out[name] = worker(config, data_dir, store, questions, rounds, name, progress)
                add_first_query(out[name], config, data_dir, store, questions, name, progress)
                out[name]["disk_mb"] = store_disk_mb(data_dir)
                if name == "100k":  # the baseline: the same store, questions encoded on torch
                    before = worker(
                        config, data_dir, store, questions, 1, f"{name} torch", progress,
                        extra=["--query-runtime", "torch"],
                    )
                    out[name]["questions_on_torch"] = {
                        k: before[k] for k in ("query_p50_ms", "query_p95_ms", "filtered_p95_ms")
                    }
        except (RuntimeError, OSError) as exc:
            errors[name] = f"measuring failed: {exc}"
            progress(f"{name}: {errors[name]}")
            continue
        out[name]["detail"].update(
            chunks=store["chunks"],
            build_s=store["build_s"],
            cached=store["cached"],
            channel_filter=store["channel_filter"],
            date_filter=store["date_filter"],
        )
    return out


def worker(
    config: Config,
    data_dir: Path,
    store: dict[str, Any],
    questions: Path,
    rounds: int,
    label: str,
    progress: Progress,
    server: str | None = None,
    extra: Sequence[str] = (),
) -> dict[str, Any]:
    """Run bench.scale_worker on one store in a fresh process."""
    m = config.model
    args = [
        str(data_dir),
        "--questions",
        str(questions),
        "--rounds",
        str(rounds),
        "--model",
        m.name,
        "--dtype",
        m.dtype,
        "--batch-size",
        str(m.batch_size),
        "--query-runtime",
        m.query_runtime,
        "--label",
        label,
    ]
    if store.get("channel_filter"):
        args += ["--channel", store["channel_filter"]]
    if store.get("date_filter"):
        args += ["--since", store["date_filter"][0], "--until", store["date_filter"][1]]
    if server:
        args += ["--server", server]
    return run_module("bench.scale_worker", args + list(extra), progress)


def add_first_query(
    res: dict[str, Any],
    config: Config,
    data_dir: Path,
    store: dict[str, Any],
    questions: Path,
    label: str,
    progress: Progress,
    server: str | None = None,
) -> None:
    """The first question's time in a fresh process, without warm-up (from the measuring
    worker) and after Library.warm_up (a second fresh worker), at the top of `res`."""
    first = worker(
        config, data_dir, store, questions, 1, label, progress, server, ["--first-after-warm-up"]
    )
    res["first_query_ms"] = res["detail"]["first_query_ms"]
    res.update(first)


def measure_server(
    config: Config,
    store: dict[str, Any],
    questions: Path,
    rounds: int,
    label: str,
    progress: Progress,
) -> dict[str, Any]:
    """A cached store with its vectors served by `chroma run` from the store's own Chroma
    folder (no copy, no re-adding over HTTP: 5.6 GB at 1M), its catalog read locally."""
    data_dir = Path(store["path"])
    served = data_dir / "chroma"
    port = free_port()
    t0 = time.perf_counter()
    proc = start_chroma(served, port)
    up_s = round(time.perf_counter() - t0, 1)
    progress(f"  chroma run on 127.0.0.1:{port} (up in {up_s:.1f} s)")
    server = f"127.0.0.1:{port}"
    try:
        res = worker(config, data_dir, store, questions, rounds, label, progress, server=server)
        server_rss = rss_mb(proc.pid, children=True)
        add_first_query(res, config, data_dir, store, questions, label, progress, server)
    finally:
        stop_chroma(proc)
    client_rss = res["rss_mb"]
    res["rss_mb"] = round(client_rss + server_rss, 1)
    res["disk_mb"] = round(dir_size_mb([*sorted(data_dir.glob("catalog.sqlite3*")), served]), 1)
    res["detail"].update(server_rss_mb=server_rss, client_rss_mb=client_rss, server_up_s=up_s)
    return res


def targets(r: dict[str, Any]) -> dict[str, bool]:
    """Which targets the figures meet."""
    out = {
        "ingest_efficiency>=0.85": r["ingest_efficiency"] >= EFFICIENCY_TARGET,
        "reingest<2%_of_ingest": r["reingest_s"] < REINGEST_SHARE_TARGET * r["ingest_s"],
        "query_p95<=1.5x_floor_p50": r["query_p95_ms"] <= FLOOR_FACTOR * r["floor_p50_ms"],
    }
    if r.get("poll"):
        out["poll_nothing_new<2s"] = r["poll"]["poll_nothing_new_s"] < 2.0
    for name, s in r["scale"].items():
        if name == "1m" and s is not None and "trend_p95_ms" in s:
            out[f"1m_trend_p95<={TREND_TARGET_MS:.0f}ms"] = s["trend_p95_ms"] <= TREND_TARGET_MS
        if s is not None:
            limit = P95_TARGET_MS[name]
            out[f"{name}_p95<={limit:.0f}ms"] = s["query_p95_ms"] <= limit
            out[f"{name}_filtered_p95<={limit:.0f}ms"] = s["filtered_p95_ms"] <= limit
    return out


def render_table(results: dict[str, Any]) -> str:
    """The figures as a readable plain-text table."""
    r = results
    m = r.get("machine", {})
    d = r.get("detail", {})
    ing = d.get("ingest", {})
    ok = r.get("targets", {})

    def mark(key: str) -> str:
        return "" if key not in ok else ("ok" if ok[key] else "MISSED")

    lines = [
        f"Newsreel benchmarks, {r.get('date')}: {m.get('cpu')}, {m.get('cores')} cores,"
        f" {m.get('ram_gb')} GB RAM (load {m.get('load_avg_1m_at_start')} at start)",
        "",
        f"{'figure':<34}{'value':>16}  target",
        f"{'-' * 34}{'-' * 16}  {'-' * 22}{'-' * 6}",
    ]

    def row(name: str, value: str, target: str = "", key: str = "") -> None:
        lines.append(f"{name:<34}{value:>16}  {target:<22}{mark(key):<6}".rstrip())

    row(f"ingest ({ing.get('chunks', '?')} chunks)", f"{r['ingest_s']:.1f} s")
    row("ingest throughput", f"{r['ingest_chunks_per_s']:.1f} chunks/s")
    row("model alone", f"{r['model_chunks_per_s']:.1f} chunks/s")
    row("ingest efficiency", f"{r['ingest_efficiency']:.2f}", ">= 0.85", "ingest_efficiency>=0.85")
    row(
        "re-ingest, nothing changed",
        f"{r['reingest_s']:.3f} s",
        "< 2% of ingest",
        "reingest<2%_of_ingest",
    )
    row("model load (not in ingest)", f"{ing.get('model_load_s', 0):.1f} s")
    row("query p50 (corpus, warm, k=5)", f"{r['query_p50_ms']:.1f} ms")
    row(
        "query p95",
        f"{r['query_p95_ms']:.1f} ms",
        "<= 1.5 x floor p50",
        "query_p95<=1.5x_floor_p50",
    )
    cq = d.get("corpus_queries", {})
    floor_p95 = f" / {cq['floor_p95_ms']:.1f}" if "floor_p95_ms" in cq else ""
    row("floor p50 / p95 (encode+2 queries)", f"{r['floor_p50_ms']:.1f}{floor_p95} ms")
    if "questions_on_torch_p50_ms" in cq:
        row(
            "questions on torch p50 / p95",
            f"{cq['questions_on_torch_p50_ms']:.1f} / {cq['questions_on_torch_p95_ms']:.1f} ms",
            "baseline, same run",
        )
    lines += [
        "",
        f"{'store':<13}{'chunks':>11}{'p50 ms':>9}{'p95 ms':>9}{'filt p95':>10}{'RSS MB':>9}"
        f"{'disk MB':>9}{'build s':>9}  target",
        "-" * 90,
    ]
    for name in ALL_SCALES:
        s = r.get("scale", {}).get(name)
        if s is None:
            failed = r.get("errors", {}).get(name)
            shown = f"  FAILED: {failed.splitlines()[0]}" if failed else "  (not run)"
            lines.append(f"{name:<13}{shown}")
            continue
        sd = s.get("detail", {})
        limit = P95_TARGET_MS[name]
        both = [ok.get(f"{name}_p95<={limit:.0f}ms"), ok.get(f"{name}_filtered_p95<={limit:.0f}ms")]
        verdict = "ok" if all(both) else "MISSED"
        build = f"{sd.get('build_s', 0):.0f}" + ("*" if sd.get("cached") else "")
        lines.append(
            f"{name:<13}{sd.get('chunks', 0):>11,}"
            f"{s['query_p50_ms']:>9.1f}{s['query_p95_ms']:>9.1f}"
            f"{s['filtered_p95_ms']:>10.1f}{s['rss_mb']:>9.0f}{s['disk_mb']:>9.0f}{build:>9}"
            f"  p95 <= {limit:.0f} ms {verdict}"
        )
    base = r.get("scale", {}).get("100k") or {}
    if "questions_on_torch" in base:
        t = base["questions_on_torch"]
        lines.append(
            f"{'100k, torch':<13}{'':>11}{t['query_p50_ms']:>9.1f}{t['query_p95_ms']:>9.1f}"
            f"{t['filtered_p95_ms']:>10.1f}  baseline: questions encoded on torch, same run"
        )
    lines += [
        "",
        "filt p95: channel and date-range filtered searches together;"
        " build s*: cached build, time of the original build.",
    ]
    lines += poll_lines(r)
    lines += trend_lines(r)
    lines += first_query_lines(r.get("scale", {}))
    lines += time_spent_lines(r.get("scale", {}))
    lines.append(f"wall time {d.get('wall_s', 0):.0f} s")
    return "\n".join(lines)


def trend_lines(r: dict[str, Any]) -> list[str]:
    """`newsreel trend` over a 90-day range: 22 topics, each met for the first time."""
    lines = ["", "trend over a 90-day range, 22 topics, first pass (ms):",
             f"  {'store':<13}{'p50':>9}{'p95':>9}  target"]
    stores = {"corpus": r.get("trend_corpus"), **r.get("scale", {})}
    for name, s in stores.items():
        if s and "trend_p95_ms" in s:
            target = ""
            if name == "1m":
                met = s["trend_p95_ms"] <= TREND_TARGET_MS
                target = f"p95 <= {TREND_TARGET_MS:.0f} ms {'ok' if met else 'MISSED'}"
            lines.append(f"  {name:<13}{s['trend_p50_ms']:>9,.0f}{s['trend_p95_ms']:>9,.0f}"
                         f"  {target}".rstrip())
    return lines


def first_query_lines(scales: dict[str, Any]) -> list[str]:
    """The first question in a fresh process: without warm-up, and after Library.warm_up."""
    lines = [
        "",
        "first question in a fresh process (ms):",
        f"  {'store':<13}{'no warm-up':>12}{'warm-up':>10}{'then first':>12}",
    ]
    for name, s in scales.items():
        if s and "first_query_ms" in s:
            lines.append(
                f"  {name:<13}{s['first_query_ms']:>12,.0f}{s.get('warm_up_ms', 0):>10,.0f}"
                f"{s.get('first_query_after_warm_up_ms', 0):>12,.0f}"
            )
    return lines


def time_spent_lines(scales: dict[str, Any], top: int = 4) -> list[str]:
    """Where a warm search spends its time: the biggest adapter calls per store and kind."""
    lines = ["", "where a warm search spends its time (mean ms per search):"]
    for name, s in scales.items():
        for kind, parts in (s or {}).get("detail", {}).get("breakdown_ms", {}).items():
            calls = sorted(
                ((k, v) for k, v in parts.items() if k != "total"), key=lambda kv: -kv[1]
            )[:top]
            shown = ", ".join(f"{k} {v:.0f}" for k, v in calls)
            lines.append(f"  {name:<12} {kind:<11} total {parts.get('total', 0):>6.0f}: {shown}")
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmarks and print the table (or the JSON object)."""
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    ap.add_argument("--quick", action="store_true", help="skip the 1M-chunk stores")
    ap.add_argument("--config", help="config file (model settings are used)")
    ap.add_argument("--cache-dir", type=Path, default=DEFAULT_CACHE)
    ap.add_argument("--rebuild", action="store_true", help="rebuild the cached stores")
    ap.add_argument("--poll-only", action="store_true",
                    help="only the poll of a fake channel (following channels)")
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS,
                    help="seed transcripts the fake channel serves (poll only)")
    args = ap.parse_args(argv)
    exit_on_termination()

    def progress(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    if args.poll_only:
        only = run_poll_only(load_config(args.config), progress, args.corpus)
        m = only["machine"]
        head = (f"Newsreel poll benchmark, {only['date']}: {m.get('cpu')}, {m.get('cores')}"
                f" cores (load {m.get('load_avg_1m_at_start')} at start)")
        print(json.dumps(only, indent=1) if args.json else "\n".join([head, *poll_lines(only)]))
        return 0 if only.get("poll") else 1
    scales = tuple(s for s in ALL_SCALES if not (args.quick and s.startswith("1m")))
    results = run_benchmarks(
        load_config(args.config),
        scales=scales,
        cache_dir=args.cache_dir,
        progress=progress,
        rebuild=args.rebuild,
    )
    print(json.dumps(results, indent=1) if args.json else render_table(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
