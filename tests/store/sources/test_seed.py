"""parse_seed on real corpus files and on each kind of malformed input."""

from __future__ import annotations

from pathlib import Path

import pytest

from store.errors import TranscriptError
from store.sources.seed import MAX_TRANSCRIPT_BYTES, channel_from, parse_seed

DATA = Path(__file__).resolve().parents[2] / "data" / "corpus_excerpt"
DW = DATA / "000_4c61c73b810720b7.txt"
BBC = DATA / "004_f8ceefe28b082c07.txt"

GOOD = (
    "<video_id>CSWiKMIF53g</video_id>\n"
    '<video_title>Q&A: "who" pays? | DW News</video_title>\n'
    "<thumbnail_path>en_DW\\Q&A who pays  DW News.jpg</thumbnail_path>\n"
    "<publish_date>20240813</publish_date>\n\n"
    "<doc>\nsome words here\n</doc>"
)


def reason(data: bytes | str) -> str:
    raw = data.encode() if isinstance(data, str) else data
    with pytest.raises(TranscriptError) as info:
        parse_seed(raw, "x.txt")
    assert info.value.path == "x.txt"
    return info.value.reason


def test_dw_seed_example() -> None:
    t = parse_seed(DW.read_bytes(), str(DW))
    assert t.video_id == "CSWiKMIF53g"
    assert t.title == "Iran rejects calls to stand down retaliation | DW News"
    assert t.channel == "DW News"
    assert t.published == "2024-08-13"
    assert t.words[:3] == ("Iran's", "foreign", "Ministry")
    assert t.words[-2:] == ("thank", "you")
    assert len(t.words) == 1636
    assert t.word_starts is None and not t.is_timed
    assert t.source == str(DW)
    assert t.thumbnail.startswith("en_DW\\Iran rejects")


def test_bbc_seed_keeps_channel_from_thumbnail_code() -> None:
    t = parse_seed(BBC.read_bytes(), str(BBC))
    assert t.video_id == "XFH8aGBjA6U"
    assert t.channel == "BBC News"
    assert t.published == "2025-11-20"
    assert len(t.words) == 1019


def test_raw_title_characters_are_kept() -> None:
    t = parse_seed(GOOD.encode(), "x.txt")
    assert t.title == 'Q&A: "who" pays? | DW News'
    assert t.words == ("some", "words", "here")


@pytest.mark.parametrize(
    ("thumbnail", "title", "channel"),
    [
        ("en_BBC\\x.jpg", "Budget row | BBC Newscast", "BBC News"),
        ("en_ALJ\\x.jpg", "x", "Al Jazeera English"),
        ("en_AJE\\x.jpg", "x", "Al Jazeera English"),
        ("en_F24\\x.jpg", "x", "France 24"),
        ("en_SKY\\x.jpg", "x", "Sky News"),
        ("en_CNN\\x.jpg", "x", "CNN"),
        ("en_NBC\\x.jpg", "x", "NBC News"),
        ("en_ABC\\x.jpg", "x", "ABC News"),
        ("en_XYZ\\x.jpg", "Floods | Some Channel", "Some Channel"),
        ("", "Floods | Some Channel", "Some Channel"),
        ("en_XYZ\\x.jpg", "Floods", "Unknown"),
        ("en_XYZ\\x.jpg", "| only suffix", "Unknown"),
    ],
)
def test_channel_table_and_fallbacks(thumbnail: str, title: str, channel: str) -> None:
    assert channel_from(thumbnail, title) == channel


@pytest.mark.parametrize(
    ("broken", "expected"),
    [
        (GOOD.replace("<publish_date>20240813</publish_date>", ""), "missing <publish_date> tag"),
        (GOOD.replace("<video_id>", ""), "missing <video_id> tag"),
        (GOOD.replace("</video_title>", ""), "unterminated <video_title> tag"),
        (GOOD.replace("\n</doc>", ""), "unterminated <doc> tag"),
        (GOOD[: GOOD.index("some words")], "unterminated <doc> tag"),
        (GOOD + "\n<doc>more</doc>", "duplicated <doc> tag"),
        (
            GOOD.replace(
                "</thumbnail_path>", "</thumbnail_path><thumbnail_path>y</thumbnail_path>"
            ),
            "duplicated <thumbnail_path> tag",
        ),
        (GOOD.replace("some words here", "  \n "), "empty <doc>"),
        (GOOD.replace("20240813", "2024131"), "bad publish_date '2024131'"),
        (GOOD.replace("20240813", "20240230"), "bad publish_date '20240230'"),
        (GOOD.replace("20240813", "2024-08-13"), "bad publish_date '2024-08-13'"),
        (GOOD.replace("CSWiKMIF53g", "abc"), "implausible video id 'abc'"),
        (GOOD.replace("CSWiKMIF53g", "CSWi KMIF53g"), "implausible video id 'CSWi KMIF53g'"),
        (GOOD.replace("CSWiKMIF53g", "a" * 21), f"implausible video id '{'a' * 21}'"),
        (GOOD.replace('Q&A: "who" pays? | DW News', " "), "empty <video_title>"),
        ("", "empty file"),
        (" \n\t", "empty file"),
    ],
)
def test_malformed_seed_reasons(broken: str, expected: str) -> None:
    assert reason(broken) == expected


def test_latin1_bytes_name_the_byte_and_offset() -> None:
    data = GOOD.replace("some words", "café words").encode("latin-1")
    offset = data.index(b"\xe9")
    assert reason(data) == f"not UTF-8 text (byte 0xe9 at offset {offset})"


def test_binary_data() -> None:
    assert reason(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR").startswith("not UTF-8 text (byte 0x89")
    assert reason(b"\x00" * 64) == "binary data (NUL byte at offset 0)"


def test_utf8_bom_is_accepted() -> None:
    assert parse_seed(b"\xef\xbb\xbf" + GOOD.encode(), "x.txt").video_id == "CSWiKMIF53g"


def test_over_the_size_limit() -> None:
    data = GOOD.encode()
    data += b" " * (MAX_TRANSCRIPT_BYTES + 1 - len(data))
    assert reason(data).startswith("file too large")
