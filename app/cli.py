"""The `newsreel` command line: library first, this is only the front door."""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TextIO

from app.config import Config, load_config
from app.logs import configure_logging
from app.render_terminal import render_answer, render_quote_match
from app.wiring import Library, build_library, catalog_path, rebuild_library
from service.arguments import (
    MAX_K,
    check_line,
    check_question,
    cli_option,
    date_range,
    parse_count,
    search_filters,
)
from service.requests import ASK_K, AskRequest, QuoteRequest
from store.errors import NewsreelError
from store.index import Catalog
from store.ingest import IngestReport
from store.records import SearchFilters

log = logging.getLogger("newsreel")

PROGRESS_EVERY_S = 15.0  # without a terminal: a progress line at most this often


USAGE_EXAMPLES = """examples:
  newsreel ingest ../shared/corpus --timings ../shared/corpus_timed
  newsreel ask "what did the met police say about mandelson"
  newsreel quote "worst flooding in decades"
  newsreel search --json --channel "BBC News" --since 2026-01-01 "gold price record"

The store lives in the data folder: `data_dir` in the config (default ./data, relative to where
you run newsreel), or $NEWSREEL_DATA_DIR. `newsreel stats` shows which one is used."""


class UsageError(NewsreelError):
    """A bad command-line argument."""


def check_arguments(args: argparse.Namespace) -> None:
    """Tidy and check what was typed, before any store or model opens; BadArgument says why."""
    if getattr(args, "question", "-") != "-":
        args.question = check_question(args.question)
    if getattr(args, "text", "-") != "-":
        args.text = check_line(args.text)
    if hasattr(args, "k"):
        args.k = parse_count(args.k)
    if hasattr(args, "since"):
        args.since, args.until = date_range(args.since, args.until, cli_option)


def resolve_names(config: Config, args: argparse.Namespace) -> None:
    """Replace --channel and --video by the channel and video id they name in the catalog."""
    if getattr(args, "channel", None) is None and getattr(args, "video", None) is None:
        return
    catalog = Catalog(catalog_path(config), read_only=True)  # before the model loads
    try:
        found = search_filters(
            args.channel, args.since, args.until, catalog.channels(), args.video,
            lambda video_id: catalog.video(video_id) is not None, cli_option,
        )
    finally:
        catalog.close()
    args.channel, args.video = found.channel, found.video_id


def make_filters(args: argparse.Namespace) -> SearchFilters:
    """Search filters from --channel/--since/--until/--video (checked by the two steps above)."""
    return SearchFilters(
        channel=getattr(args, "channel", None),
        since=getattr(args, "since", None),
        until=getattr(args, "until", None),
        video_id=getattr(args, "video", None),
    )


def _progress_bar(stream: TextIO) -> tuple[Callable[[int, int], None] | None, Callable[[], None]]:
    """A rich progress bar when `stream` is a terminal; otherwise a plain line at most every
    PROGRESS_EVERY_S seconds (logs of `make demo`, CI, a service), so a long ingest shows life."""
    if not stream.isatty():
        return _progress_lines(stream), lambda: None
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


def _progress_lines(stream: TextIO) -> Callable[[int, int], None]:
    last = time.monotonic()

    def update(done: int, total: int) -> None:
        nonlocal last
        now = time.monotonic()
        if now - last >= PROGRESS_EVERY_S and done < total:
            last = now
            print(f"ingesting: {done} of {total} files done", file=stream, flush=True)

    return update


def check_inputs(args: argparse.Namespace) -> None:
    """Raise UsageError naming the first transcript path or `--timings` folder that is missing.

    A mistyped timings folder would otherwise ingest every video without its cue times.
    """
    missing = [p for p in args.paths if not p.exists()]
    if missing:
        raise UsageError(f"no such file or folder: {missing[0]}")
    absent = [t for t in args.timings if not t.is_dir()]
    if absent:
        raise UsageError(f"--timings: no such folder: {absent[0]}")


def cmd_ingest(lib: Library, args: argparse.Namespace) -> int:
    """Ingest files and folders; exit 1 when any file was rejected."""
    check_inputs(args)
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


def inputs(value: str) -> Iterable[str]:
    """The one typed value, or with `-` each non-blank stdin line (read as it arrives)."""
    if value != "-":
        return [value]
    return (line.strip() for line in sys.stdin if line.strip())


def cmd_search(lib: Library, args: argparse.Namespace) -> int:
    """`search --json`: one object per question (a stream of them with `-`)."""
    filters = make_filters(args)
    for q in inputs(args.question):
        hits = lib.answers.search(AskRequest(q, filters, args.k))
        if args.json:
            obj = {"question": q, "hits": [h.to_json() for h in hits]}
            print(json.dumps(obj, ensure_ascii=False), flush=True)
        else:
            print(render_answer(q, hits, bold=sys.stdout.isatty()), end="\n\n", flush=True)
    return 0


def cmd_ask(lib: Library, args: argparse.Namespace) -> int:
    """`ask`: the bot's answer, for a terminal."""
    answer = lib.answers.ask(AskRequest(args.question, make_filters(args), args.k))
    if not answer.hits and not lib.catalog.chunk_count():
        # Usually a data folder other than the one ingested into (it is relative to the cwd).
        print(f"Nothing is ingested in {lib.config.store.data_dir.resolve()} yet: run"
              " `newsreel ingest PATH…` first, or set NEWSREEL_DATA_DIR to your data folder.")
        return 0
    print(render_answer(answer.question, answer.hits, answer.filters, answer.in_scope,
                        bold=sys.stdout.isatty()))
    return 0


def cmd_quote(lib: Library, args: argparse.Namespace) -> int:
    """`quote [--json]`: the closest verbatim occurrence of a line (a stream of them with `-`)."""
    filters = make_filters(args)
    for text in inputs(args.text):
        match = lib.answers.quote(QuoteRequest(text, filters))
        if args.json:
            obj = {"text": text, "match": match.to_json() if match else None}
            print(json.dumps(obj, ensure_ascii=False), flush=True)
        else:
            print(render_quote_match(match, bold=sys.stdout.isatty()), flush=True)
    return 0


def cmd_stats(lib: Library, args: argparse.Namespace) -> int:
    """`stats`: videos, chunks, channels, last ingest."""
    stats = lib.answers.stats()
    if args.json:
        print(json.dumps(stats, ensure_ascii=False))
    else:
        chans = ", ".join(f"{k} {v}" for k, v in stats["channels"].items()) or "none"  # type: ignore[attr-defined]
        print(
            f"{stats['videos']} videos, {stats['chunks']} chunks ({chans}); "
            f"last ingest {stats['last_ingest'] or 'never'}; data in"
            f" {lib.config.store.data_dir.resolve()}"
        )
    return 0


def cmd_watch(lib: Library, args: argparse.Namespace) -> int:
    """`watch`: ingest transcripts as they arrive in folders, until Ctrl-C."""
    from app.watcher import run_watch

    dirs = args.dirs or list(lib.config.alerts.inboxes)
    if not dirs:
        raise UsageError("name a folder to watch, or set [alerts] inboxes")
    return run_watch(lib, dirs)


def cmd_rebuild(config: Config, args: argparse.Namespace) -> int:
    """`rebuild`: restore consistency by re-ingesting the transcripts into fresh stores."""
    check_inputs(args)
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
    from app.serve import run_bot

    return run_bot(config)


def _add_filters(p: argparse.ArgumentParser) -> None:
    p.add_argument("--channel", help="only this channel (e.g. 'BBC News')")
    p.add_argument("--since", help="published on or after YYYY-MM-DD")
    p.add_argument("--until", help="published on or before YYYY-MM-DD")
    p.add_argument("--video", help="only this video (its id or YouTube link)")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every subcommand."""
    parser = argparse.ArgumentParser(
        prog="newsreel",
        description="Ask what news videos said: answers quote the transcripts verbatim, with a"
        " link to the moment.",
        epilog=USAGE_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--config", help="TOML config file (default: $NEWSREEL_CONFIG)")
    parser.add_argument("--debug", action="store_true", help="show tracebacks and debug logs")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("ingest", help="ingest transcript files or folders")
    p.add_argument("paths", nargs="+", type=Path, help="transcript files or folders")
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
    p.add_argument("-k", default=5, help=f"passages to return, 1 to {MAX_K} (default 5)")
    p.add_argument("--json", action="store_true", help="one JSON object per question")
    _add_filters(p)
    p.set_defaults(func=cmd_search, reads_only=True, needs_model=True)

    p = sub.add_parser("ask", help="answer a question with quoted passages")
    p.add_argument("question", help="the question, e.g. 'how bad are the floods in Mozambique'")
    p.add_argument("-k", default=ASK_K, help=f"passages to show, 1 to {MAX_K} (default {ASK_K})")
    _add_filters(p)
    p.set_defaults(func=cmd_ask, reads_only=True, needs_model=True)

    p = sub.add_parser("quote", help="find the closest verbatim occurrence of a line")
    p.add_argument("text", help="the line as you remember it, or - to read one per line from stdin")
    p.add_argument("--json", action="store_true", help="one JSON object per line")
    _add_filters(p)
    p.set_defaults(func=cmd_quote, reads_only=True, needs_model=True)

    p = sub.add_parser("watch", help="ingest transcripts as they arrive in folders (Ctrl-C stops)")
    p.add_argument("dirs", nargs="*", type=Path, help="folders (default: [alerts] inboxes)")
    p.set_defaults(func=cmd_watch, needs_model=True)

    about = (
        "rebuild catalog, vector and keyword index from the transcripts (the old catalog is kept"
        " aside as catalog.sqlite3.before-rebuild-TIME)"
    )
    p = sub.add_parser("rebuild", help=about, description=about)
    p.add_argument("paths", nargs="*", type=Path,
                   help="transcript files or folders (default: those the catalog lists)")
    p.add_argument("--timings", action="append", type=Path, default=[],
                   help="folder of .vtt/.srt captions matched to transcripts by video id")
    p.set_defaults(func=cmd_rebuild, needs_model=None)

    p = sub.add_parser(
        "bench",
        help="benchmarks: ingest, query latency, 100k/1M scale (the first run builds the big"
        " stores, about 15 min; --quick skips 1M)",
    )
    p.add_argument("--json", action="store_true", help="one JSON object instead of a table")
    p.add_argument("--quick", action="store_true", help="skip the 1M-chunk store")
    p.add_argument("--rebuild", action="store_true", help="rebuild the cached large stores")
    p.set_defaults(func=cmd_bench, needs_model=None)

    p = sub.add_parser("run", help="start the Discord bot (token from $DISCORD_TOKEN)")
    p.set_defaults(func=cmd_run, needs_model=None)

    p = sub.add_parser("stats", help="videos, chunks, channels, last ingest")
    p.add_argument("--json", action="store_true", help="one JSON object")
    p.set_defaults(func=cmd_stats, reads_only=True, needs_model=False)
    for sub_parser in sub.choices.values():
        sub_parser.set_defaults(subcommand_parser=sub_parser)  # whose usage a refusal shows
    return parser


def parse_arguments(
    parser: argparse.ArgumentParser, argv: Sequence[str] | None
) -> argparse.Namespace:
    """Parsed arguments; exits 2 with the subcommand's own usage (`newsreel ask --bogus` shows
    how to call `ask`, not the list of every command) on an option it does not take."""
    args, unknown = parser.parse_known_args(argv)
    if unknown:
        owner: argparse.ArgumentParser = getattr(args, "subcommand_parser", parser)
        owner.error(f"unrecognized arguments: {' '.join(unknown)}")
    return args


def open_library(config: Config, needs_model: bool, read_only: bool = False) -> Library:
    """The library; commands that never embed get a stand-in that refuses to."""
    if needs_model:
        return build_library(config, read_only=read_only)
    from store.encoders import MetadataOnlyEmbedder

    return build_library(config, MetadataOnlyEmbedder(config.model.name), read_only=read_only)


def run_command(args: argparse.Namespace) -> int:
    """Check the arguments, load the config, open what the command needs and run it."""
    check_arguments(args)
    config = load_config(args.config)
    if args.needs_model is None:  # commands that build their own library, or none
        return int(args.func(config, args))
    reads_only = getattr(args, "reads_only", False)
    if reads_only and not catalog_path(config).exists():
        # Usually a data folder other than the one ingested into (it is relative to the cwd);
        # reading must not leave an empty store behind there.
        raise NewsreelError(
            f"nothing is ingested in {config.store.data_dir.resolve()}: run"
            " `newsreel ingest PATH…` first, or set NEWSREEL_DATA_DIR to your data folder"
        )
    resolve_names(config, args)
    lib = open_library(config, args.needs_model, reads_only)
    try:
        if args.func in (cmd_search, cmd_ask, cmd_quote):
            lib.check()
        return int(args.func(lib, args))
    finally:
        lib.close()


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `newsreel` console script."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    args = parse_arguments(build_parser(), argv)
    configure_logging(args.debug)
    try:
        code = run_command(args)
        if sys.stdout is not None:  # None when started with stdout closed
            sys.stdout.flush()  # a closed pipe shows here, not at exit
        return code
    except BrokenPipeError:
        # The reader (e.g. `head`) has what it wanted: stop quietly, as Unix tools do. Output
        # still buffered goes nowhere, so that exiting does not raise the error again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 128 + signal.SIGPIPE
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


if __name__ == "__main__":
    raise SystemExit(main())
