"""Each subcommand's --help: what it does, what it reads and writes, and one example.

Every subcommand is made with `command_help` (tests/app/test_cli_help.py checks them all), so
`newsreel X --help` answers a newcomer's three questions before they run it.
"""

from __future__ import annotations

import argparse
import textwrap
from typing import Any

WIDTH = 88


def command_help(summary: str, does: str, reads: str, writes: str, example: str) -> dict[str, Any]:
    """Keyword arguments for `add_parser`: `summary` for the command list, and a description
    (what it does, "reads:", "writes:") and an "example:" epilog for `--help`."""

    def labelled(label: str, text: str) -> str:
        return textwrap.fill(text, WIDTH, initial_indent=f"{label:<8}", subsequent_indent=" " * 8)

    description = "\n".join(
        [textwrap.fill(does, WIDTH), "", labelled("reads:", reads), labelled("writes:", writes)]
    )
    return {
        "help": summary,
        "description": description,
        "epilog": f"example:\n  {example}",
        "formatter_class": argparse.RawDescriptionHelpFormatter,
    }
