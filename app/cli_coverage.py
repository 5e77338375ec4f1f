"""`newsreel trend` and `newsreel compare`: coverage over time and across channels."""

from __future__ import annotations

import argparse
import json
import shlex
from pathlib import Path

from app.cli_help import command_help
from app.render_terminal import render_hit
from app.wiring import Library
from service.arguments import check_question
from service.coverage import Comparison, CoverageRequest, Trend, summary_line
from store.errors import NewsreelError

TOPIC_EXAMPLE = "Greenland"


def coverage_request(args: argparse.Namespace) -> CoverageRequest:
    """The request from the (already checked) arguments."""
    topic = check_question(args.topic, "topic", TOPIC_EXAMPLE)
    return CoverageRequest(topic, args.since, args.until, getattr(args, "channel", None))


def cmd_trend(lib: Library, args: argparse.Namespace) -> int:
    """`trend`: the summary line and each channel's counts, or `--json`; `--png FILE` writes
    the chart."""
    trend = lib.coverage.trend(coverage_request(args))
    if args.png:
        from bot.coverage_chart import render_png  # matplotlib only when a chart is asked for

        try:
            Path(args.png).write_bytes(render_png(trend))
        except OSError as exc:
            raise NewsreelError(f"cannot write the chart to {args.png}: {exc.strerror}") from exc
    if args.json:
        print(json.dumps(trend.to_json(), ensure_ascii=False))
    else:
        print(render_trend(trend))
    return 0


def render_trend(trend: Trend) -> str:
    """A trend for a terminal: the summary, the videos per channel, and how to read the
    busiest day's videos."""
    lines = [summary_line(trend)]
    if trend.clamped:
        lines.append("(the range was cut to the dates of the ingested videos)")
    for channel, points in trend.series.items():
        lines.append(f"  {channel}: {sum(n for _, n in points)}")
    busiest = trend.busiest_range()
    if busiest is not None:
        ask = shlex.join(["newsreel", "ask", trend.topic, "--since", busiest[0],
                          "--until", busiest[1]])
        lines.append(f"busiest {'day' if trend.bucket == 'day' else 'week'}'s videos: {ask}")
    return "\n".join(lines)


def cmd_compare(lib: Library, args: argparse.Namespace) -> int:
    """`compare`: each channel's closest covering passage, or `--json`."""
    comparison = lib.coverage.compare(coverage_request(args))
    if args.json:
        print(json.dumps(comparison.to_json(), ensure_ascii=False))
    else:
        print(render_comparison(comparison))
    return 0


def render_comparison(comparison: Comparison) -> str:
    """Each channel's passage (verbatim, with its link), or that it did not cover the topic."""
    out = [f"{comparison.topic}: what each channel said, {comparison.since} → {comparison.until}"]
    for row in comparison.channels:
        if row.best is None or row.best.hit is None:
            out.append(f"\n{row.channel}: did not cover it")
            continue
        n = f"{row.videos} video{'s' if row.videos != 1 else ''}"
        out.append(f"\n{row.channel} ({n}):\n{render_hit(row.best.hit)}")
    return "\n".join(out)


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `trend` and `compare` to the subcommands."""
    p = sub.add_parser("trend", **command_help(
        "how many videos of each channel covered a topic, per day or week",
        "Counts, per day (or per week over a long range), the videos of each channel that cover"
        " a topic by the same test topic follows use, and prints a one-line summary; --json"
        " gives the series, --png draws the chart.",
        "the store in the data folder.",
        "stdout, and the chart to FILE with --png; the store is not changed.",
        "newsreel trend greenland --since 2026-01-01 --png greenland.png",
    ))
    p.add_argument("topic", help="the story, e.g. 'Greenland'")
    p.add_argument("--since", help="from YYYY-MM-DD (default: 90 days before the last video)")
    p.add_argument("--until", help="up to YYYY-MM-DD (default: the last video)")
    p.add_argument("--channel", help="only this channel (e.g. 'BBC News')")
    p.add_argument("--json", action="store_true", help="one JSON object")
    p.add_argument("--png", metavar="FILE", help="write the chart to FILE (PNG, 800x400)")
    # `--channel` is resolved to a known name as for `ask`, whose filters also name a video.
    p.set_defaults(func=cmd_trend, reads_only=True, needs_model=True, checks_store=True,
                   video=None)

    p = sub.add_parser("compare", **command_help(
        "each channel's closest passage on a topic, side by side",
        "Shows, for each channel that covered a topic in the range, its passage closest to the"
        " topic (verbatim, with its link), and names the channels that did not cover it.",
        "the store in the data folder.",
        "stdout only: the store is not changed.",
        'newsreel compare "iran nuclear talks" --since 2026-01-01',
    ))
    p.add_argument("topic", help="the story, e.g. 'Iran nuclear talks'")
    p.add_argument("--since", help="from YYYY-MM-DD (default: 90 days before the last video)")
    p.add_argument("--until", help="up to YYYY-MM-DD (default: the last video)")
    p.add_argument("--json", action="store_true", help="one JSON object")
    p.set_defaults(func=cmd_compare, reads_only=True, needs_model=True, checks_store=True)
