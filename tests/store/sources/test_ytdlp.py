"""yt-dlp output: an info.json beside its caption file."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from store.errors import TranscriptError
from store.sources.reading import captions_beside, load_ytdlp, parse_ytdlp

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


# ---------------------------------------------------------------- yt-dlp output as it comes

VTT = "WEBVTT\n\n00:00:01.000 --> 00:00:03.000\n{}\n"


def write_info(folder: Path, name: str, **info: object) -> Path:
    path = folder / f"{name}.info.json"
    path.write_text(json.dumps({"id": "p0k7x2zq", "title": "T", **info}), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("fields", "day"),
    [
        ({"upload_date": "20250123", "timestamp": 0}, "2025-01-23"),
        ({"release_date": "20250124"}, "2025-01-24"),
        ({"timestamp": 1737763200}, "2025-01-25"),
        ({"release_timestamp": 1737849600}, "2025-01-26"),  # a finished live stream
        ({}, ""),  # unknown: in no date range
    ],
)
def test_publication_day(tmp_path: Path, fields: dict[str, object], day: str) -> None:
    info = write_info(tmp_path, "x", **fields)
    (tmp_path / "x.en.vtt").write_text(VTT.format("hello"))
    assert parse_ytdlp(info).published == day


def test_page_url_of_another_site(tmp_path: Path) -> None:
    page = "https://www.bbc.co.uk/news/videos/c0000000000o"
    info = write_info(tmp_path, "x", extractor="bbc", webpage_url=page)
    (tmp_path / "x.en.vtt").write_text(VTT.format("hello"))
    assert parse_ytdlp(info).url == page
    info.write_text(json.dumps({"id": "p0k7x2zq", "extractor": "bbc"}))
    assert reason_of(info) == "no webpage_url for a video from bbc (its link)"


def test_captions_saved_apart_are_found_through_requested_subtitles(tmp_path: Path) -> None:
    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "x.de.vtt").write_text(VTT.format("hallo welt"))
    (subs / "x.en.vtt").write_text(VTT.format("hello world"))
    requested = {
        "de": {"ext": "vtt", "filepath": str(subs / "x.de.vtt")},
        "en": {"ext": "vtt", "filepath": "/gone/elsewhere/subs/x.en.vtt"},  # moved since
        "live_chat": {"ext": "json", "filepath": str(subs / "x.live_chat.json")},
    }
    (tmp_path / "meta").mkdir()
    info = write_info(tmp_path / "meta", "x", requested_subtitles=requested)
    assert parse_ytdlp(info).words == ("hallo", "welt")  # the English file is not where named
    (info.parent / "x.en.vtt").write_text(VTT.format("hello world"))  # found beside it
    assert parse_ytdlp(info).words == ("hello", "world")


def test_language_preference_orders_tracks(tmp_path: Path) -> None:
    info = write_info(tmp_path, "x")
    for lang, text in (("en", "hello"), ("en-orig", "hello original"), ("de", "hallo")):
        (tmp_path / f"x.{lang}.vtt").write_text(VTT.format(text))
    assert load_ytdlp(info).transcript.words == ("hello",)
    assert load_ytdlp(info, ("de", "en")).transcript.words == ("hallo",)
    assert load_ytdlp(info, ("fr",)).captions.name == "x.de.vtt"  # none preferred: still one


def test_a_feed_read_by_the_generic_extractor(tmp_path: Path) -> None:
    """A feed item names no channel, only its feed (`playlist_title`); its <guid> leaves yt-dlp's
    smuggled data on the page url, which is no part of the link."""
    page = "http://127.0.0.1:8000/v/vid001.html"
    info = write_info(tmp_path, "x", extractor="generic", playlist_title="Fake News Channel",
                      webpage_url=f"{page}#__youtubedl_smuggle=%7B%22force_videoid%22%3A%22v%22%7D")
    (tmp_path / "x.en.vtt").write_text(VTT.format("hello"))
    t = parse_ytdlp(info)
    assert (t.channel, t.url) == ("Fake News Channel", page)
    info = write_info(tmp_path, "x", extractor="generic", playlist_title="Feed", uploader="DW",
                      webpage_url=page)
    assert parse_ytdlp(info).channel == "DW"  # a channel or uploader comes first
