"""The `newsreel` command line: library first, this is only the front door."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import TextIO

from bot.config import Config, load_config
from bot.render_terminal import render_answer, render_quote_match
from bot.wiring import Library, build_library, rebuild_library
from store.errors import NewsreelError
from store.ingest import IngestReport
from store.models import SearchFilters

log = logging.getLogger("newsreel")


class UsageError(NewsreelError):
    """A bad command-line argument."""


def iso_date(value: str) -> str:
    """argparse type: a YYYY-MM-DD date."""
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {value!r}") from exc


def positive_int(value: str) -> int:
    """argparse type: an integer ≥ 1."""
    try:
        n = int(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a number: {value!r}") from exc
    if n < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1: {value!r}")
    return n


def make_filters(args: argparse.Namespace) -> SearchFilters:
    """Search filters from --channel/--since/--until/--video."""
    f = SearchFilters(
        channel=getattr(args, "channel", None),
        since=getattr(args, "since", None),
        until=getattr(args, "until", None),
        video_id=getattr(args, "video", None),
    )
    if f.since and f.until and f.since > f.until:
        raise UsageError(f"--since {f.since} is after --until {f.until}")
    return f


def _progress_bar(stream: TextIO) -> tuple[Callable[[int, int], None] | None, Callable[[], None]]:
    """A rich progress bar when `stream` is a terminal; otherwise nothing."""
    if not stream.isatty():
        return None, lambda: None
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    bar = Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=Console(file=stream),
        transient=True,
    )
    task = bar.add_task("ingesting", total=None)
    bar.start()

    def update(done: int, total: int) -> None:
        bar.update(task, completed=done, total=total)

    return update, bar.stop


def cmd_ingest(lib: Library, args: argparse.Namespace) -> int:
    """Ingest files and folders; exit 1 when any file was rejected."""
    missing = [p for p in args.paths if not p.exists()]
    if missing:
        raise UsageError(f"no such file or folder: {missing[0]}")
    update, stop = _progress_bar(sys.stderr)
    try:
        report = lib.ingest(args.paths, args.timings, update)
    finally:
        stop()
    print_report(report)
    if report.failed:
        return 2
    return 1 if report.rejected else 0


def print_report(report: IngestReport) -> None:
    """Rejected files and warnings on stderr, the summary line on stdout."""
    for path, reason in report.rejected:
        print(f"rejected {path}: {reason}", file=sys.stderr)
    for path, reason in report.skipped:
        print(f"skipped {path}: {reason}", file=sys.stderr)
    for warning in report.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    if report.failed:
        print(f"error: ingest stopped: {report.failed}", file=sys.stderr)
    print(report.summary_line())


def cmd_search(lib: Library, args: argparse.Namespace) -> int:
    """`search --json`: one object per question (a stream of them with `-`)."""
    filters = make_filters(args)
    questions: Sequence[str] = (
        (line.strip() for line in sys.stdin if line.strip())  # type: ignore[assignment]
        if args.question == "-"
        else [args.question]
    )
    for q in questions:
        hits = lib.searcher.search(q, k=args.k, filters=filters)
        if args.json:
            obj = {"question": q, "hits": [h.to_json() for h in hits]}
            print(json.dumps(obj, ensure_ascii=False), flush=True)
        else:
            print(render_answer(q, hits), end="\n\n", flush=True)
    return 0


def cmd_ask(lib: Library, args: argparse.Namespace) -> int:
    """`ask`: the bot's answer, for a terminal."""
    hits = lib.searcher.search(args.question, k=args.k, filters=make_filters(args))
    print(render_answer(args.question, hits))
    return 0


def cmd_quote(lib: Library, args: argparse.Namespace) -> int:
    """`quote`: the closest verbatim occurrence of a remembered line."""
    print(render_quote_match(lib.searcher.quote(args.text, make_filters(args))))
    return 0


def cmd_stats(lib: Library, args: argparse.Namespace) -> int:
    """`stats`: videos, chunks, channels, last ingest."""
    stats = lib.catalog.stats()
    if args.json:
        print(json.dumps(stats, ensure_ascii=False))
    else:
        chans = ", ".join(f"{k} {v}" for k, v in stats["channels"].items()) or "none"  # type: ignore[attr-defined]
        print(
            f"{stats['videos']} videos, {stats['chunks']} chunks ({chans}); "
            f"last ingest {stats['last_ingest'] or 'never'}"
        )
    return 0


def cmd_watch(lib: Library, args: argparse.Namespace) -> int:
    """`watch`: ingest transcripts as they arrive in folders, until Ctrl-C."""
    from bot.alerts.watcher import run_watch

    dirs = args.dirs or list(lib.config.alerts.inboxes)
    if not dirs:
        raise UsageError("name a folder to watch, or set [alerts] inboxes")
    return run_watch(lib, dirs)


def cmd_rebuild(config: Config, args: argparse.Namespace) -> int:
    """`rebuild`: restore consistency by re-ingesting the transcripts into fresh stores."""
    update, stop = _progress_bar(sys.stderr)
    try:
        lib, report = rebuild_library(config, args.paths, args.timings, progress=update)
    finally:
        stop()
    lib.close()
    print_report(report)
    if report.failed:
        return 2
    return 1 if report.rejected else 0


def cmd_bench(config: Config, args: argparse.Namespace) -> int:
    """`bench`: every benchmark figure in one run (see BENCHMARKS.md)."""
    from bench.run import main as bench_main

    argv = [flag for flag, on in (("--json", args.json), ("--quick", args.quick),
                                  ("--rebuild", args.rebuild)) if on]
    if args.config:
        argv += ["--config", args.config]
    return bench_main(argv)


def cmd_run(config: Config, args: argparse.Namespace) -> int:
    """`run`: start the Discord bot (token from DISCORD_TOKEN only)."""
    from bot.discord_app import run_bot

    return run_bot(config)


def _add_filters(p: argparse.ArgumentParser) -> None:
    p.add_argument("--channel", help="only this channel (e.g. 'BBC News')")
    p.add_argument("--since", type=iso_date, help="published on or after YYYY-MM-DD")
    p.add_argument("--until", type=iso_date, help="published on or before YYYY-MM-DD")
    p.add_argument("--video", help="only this video id")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every subcommand."""
    parser = argparse.ArgumentParser(prog="newsreel", description=__doc__)
    parser.add_argument("--config", help="TOML config file (default: $NEWSREEL_CONFIG)")
    parser.add_argument("--debug", action="store_true", help="show tracebacks and debug logs")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("ingest", help="ingest transcript files or folders")
    p.add_argument("paths", nargs="+", type=Path)
    p.add_argument(
        "--timings",
        action="append",
        type=Path,
        default=[],
        help="folder of .vtt/.srt captions matched to transcripts by video id",
    )
    p.set_defaults(func=cmd_ingest, needs_model=True)

    p = sub.add_parser("search", help="search passages (use --json for the machine format)")
    p.add_argument("question", help="the question, or - to read one per line from stdin")
    p.add_argument("-k", type=positive_int, default=5)
    p.add_argument("--json", action="store_true")
    _add_filters(p)
    p.set_defaults(func=cmd_search, needs_model=True)

    p = sub.add_parser("ask", help="answer a question with quoted passages")
    p.add_argument("question")
    p.add_argument("-k", type=positive_int, default=3)
    _add_filters(p)
    p.set_defaults(func=cmd_ask, needs_model=True)

    p = sub.add_parser("quote", help="find the closest verbatim occurrence of a line")
    p.add_argument("text")
    _add_filters(p)
    p.set_defaults(func=cmd_quote, needs_model=True)

    p = sub.add_parser("watch", help="ingest transcripts as they arrive in folders (Ctrl-C stops)")
    p.add_argument("dirs", nargs="*", type=Path)
    p.set_defaults(func=cmd_watch, needs_model=True)

    p = sub.add_parser("rebuild", help="rebuild catalog and vector index from the transcripts")
    p.add_argument("paths", nargs="*", type=Path,
                   help="transcript files or folders (default: those the catalog lists)")
    p.add_argument("--timings", action="append", type=Path, default=[])
    p.set_defaults(func=cmd_rebuild, needs_model=None)

    p = sub.add_parser("bench", help="benchmarks: ingest, query latency, 100k/1M scale")
    p.add_argument("--json", action="store_true", help="one JSON object instead of a table")
    p.add_argument("--quick", action="store_true", help="skip the 1M-chunk store")
    p.add_argument("--rebuild", action="store_true", help="rebuild the cached large stores")
    p.set_defaults(func=cmd_bench, needs_model=None)

    p = sub.add_parser("run", help="start the Discord bot (token from $DISCORD_TOKEN)")
    p.set_defaults(func=cmd_run, needs_model=None)

    p = sub.add_parser("stats", help="videos, chunks, channels, last ingest")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_stats, needs_model=False)
    return parser


def open_library(config: Config, needs_model: bool) -> Library:
    """The library; commands that never embed get a stand-in that refuses to."""
    if needs_model:
        return build_library(config)
    from store.embedder import MetadataOnlyEmbedder

    return build_library(config, MetadataOnlyEmbedder(config.model.name))


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `newsreel` console script."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.debug else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    if not args.debug:
        quiet_libraries()
    try:
        config = load_config(args.config)
        if args.needs_model is None:  # commands that build their own library, or none
            return int(args.func(config, args))
        lib = open_library(config, args.needs_model)
        try:
            if args.func in (cmd_search, cmd_ask, cmd_quote):
                lib.check()
            return int(args.func(lib, args))
        finally:
            lib.close()
    except NewsreelError as err:
        if args.debug:
            log.exception("failed")
        print(f"newsreel: error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("newsreel: interrupted", file=sys.stderr)
        return 130
    except Exception as err:  # one clear line; --debug shows the traceback
        if args.debug:
            raise
        print(
            f"newsreel: unexpected error: {err.__class__.__name__}: {err}"
            " (run with --debug for details)",
            file=sys.stderr,
        )
        return 2


def quiet_libraries() -> None:
    """Silence model-loading progress bars and chatty library warnings."""
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TQDM_DISABLE", "1")  # transformers' weight-loading bar
    import warnings

    warnings.filterwarnings("ignore", category=FutureWarning)
    for name in ("chromadb", "sentence_transformers", "transformers", "httpx"):
        logging.getLogger(name).setLevel(logging.ERROR)


if __name__ == "__main__":
    raise SystemExit(main())
