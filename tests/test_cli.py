"""The CLI contracts of DESIGN.md, run as a user runs them: the `newsreel` console script."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.fixtures_store import CORPUS, TIMED

NEWSREEL = str(Path(sys.executable).parent / "newsreel")


def newsreel(
    data_dir: Path, *args: str, stdin: str | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, "NEWSREEL_DATA_DIR": str(data_dir), "NEWSREEL_CONFIG": "",
                **(env or {})}
    return subprocess.run(
        [NEWSREEL, *args], input=stdin, capture_output=True, text=True, env=full_env,
        timeout=600, check=False,
    )


@pytest.fixture(scope="module")
def ingested(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = tmp_path_factory.mktemp("cli-data")
    first = newsreel(data, "ingest", str(CORPUS), "--timings", str(TIMED))
    assert first.returncode == 0, first.stderr
    assert first.stdout.strip().splitlines()[-1] == "ingested 8, unchanged 0, rejected 0"
    return data


def test_reingest_is_unchanged(ingested: Path) -> None:
    again = newsreel(ingested, "ingest", str(CORPUS), "--timings", str(TIMED))
    assert again.returncode == 0
    assert again.stdout.strip() == "ingested 0, unchanged 8, rejected 0"


def test_stats_json(ingested: Path) -> None:
    out = newsreel(ingested, "stats", "--json")
    stats = json.loads(out.stdout)
    assert stats["videos"] == 8 and stats["chunks"] > 8
    assert stats["channels"] == {"BBC News": 7, "DW News": 1}
    assert stats["last_ingest"].startswith("20")


def test_search_json_contract(ingested: Path) -> None:
    out = newsreel(ingested, "search", "--json", "-k", "3", "floods in Mozambique")
    assert out.returncode == 0, out.stderr
    obj = json.loads(out.stdout)
    assert obj["question"] == "floods in Mozambique"
    hit = obj["hits"][0]
    assert set(hit) == {"video_id", "title", "channel", "published", "quote", "start_s", "url",
                        "score"}
    assert hit["video_id"] == "kYHHg6oV8A4" and hit["published"] == "2026-01-29"
    assert isinstance(hit["start_s"], float) and "&t=" in hit["url"]
    assert len(obj["hits"]) <= 3


def test_search_batch_from_stdin(ingested: Path) -> None:
    questions = "floods in Mozambique\nwho won the eurovision song contest\n\ngold price record\n"
    out = newsreel(ingested, "search", "--json", "-k", "2", "-", stdin=questions)
    lines = [json.loads(x) for x in out.stdout.splitlines()]
    assert [x["question"] for x in lines] == [
        "floods in Mozambique", "who won the eurovision song contest", "gold price record",
    ]
    assert lines[1]["hits"] == [] and lines[0]["hits"] and lines[2]["hits"]


def test_search_filters(ingested: Path) -> None:
    out = newsreel(ingested, "search", "--json", "--channel", "DW News", "Iran Israel")
    hits = json.loads(out.stdout)["hits"]
    assert hits and {h["channel"] for h in hits} == {"DW News"}
    out = newsreel(ingested, "search", "--json", "--since", "2026-02-01", "--until",
                   "2026-02-28", "police")
    assert all("2026-02" in h["published"] for h in json.loads(out.stdout)["hits"])


def test_bad_arguments_are_one_clear_line(ingested: Path) -> None:
    out = newsreel(ingested, "search", "--json", "--since", "2026-02-30", "police")
    assert out.returncode == 2 and "not a date" in out.stderr and "Traceback" not in out.stderr
    out = newsreel(ingested, "search", "--since", "2026-03-01", "--until", "2026-02-01", "x")
    assert out.returncode == 2 and "after --until" in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1
    out = newsreel(ingested, "ingest", "/no/such/folder")
    assert out.returncode == 2 and "no such file" in out.stderr


def test_ask_and_quote_read_well(ingested: Path) -> None:
    out = newsreel(ingested, "ask", "how bad are the floods in Mozambique")
    assert out.returncode == 0
    assert "'Worst floods in a generation' sweep Mozambique | BBC News" in out.stdout
    assert "BBC News · 2026-01-29" in out.stdout
    assert "https://www.youtube.com/watch?v=" in out.stdout
    out = newsreel(ingested, "ask", "who won the eurovision song contest")
    assert out.stdout.strip() == "No coverage found for that question in the ingested videos."
    out = newsreel(ingested, "quote", "worst floods in a generation")
    assert "exact match" in out.stdout or "closest match" in out.stdout


def test_rejected_files_exit_1_and_are_named(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(CORPUS / "101_e4b1773efc433d5e.txt", folder)
    (folder / "broken.txt").write_text("<video_id>abcdefghijk</video_id>\n")
    out = newsreel(tmp_path / "data", "ingest", str(folder))
    assert out.returncode == 1
    assert out.stdout.strip() == "ingested 1, unchanged 0, rejected 1"
    assert "broken.txt" in out.stderr and "missing" in out.stderr


def test_bad_config_is_one_clear_line(tmp_path: Path) -> None:
    cfg = tmp_path / "bad.toml"
    cfg.write_text("[store]\nmode = 'cloud'\n")
    out = newsreel(tmp_path, "stats", env={"NEWSREEL_CONFIG": str(cfg)})
    assert out.returncode == 2 and "mode" in out.stderr and "Traceback" not in out.stderr
