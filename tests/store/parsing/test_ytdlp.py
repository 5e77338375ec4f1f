"""yt-dlp output: an info.json beside its caption file."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from store.errors import TranscriptError
from store.parsing.ytdlp import captions_beside, parse_ytdlp

DATA = Path(__file__).resolve().parents[2] / "data" / "ytdlp"
NAME = "Iran rejects calls to stand down retaliation ｜ DW News [CSWiKMIF53g]"
INFO = DATA / f"{NAME}.info.json"

SRT = "1\n00:00:01,000 --> 00:00:02,000\nhello world\n\n2\n00:00:02,000 --> 00:00:03,000\nagain\n"


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    """A writable copy of the sample download; returns the info.json path."""
    for src in DATA.iterdir():
        shutil.copy(src, tmp_path / src.name)
    return tmp_path / INFO.name


def reason_of(info: Path) -> str:
    with pytest.raises(TranscriptError) as exc:
        parse_ytdlp(info)
    return exc.value.reason


def test_sample_download() -> None:
    t = parse_ytdlp(INFO)
    assert t.video_id == "CSWiKMIF53g"
    assert t.title == "Iran rejects calls to stand down retaliation | DW News"
    assert t.channel == "DW News"
    assert t.published == "2024-08-13"
    assert t.thumbnail.startswith("https://i.ytimg.com/")
    assert t.words[:3] == ("Iran's", "foreign", "Ministry")
    assert t.word_starts is not None and len(t.word_starts) == len(t.words) == 64
    assert t.is_timed and t.source == str(INFO)


def test_english_vtt_is_preferred(copy: Path) -> None:
    folder = copy.parent
    (folder / f"{NAME}.de.vtt").write_text("WEBVTT\n\n00:01.000 --> 00:02.000\nhallo\n")
    (folder / f"{NAME}.srt").write_text(SRT)
    (folder / f"{NAME} part 2.en.vtt").write_text("WEBVTT\n")  # another video's file
    names = [p.name for p in captions_beside(copy)]
    assert names == [f"{NAME}.en.vtt", f"{NAME}.srt", f"{NAME}.de.vtt"]


def test_srt_beside(copy: Path) -> None:
    (copy.parent / f"{NAME}.en.vtt").unlink()
    (copy.parent / f"{NAME}.srt").write_text(SRT)
    t = parse_ytdlp(copy)
    assert t.words == ("hello", "world", "again")
    assert t.word_starts == (1.0, 1.5, 2.0)


def test_missing_captions(copy: Path) -> None:
    (copy.parent / f"{NAME}.en.vtt").unlink()
    assert reason_of(copy).startswith("no caption file found")


def test_broken_captions(copy: Path) -> None:
    (copy.parent / f"{NAME}.en.vtt").write_text("WEBVTT\n\n00:00:01.000 --> later\nx\n")
    with pytest.raises(TranscriptError, match="no caption cues found"):
        parse_ytdlp(copy)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("{not json", "bad JSON (Expecting property name enclosed in double quotes at line 1)"),
        ("[1, 2]", "info.json is not a JSON object"),
        (
            '{"_type": "playlist", "id": "PLxxxxxxxx"}',
            "info.json describes a playlist, not a video",
        ),
        ('{"id": "no", "upload_date": "20240101"}', "implausible video id 'no'"),
        ('{"id": "CSWiKMIF53g", "upload_date": "2024"}', "bad upload_date '2024'"),
        ("", "empty file"),
    ],
)
def test_bad_info_json(copy: Path, content: str, expected: str) -> None:
    copy.write_text(content)
    assert reason_of(copy) == expected


def test_fallbacks_for_missing_metadata(copy: Path) -> None:
    copy.write_text(json.dumps({"id": "CSWiKMIF53g", "timestamp": 1723507200}))
    t = parse_ytdlp(copy)
    assert (t.title, t.channel, t.published) == (NAME, "Unknown", "2024-08-13")
    copy.write_text(json.dumps({"id": "CSWiKMIF53g", "upload_date": "20240813", "uploader": "DW"}))
    assert parse_ytdlp(copy).channel == "DW"


def test_missing_info_json(tmp_path: Path) -> None:
    assert reason_of(tmp_path / "gone.info.json").startswith("cannot read")
