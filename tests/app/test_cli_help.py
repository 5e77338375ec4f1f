"""Every subcommand's --help says what it does, what it reads and writes, and one example.

The check runs over every registered subcommand, so a new one must comply: give `add_parser`
`**command_help(summary, does, reads, writes, example)` (app/cli_help.py), or by hand a
description plus "reads:" and "writes:" lines and an "example:" epilog whose next line is a
runnable `newsreel NAME …` (environment assignments before it allowed).
"""

from __future__ import annotations

import argparse
import re
import shlex

import pytest

from app.cli import build_parser


def subcommands() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    [sub] = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return dict(sub.choices)


NAMES = sorted(subcommands())


def test_the_commands_a_newcomer_meets_are_all_checked() -> None:
    assert {"ingest", "ask", "search", "quote", "stats", "bench", "run"} <= set(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_help_says_what_it_does_reads_and_writes(name: str) -> None:
    sub = subcommands()[name]
    text = sub.format_help()
    assert sub.description and len(sub.description.split()) >= 8, f"{name}: no description"
    for label in ("reads:", "writes:"):
        lines = [ln for ln in text.splitlines() if ln.startswith(label)]
        assert lines and len(lines[0].split()) >= 3, f"`newsreel {name} --help` has no {label}"


@pytest.mark.parametrize("name", NAMES)
def test_help_has_an_example_that_parses(name: str) -> None:
    text = subcommands()[name].format_help()
    found = re.search(r"^example:\n  (.+)$", text, re.MULTILINE)
    assert found, f"`newsreel {name} --help` has no example"
    words = shlex.split(found.group(1))
    while words and re.fullmatch(r"[A-Z_]+=\S*", words[0]):  # DISCORD_TOKEN=… newsreel run
        words.pop(0)
    assert words[0] == "newsreel", found.group(1)
    args, unknown = build_parser().parse_known_args(words[1:])
    assert args.command == name and not unknown, found.group(1)
