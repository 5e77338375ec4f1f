"""`newsreel ingest`, `watch` and `rebuild`: transcripts into the store, with progress."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TextIO

from app.cli_args import UsageError, check_inputs
from app.cli_help import command_help
from app.config import Config
from app.wiring import Library, rebuild_library
from store.ingest import IngestReport
from store.sources import discover

PROGRESS_EVERY_S = 15.0  # without a terminal: a progress line at most this often


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


def cmd_ingest(lib: Library, args: argparse.Namespace) -> int:
    """Ingest files and folders; exit 1 when any file was rejected."""
    check_inputs(args)
    update, stop = _progress_bar(sys.stderr)
    try:
        report = lib.ingest(args.paths, args.timings, update)
    finally:
        stop()
    print_report(report)
    return exit_code(report, args.paths)


def exit_code(report: IngestReport, paths: Sequence[Path]) -> int:
    """2 when the store failed, 1 when a file was rejected or none was found (the "nothing
    found" line goes to stderr), else 0."""
    if report.failed:
        return 2
    empty = report.nothing_found(paths)
    if empty:
        print(f"newsreel: {empty}", file=sys.stderr)
        return 1
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
    if args.paths and not discover(args.paths):
        # Checked before the store is set aside: a mistyped folder must not empty the store.
        empty = IngestReport().nothing_found(args.paths)
        print(f"newsreel: {empty}; the store was left as it was", file=sys.stderr)
        return 1
    update, stop = _progress_bar(sys.stderr)
    try:
        lib, report = rebuild_library(config, args.paths, args.timings, progress=update)
    finally:
        stop()
    lib.close()
    print_report(report)
    return exit_code(report, args.paths)


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `ingest`, `watch` and `rebuild` to the subcommands."""
    p = sub.add_parser("ingest", **command_help(
        "ingest transcript files or folders",
        "Add transcripts to the store so questions can find them: each file is parsed, cut into"
        " overlapping windows of words and indexed (vectors and keywords). A file ingested"
        " before and unchanged is skipped; a changed one replaces its video.",
        "the files and folders given (subfolders too): seed transcripts (.txt), captions"
        " (.vtt, .srt), yt-dlp downloads (.info.json); caption folders from --timings and"
        " [ingest] timings, for the moment each word was said.",
        "the store in the data folder (catalog, vector and keyword index); a progress bar and"
        " rejected files on stderr, the summary line on stdout. Exit 1 when a file was"
        " rejected or none was found.",
        "newsreel ingest ../shared/corpus --timings ../shared/corpus_timed",
    ))
    p.add_argument("paths", nargs="+", type=Path, help="transcript files or folders")
    p.add_argument(
        "--timings",
        action="append",
        type=Path,
        default=[],
        help="folder of .vtt/.srt captions matched to transcripts by video id",
    )
    p.set_defaults(func=cmd_ingest, needs_model=True)

    p = sub.add_parser("watch", **command_help(
        "ingest transcripts as they arrive in folders (Ctrl-C stops)",
        "Keep ingesting: every transcript that appears in the folders is added to the store as"
        " soon as it is complete, until Ctrl-C. (`newsreel run` watches [alerts] inboxes too.)",
        "the folders given, else the config's [alerts] inboxes.",
        "the store in the data folder; one line per batch ingested on stdout.",
        "newsreel watch inbox",
    ))
    p.add_argument("dirs", nargs="*", type=Path, help="folders (default: [alerts] inboxes)")
    p.set_defaults(func=cmd_watch, needs_model=True)

    p = sub.add_parser("rebuild", **command_help(
        "rebuild the whole store from the transcripts",
        "Rebuild catalog, vector and keyword index from the transcripts: the way out when a"
        " check reports that they disagree (the old catalog is kept aside as"
        " catalog.sqlite3.before-rebuild-TIME).",
        "the transcript files and folders given, else those the catalog lists; --timings"
        " folders as for ingest.",
        "a fresh store in the data folder; the summary line on stdout, rejected files on stderr.",
        "newsreel rebuild ../shared/corpus --timings ../shared/corpus_timed",
    ))
    p.add_argument("paths", nargs="*", type=Path,
                   help="transcript files or folders (default: those the catalog lists)")
    p.add_argument("--timings", action="append", type=Path, default=[],
                   help="folder of .vtt/.srt captions matched to transcripts by video id")
    p.set_defaults(func=cmd_rebuild, needs_model=None)
