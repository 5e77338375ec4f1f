"""`newsreel ingest` through its command function, on a real store with the fake embedder."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

import pytest

from app.cli_ingest import cmd_ingest, cmd_rebuild
from app.wiring import Library
from tests.store.test_ingest import copy_corpus


def ingest(lib: Library, *paths: Path) -> int:
    return cmd_ingest(lib, argparse.Namespace(paths=list(paths), timings=[]))


def test_a_folder_without_transcripts_says_so_and_exits_1(
    make_library: Callable[..., Library], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = tmp_path / "inbox"
    (empty / "notes").mkdir(parents=True)
    (empty / "notes" / "readme.md").write_text("not a transcript")
    assert ingest(make_library(), empty) == 1
    out = capsys.readouterr()
    assert out.out.strip() == "ingested 0, unchanged 0, rejected 0"
    line = out.err.strip()
    assert line.startswith(f"newsreel: no transcript file found in {empty}:")
    assert all(ext in line for ext in (".txt", ".vtt", ".srt", ".info.json"))
    assert "\n" not in line


def test_a_folder_of_transcripts_has_no_such_line(
    make_library: Callable[..., Library], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "some"
    copy_corpus(folder, 1)
    lib = make_library()
    assert ingest(lib, folder) == 0
    assert ingest(lib, folder) == 0  # found again, unchanged: still not "nothing found"
    out = capsys.readouterr()
    assert out.err == "" and out.out.splitlines()[-1] == "ingested 0, unchanged 1, rejected 0"


def test_rebuild_from_a_folder_without_transcripts_leaves_the_store_as_it_was(
    make_library: Callable[..., Library], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder, empty = tmp_path / "some", tmp_path / "empty"
    copy_corpus(folder, 2)
    empty.mkdir()
    lib = make_library()
    assert ingest(lib, folder) == 0
    config = lib.config
    lib.close()
    assert cmd_rebuild(config, argparse.Namespace(paths=[empty], timings=[])) == 1
    line = capsys.readouterr().err.strip().splitlines()[-1]
    assert line.startswith(f"newsreel: no transcript file found in {empty}:")
    assert line.endswith("the store was left as it was")
    assert make_library(data_dir=config.store.data_dir).catalog.chunk_count() > 0
