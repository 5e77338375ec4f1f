"""`newsreel fetch`, `subscribe`, `unsubscribe` and `subscriptions`: following channels."""

from __future__ import annotations

import argparse
import json
import logging
import sys

from app.cli_args import UsageError
from app.cli_help import command_help
from app.wiring import Library
from service.arguments import BadArgument
from service.subscriptions import check_url


def cmd_fetch(lib: Library, args: argparse.Namespace) -> int:
    """One poll of every subscription (or the URLs given); exit 1 when something failed."""
    subs = lib.subscriptions
    if not args.debug:  # each failure is printed below; the log's version is the bot's
        logging.getLogger("newsreel.subscriptions").setLevel(logging.ERROR)
    if not args.urls and not subs.listing():
        raise UsageError("nothing to fetch: name a URL, or subscribe to one first"
                         " (`newsreel subscribe URL`, or [subscriptions] urls in the config)")
    report = subs.poll(args.urls or None)
    for failure in report.failed:
        print(f"newsreel: {failure.line()}", file=sys.stderr)
    for warning in report.ingest.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    print(report.summary_line(), file=sys.stderr)
    if args.json:
        print(json.dumps(report.to_json(), ensure_ascii=False))
    return 0 if report.ok else 1


def cmd_subscribe(lib: Library, args: argparse.Namespace) -> int:
    """Add subscriptions (any http(s) URL: the terminal is the operator's)."""
    added = set(lib.subscriptions.subscribe(args.urls))
    for url in dict.fromkeys(u.strip() for u in args.urls):
        print(f"subscribed {url}" if url in added else f"already subscribed {url}")
    return 0


def cmd_unsubscribe(lib: Library, args: argparse.Namespace) -> int:
    """Remove subscriptions (their videos stay); exit 1 when one was not subscribed."""
    missing = 0
    for url in args.urls:
        if lib.subscriptions.unsubscribe(url):
            print(f"unsubscribed {url.strip()} (its videos stay searchable)")
        else:
            missing += 1
            print(f"newsreel: not subscribed: {url.strip()}", file=sys.stderr)
    return 1 if missing else 0


def cmd_subscriptions(lib: Library, args: argparse.Namespace) -> int:
    """List the subscriptions with their last poll."""
    subs = lib.subscriptions.listing()
    if args.json:
        print(json.dumps([s.to_json() for s in subs], ensure_ascii=False))
        return 0
    if not subs:
        print("no subscriptions: `newsreel subscribe URL` or [subscriptions] urls in the config")
    for s in subs:
        state = (f"failing: {s.last_error}" if s.last_error
                 else f"last poll {s.last_poll}" if s.last_poll else "not polled yet")
        print(f"{s.url}  ({s.origin}, {s.videos} videos, {state})")
    return 0


def _url(text: str) -> str:
    try:
        return check_url(text)
    except BadArgument as err:  # argparse makes it a usage error (exit 2)
        raise argparse.ArgumentTypeError(str(err)) from None


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `fetch`, `subscribe`, `unsubscribe` and `subscriptions` to the subcommands."""
    p = sub.add_parser("fetch", **command_help(
        "poll followed channels once (or the URLs given) and ingest their new videos' captions",
        "Polls every subscription once with yt-dlp (or only the URLs given, which are not"
        " subscribed by this), downloads the English captions and info.json of videos not seen"
        " yet, never the media, and ingests them as `newsreel ingest` does.",
        "the subscriptions in the catalog and [subscriptions] urls in the config; the channels",
        "caption files under data_dir/subscriptions/, the catalog, keyword and vector indexes",
        "newsreel fetch --json",
    ))
    p.add_argument("urls", nargs="*", type=_url, metavar="URL",
                   help="channels, playlists or feeds to poll instead (not subscribed by this)")
    p.add_argument("--json", action="store_true", help="one JSON object on stdout")
    p.set_defaults(func=cmd_fetch, needs_model=True)

    p = sub.add_parser("subscribe", **command_help(
        "follow channels, playlists or feeds (http(s) URLs)",
        "Adds each URL to the subscriptions that `newsreel fetch` and the bot poll; the first"
        " poll of a new one brings its newest [subscriptions] backfill videos.",
        "the URLs given (checked: http or https only)",
        "the subscriptions table in the catalog (data_dir/catalog.sqlite3)",
        "newsreel subscribe https://www.youtube.com/@BBCNews/videos",
    ))
    p.add_argument("urls", nargs="+", type=_url, metavar="URL",
                   help="a channel (https://www.youtube.com/@BBCNews/videos), playlist or feed")
    p.set_defaults(func=cmd_subscribe, needs_model=False)

    p = sub.add_parser("unsubscribe", **command_help(
        "stop following (the videos fetched stay)",
        "Removes each URL from the subscriptions; the videos it brought stay searchable.",
        "the subscriptions table in the catalog",
        "the subscriptions table in the catalog (nothing else)",
        "newsreel unsubscribe https://www.youtube.com/@BBCNews/videos",
    ))
    p.add_argument("urls", nargs="+", metavar="URL", help="as `newsreel subscriptions` lists it")
    p.set_defaults(func=cmd_unsubscribe, needs_model=False)

    p = sub.add_parser("subscriptions", **command_help(
        "list followed channels and their last poll",
        "Lists every subscription, from the config or added, with its last poll, its last error"
        " and how many videos it brought.",
        "the subscriptions table in the catalog and [subscriptions] urls in the config",
        "stdout (a JSON list with --json); an empty store is made when the data folder has none",
        "newsreel subscriptions --json",
    ))
    p.add_argument("--json", action="store_true", help="a JSON list")
    p.set_defaults(func=cmd_subscriptions, needs_model=False)
