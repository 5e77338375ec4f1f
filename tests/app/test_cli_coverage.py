"""`newsreel trend --json` and `compare` on the whole shared corpus, against counts made by hand.

How the hand counts were made: for each topic, `grep -il WORD /work/shared/corpus/*.txt` lists
the transcripts that mention it, `grep -oi WORD FILE | wc -l` counts the mentions in each, and
each file's <video_title> and <publish_date> were read. A video was counted as covering the topic
when its title names it or its transcript mentions it three times or more (a passing mention in
a story about something else does not count):

- "Bangladesh election" (grep bangladesh): 3 files, all BBC News, all counted —
  3ll3-JHiJWk 2026-02-09 (7 mentions, "Bangladesh's biggest elections since independence"),
  3MzztPnPqWI 2026-02-13 (11), _TwbUBoxV5M 2026-02-13 (12). By day: 02-09 1, 02-13 2.
- "Nancy Guthrie abduction" (grep guthrie): 5 files, all BBC News, all counted —
  WLQI-zeGbdY 2026-02-05 (7), gP4ki8m8EZg 2026-02-05 (11), o6D8LXGKAJU 2026-02-08 (8),
  5-_X6cewItQ 2026-02-10 (8), yDI9cuu9OwE 2026-02-11 (6). By day: 02-05 2, 02-08 1, 02-10 1,
  02-11 1.
- "polar bears" (grep "polar bear"): 2 files — 9TCkrN16Hac 2026-01-29 (11 mentions, "Polar bears
  on Norwegian islands fatter…") counted; VZzsaqC8n_U 2026-02-11 (one mention in a Panorama
  film about Putin's Russia) not counted. By day: 01-29 1.
"""

from __future__ import annotations

import json
import struct
from pathlib import Path

import pytest

from app.cli import build_parser
from app.cli_args import check_arguments
from app.wiring import Library

pytestmark = pytest.mark.timeout(900)

HAND_COUNTS = {
    "Bangladesh election": {"2026-02-09": ["3ll3-JHiJWk"],
                            "2026-02-13": ["3MzztPnPqWI", "_TwbUBoxV5M"]},
    "Nancy Guthrie abduction": {"2026-02-05": ["WLQI-zeGbdY", "gP4ki8m8EZg"],
                                "2026-02-08": ["o6D8LXGKAJU"], "2026-02-10": ["5-_X6cewItQ"],
                                "2026-02-11": ["yDI9cuu9OwE"]},
    "polar bears": {"2026-01-29": ["9TCkrN16Hac"]},
}


def run(lib: Library, capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    """One `newsreel` command over the library, as the CLI runs it; its stdout."""
    args = build_parser().parse_args(list(argv))
    check_arguments(args)
    assert args.func(lib, args) == 0
    return capsys.readouterr().out


def test_trend_json_agrees_with_the_hand_counts(
    full_library: Library, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    for topic, by_day in HAND_COUNTS.items():
        png = tmp_path / "chart.png"
        out = json.loads(run(full_library, capsys, "trend", topic, "--since", "2026-01-01",
                             "--json", "--png", str(png)))
        assert (out["topic"], out["since"], out["until"], out["bucket"]) == (
            topic, "2026-01-01", "2026-02-14", "day")
        assert sorted(out["videos"]) == sorted(v for vs in by_day.values() for v in vs)
        # One series per channel with videos in the range (DW News's one video is from 2024).
        assert set(out["series"]) == {"BBC News"}
        counted = {day: n for day, n in out["series"]["BBC News"] if n}
        assert counted == {day: len(vs) for day, vs in by_day.items()}, topic
        assert len(out["series"]["BBC News"]) == 45  # every day of the range, zeros included
        assert struct.unpack(">II", png.read_bytes()[16:24]) == (800, 400)


def test_compare_quotes_the_covering_channel_and_names_the_silent_one(
    full_library: Library, capsys: pytest.CaptureFixture[str]
) -> None:
    out = json.loads(run(full_library, capsys, "compare", "Bangladesh election", "--since",
                         "2024-01-01", "--json"))
    assert (out["since"], out["until"]) == ("2024-08-13", "2026-02-14")  # cut to the store
    bbc, dw = out["channels"]["BBC News"], out["channels"]["DW News"]
    assert dw is None and bbc["videos"] == 3
    assert bbc["video_id"] in HAND_COUNTS["Bangladesh election"]["2026-02-13"] + [
        "3ll3-JHiJWk"]
    text = full_library.catalog.video_text(bbc["video_id"])
    assert text is not None and bbc["quote"].strip("…") in " ".join(text.words)
