"""`newsreel trend` checks its arguments as `ask` does."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from app.cli import build_parser
from app.cli_args import check_arguments, resolve_names
from app.wiring import Library
from service.arguments import BadArgument
from tests.fixtures_store import CORPUS, config_for


def test_the_cli_resolves_a_misspelt_channel_as_ask_does(
    make_library: Callable[..., Library], tmp_path: Path
) -> None:
    lib = make_library()
    lib.ingest([CORPUS])
    args = build_parser().parse_args(["trend", "greenland", "--channel", "BBC Nwes"])
    check_arguments(args)
    with pytest.raises(BadArgument, match="Did you mean “BBC News”"):
        resolve_names(config_for(tmp_path / "data"), args)
    args = build_parser().parse_args(["trend", "greenland", "--channel", "bbc news"])
    resolve_names(config_for(tmp_path / "data"), args)
    assert args.channel == "BBC News"
