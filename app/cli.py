"""The `newsreel` command line: library first, this is only the front door."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
from collections.abc import Sequence

from app import cli_answers, cli_coverage, cli_ingest, cli_subscriptions
from app.cli_args import check_arguments, resolve_names
from app.cli_help import command_help
from app.config import Config, load_config
from app.logs import configure_logging
from app.wiring import Library, build_library, catalog_path
from store.errors import NewsreelError

log = logging.getLogger("newsreel")

USAGE_EXAMPLES = """examples:
  newsreel ingest ../shared/corpus --timings ../shared/corpus_timed
  newsreel ask "what did the met police say about mandelson"
  newsreel quote "worst flooding in decades"
  newsreel search --json --channel "BBC News" --since 2026-01-01 "gold price record"

The store lives in the data folder: `data_dir` in the config (default ./data, relative to where
you run newsreel), or $NEWSREEL_DATA_DIR. `newsreel stats` shows which one is used."""


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


def register_admin(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `bench` and `run` to the subcommands."""
    p = sub.add_parser("bench", **command_help(
        "benchmarks: ingest, query latency, 100k/1M scale (--quick skips 1M)",
        "Measure ingest speed, question latency, memory and disk on the corpus and on stores of"
        " 100k and 1M chunks (embedded and behind a Chroma server), printed as one table"
        " (BENCHMARKS.md explains it). The first run builds the big stores: about 15 min.",
        "../shared/corpus, ../shared/corpus_timed and ../shared/eval/dev_questions.jsonl;"
        " the config's model settings.",
        "the big stores, cached in bench/.cache (several GB; --rebuild makes them again);"
        " progress on stderr, the table (or --json) on stdout.",
        "newsreel bench --quick",
    ))
    p.add_argument("--json", action="store_true", help="one JSON object instead of a table")
    p.add_argument("--quick", action="store_true", help="skip the 1M-chunk store")
    p.add_argument("--rebuild", action="store_true", help="rebuild the cached large stores")
    p.set_defaults(func=cmd_bench, needs_model=None)

    p = sub.add_parser("run", **command_help(
        "start the Discord bot (token from $DISCORD_TOKEN)",
        "Start the Discord bot until Ctrl-C or SIGTERM: it answers the slash commands (/ask,"
        " /quote, /latest, /follow, …), ingests transcripts arriving in [alerts] inboxes and"
        " posts new-video alerts and follow notices. README.md's Discord section sets it up.",
        "the bot token from $DISCORD_TOKEN (never from the config), the config, the store in"
        " the data folder, the [alerts] inboxes.",
        "the store (videos from the inboxes), the bot's alert channels and follows in the data"
        " folder; its log on stderr.",
        "DISCORD_TOKEN=your-bot-token newsreel run",
    ))
    p.set_defaults(func=cmd_run, needs_model=None)


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

    for register in (cli_ingest.register, cli_answers.register, cli_subscriptions.register,
                     cli_coverage.register,
                     register_admin):
        register(sub)
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
        if getattr(args, "checks_store", False):
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
    configure_logging(args.debug, bot=args.command == "run")
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
