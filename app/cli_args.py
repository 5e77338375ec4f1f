"""What the command line was given: checks and tidying before any store or model opens."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable

from app.config import Config
from app.wiring import catalog_path
from service.arguments import (
    check_line,
    check_question,
    cli_option,
    date_range,
    parse_count,
    search_filters,
)
from store.errors import NewsreelError
from store.index import Catalog
from store.records import SearchFilters


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


def inputs(value: str) -> Iterable[str]:
    """The one typed value, or with `-` each non-blank stdin line (read as it arrives)."""
    if value != "-":
        return [value]
    return (line.strip() for line in sys.stdin if line.strip())


def add_filters(p: argparse.ArgumentParser) -> None:
    p.add_argument("--channel", help="only this channel (e.g. 'BBC News')")
    p.add_argument("--since", help="published on or after YYYY-MM-DD")
    p.add_argument("--until", help="published on or before YYYY-MM-DD")
    p.add_argument("--video", help="only this video (its id or YouTube link)")
