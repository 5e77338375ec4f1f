"""The README's commands are real: subcommands exist, make targets exist, CI runs `make test`."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from app.cli import build_parser
from app.cli_args import check_arguments
from app.wiring import Library
from service.arguments import cli_option, search_filters

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
    from app.config import load_config

    load_config(ROOT / "config.example.toml")


def shown_commands() -> list[list[str]]:
    """Every question the README and the Makefile show, as `newsreel` arguments."""
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    commands = [["ask", q] for q in re.findall(r"^QUESTION \?= (.+)$", makefile, re.M)]
    commands += [["ask", " ".join(q.split())] for q in re.findall(r'QUESTION="([^"…]+)"', README)]
    for line in re.findall(r"^newsreel ((?:ask|search|quote) .+?)(?:\s+#.*)?$", README, re.M):
        argv = shlex.split(line)
        if "-" not in argv:  # questions from stdin are the reader's own
            commands.append(argv)
    # The example /ask answer in the README.
    commands += [["ask", q] for q in re.findall(r"^> \*\*“(.+?)”\*\*$", README, re.M)]
    return commands


def test_the_readme_shows_questions_of_every_kind() -> None:
    kinds = {argv[0] for argv in shown_commands()}
    assert kinds == {"ask", "search", "quote"}, shown_commands()


@pytest.mark.model
def test_every_question_the_readme_shows_finds_something(full_library: Library) -> None:
    catalog = full_library.catalog
    for argv in shown_commands():
        args = build_parser().parse_args(argv)
        check_arguments(args)
        filters = search_filters(
            args.channel, args.since, args.until, catalog.channels(), args.video,
            lambda video_id: catalog.video(video_id) is not None, cli_option,
        )
        if args.command == "quote":
            match = full_library.searcher.quote(args.text, filters)
            assert match is not None and match.similarity >= 0.8, argv
        else:
            assert full_library.searcher.search(args.question, k=args.k, filters=filters), argv
