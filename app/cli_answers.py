"""`newsreel search`, `ask`, `quote` and `stats`: the bot's answers, for a terminal or a script."""

from __future__ import annotations

import argparse
import json
import sys

from app.cli_args import add_filters, inputs, make_filters
from app.cli_help import command_help
from app.render_terminal import render_answer, render_quote_match
from app.wiring import Library
from service.arguments import MAX_K
from service.requests import ASK_K, AskRequest, QuoteRequest


def cmd_search(lib: Library, args: argparse.Namespace) -> int:
    """`search --json`: one object per question (a stream of them with `-`)."""
    filters = make_filters(args)
    for q in inputs(args.question):
        answer = lib.answers.search_answer(AskRequest(q, filters, args.k))
        if args.json:
            obj: dict[str, object] = {"question": q, "hits": [h.to_json() for h in answer.hits]}
            if answer.reason:
                obj["reason"] = answer.reason
            print(json.dumps(obj, ensure_ascii=False), flush=True)
        else:
            text = render_answer(q, answer.hits, answer.filters, answer.in_scope,
                                 bold=sys.stdout.isatty())
            print(text, end="\n\n", flush=True)
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
        answer = lib.answers.quote_answer(QuoteRequest(text, filters))
        if args.json:
            obj: dict[str, object] = {
                "text": text, "match": answer.match.to_json() if answer.match else None
            }
            if answer.reason:
                obj["reason"] = answer.reason
            print(json.dumps(obj, ensure_ascii=False), flush=True)
        else:
            shown = render_quote_match(answer.match, filters, answer.in_scope,
                                       bold=sys.stdout.isatty())
            print(shown, flush=True)
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


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `search`, `ask`, `quote` and `stats` to the subcommands."""
    p = sub.add_parser("search", **command_help(
        "search passages (use --json for the machine format)",
        "Search the ingested videos for a question: the best passages, ranked, as text or with"
        " --json one object per question ({\"question\", \"hits\"}, and \"reason\" when"
        " hits is empty). With - it answers one question per stdin line.",
        "the store in the data folder; stdin with -.",
        "stdout only: the store is not changed.",
        'newsreel search --json -k 3 --since 2026-01-01 "gold price record"',
    ))
    p.add_argument("question", help="the question, or - to read one per line from stdin")
    p.add_argument("-k", default=5, help=f"passages to return, 1 to {MAX_K} (default 5)")
    p.add_argument("--json", action="store_true", help="one JSON object per question")
    add_filters(p)
    p.set_defaults(func=cmd_search, reads_only=True, needs_model=True, checks_store=True)

    p = sub.add_parser("ask", **command_help(
        "answer a question with quoted passages",
        "Answer a question as the bot does: the passages that answer it, quoted verbatim from"
        " the transcripts, each with its video's title, channel, date and a link to the moment;"
        " or one line saying why there is none.",
        "the store in the data folder.",
        "stdout only: the store is not changed.",
        'newsreel ask "what did the met police say about mandelson"',
    ))
    p.add_argument("question", help="the question, e.g. 'how bad are the floods in Mozambique'")
    p.add_argument("-k", default=ASK_K, help=f"passages to show, 1 to {MAX_K} (default {ASK_K})")
    add_filters(p)
    p.set_defaults(func=cmd_ask, reads_only=True, needs_model=True, checks_store=True)

    p = sub.add_parser("quote", **command_help(
        "find the closest verbatim occurrence of a line",
        "Find the exact words of a line you half remember: its closest occurrence in the"
        " transcripts, with the words around it, its source and a link to the moment; --json"
        " gives one object per line ({\"text\", \"match\"}, and \"reason\" when match is"
        " null). With - it reads one line per stdin line.",
        "the store in the data folder; stdin with -.",
        "stdout only: the store is not changed.",
        'newsreel quote "worst flooding in decades"',
    ))
    p.add_argument("text", help="the line as you remember it, or - to read one per line from stdin")
    p.add_argument("--json", action="store_true", help="one JSON object per line")
    add_filters(p)
    p.set_defaults(func=cmd_quote, reads_only=True, needs_model=True, checks_store=True)

    p = sub.add_parser("stats", **command_help(
        "videos, chunks, channels, last ingest",
        "Say what is ingested: videos, chunks, videos per channel (the names --channel takes),"
        " the time of the last ingest and which data folder is used.",
        "the catalog in the data folder.",
        "stdout only (--json: one object).",
        "newsreel stats --json",
    ))
    p.add_argument("--json", action="store_true", help="one JSON object")
    p.set_defaults(func=cmd_stats, reads_only=True, needs_model=False)
