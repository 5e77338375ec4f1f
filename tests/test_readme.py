"""The README's commands are real: subcommands exist, make targets exist, CI runs `make test`."""

from __future__ import annotations

import re
from pathlib import Path

from bot.cli import build_parser

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_every_newsreel_subcommand_in_the_readme_exists() -> None:
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    known = set(sub.choices)  # type: ignore[arg-type]
    mentioned = set(re.findall(r"(?:^|[\s`])newsreel ([a-z]+)", README))
    assert mentioned, "the README shows no newsreel commands"
    assert mentioned <= known, mentioned - known


def test_the_two_setup_commands_exist_and_ci_runs_the_test_command() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    for target in ("demo", "test"):
        assert f"make {target}" in README
        assert re.search(rf"^{target}:", makefile, re.M)
    assert "make test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_every_config_example_setting_loads() -> None:
    from bot.config import load_config

    load_config(ROOT / "config.example.toml")
