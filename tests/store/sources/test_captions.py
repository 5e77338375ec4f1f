"""WebVTT / SRT parsing and the flattening of YouTube's rolling captions."""

from __future__ import annotations

import difflib
from itertools import pairwise
from pathlib import Path

import pytest

from store.errors import TranscriptError
from store.sources.captions import (
    Cue,
    flatten_cues,
    parse_srt,
    parse_vtt,
    read_captions,
    video_id_from_caption,
)
from store.sources.seed import parse_seed
from store.text import norm_word, strip_word

DATA = Path(__file__).resolve().parents[2] / "data"
SEEDS = DATA / "corpus_excerpt"
TIMED = DATA / "timed_excerpt"
YTDLP_VTT = (
    DATA / "ytdlp" / "Iran rejects calls to stand down retaliation ｜ DW News [CSWiKMIF53g].en.vtt"
)

# (seed file, its caption file) — real BBC News videos from shared/corpus
PAIRS = [
    ("101_e4b1773efc433d5e.txt", "8Rljxrp47Dw.vtt"),
    ("178_e4e6f6a25ee90d0c.txt", "mtgqmRTK0O4.vtt"),
    ("004_f8ceefe28b082c07.txt", "XFH8aGBjA6U.vtt"),
    ("000_e9cb18f8e30853e4.txt", "BASNGHKO3Qw.vtt"),
]


def vtt_reason(text: str) -> str:
    with pytest.raises(TranscriptError) as info:
        parse_vtt(text, "c.vtt")
    return info.value.reason


def test_real_corpus_vtt() -> None:
    path = TIMED / "8Rljxrp47Dw.vtt"
    cues = parse_vtt(path.read_text(encoding="utf-8"), str(path))
    assert len(cues) == 32
    assert cues[0].start == pytest.approx(0.16)
    assert all(c.end >= c.start for c in cues)
    assert not any(">>" in c.text or "&gt;" in c.text or "video_id" in c.text for c in cues)


def test_vtt_markup_settings_notes_and_styles() -> None:
    text = (
        "\ufeffWEBVTT - a title\nKind: captions\nLanguage: en\n\n"
        "STYLE\n::cue { color: yellow }\n\n"
        "NOTE a comment\nspanning lines\n\n"
        "intro\n00:01.000 --> 00:03.500 align:start position:0% line:90%\n"
        "<v Anna>&gt;&gt; Hello</v> <i>there</i> [music]\n♪ la la ♪\n\n"
        "01:00:02.250 --> 01:00:04.000\n"
        " \n"
        "fish<00:00:02.500><c> &amp;</c><00:00:03.000><c> chips</c>\n"
    )
    cues = parse_vtt(text, "c.vtt")
    assert cues == [
        Cue(1.0, 3.5, "Hello there\nla la"),
        Cue(3602.25, 3604.0, "fish & chips"),
    ]


def test_srt() -> None:
    text = (
        "1\r\n00:00:01,000 --> 00:00:02,500\r\nFirst line\r\nsecond line\r\n\r\n"
        "2\r\n00:00:03,000 --> 00:00:04,000\r\n[applause] &gt;&gt; Next\r\n"
        "3\r\n00:00:05,000 --> 00:00:06,000\r\nno blank line before me\r\n"
    )
    cues = parse_srt(text, "c.srt")
    assert [c.text for c in cues] == ["First line\nsecond line", "Next", "no blank line before me"]
    assert [c.start for c in cues] == [1.0, 3.0, 5.0]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("WEBVTT\n", "no caption cues found"),
        ("", "no caption cues found"),
        ("just some words\nand more", "no caption cues found"),
        ("WEBVTT\n\n00:00:01.000 --> soon\nhi\n", "no caption cues found"),
    ],
)
def test_files_without_a_readable_cue(text: str, expected: str) -> None:
    assert vtt_reason(text) == expected


@pytest.mark.parametrize(
    ("text", "words", "warning"),
    [
        (  # an unreadable timing line: its words go with the cue before, named by line
            "WEBVTT\n\n00:01.000 --> 00:02.000\nfirst\n\n00:00:03.000 --> soon\nsecond\n\n"
            "00:04.000 --> 00:05.000\nthird\n",
            ["first", "second", "third"],
            "c.vtt line 6: unreadable cue timing '00:00:03.000 --> soon';"
            " its words are read with the previous cue",
        ),
        (
            "WEBVTT\n\n00:01.000 --> 00:02.000\nfirst\n\n1:2:3:4 --> 00:01.000\nsecond\n",
            ["first", "second"],
            "c.vtt line 6: unreadable cue timing '1:2:3:4 --> 00:01.000'",
        ),
        (  # an arrow inside the text is text, with a warning, and never quoted as an arrow
            "WEBVTT\n\n00:01.000 --> 00:02.000\nprices went up --> sharply\n",
            ["prices", "went", "up", "sharply"],
            "c.vtt line 4: '-->' inside cue text 'prices went up --> sharply'",
        ),
    ],
)
def test_one_bad_cue_costs_no_words(text: str, words: list[str], warning: str) -> None:
    captions = read_captions(text, "c.vtt", vtt=True)
    assert flatten_cues(captions.cues)[0] == words
    assert captions.warnings[0].startswith(warning)


def test_srt_with_one_broken_cue_keeps_the_others() -> None:
    text = (
        "1\n00:00:01,000 --> 00:00:02,000\nhello\n\n2\n00:00:03,000 --> xx:00:04,000\nthere\n\n"
        "3\n00:00:05,000 --> 00:00:06,000\nfriend\n"
    )
    captions = read_captions(text, "c.srt", vtt=False)
    assert [c.text for c in captions.cues] == ["hello\nthere", "friend"]
    assert captions.warnings == (
        "c.srt line 6: unreadable cue timing '00:00:03,000 --> xx:00:04,000';"
        " its words are read with the previous cue",
    )


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("U-turn.", "U-turn"),
        ("£10,000.", "£10,000"),
        ("p.m.", "p.m"),
        ("kids'", "kids'"),
        ('"quote,"', "quote"),
        ("(aside)", "aside"),
        ("—", ""),
        ("...", ""),
        ("1.5%,", "1.5%"),
        ("$75,000?", "$75,000"),
        ("well…", "well"),
    ],
)
def test_edge_punctuation_like_the_seed(raw: str, clean: str) -> None:
    assert strip_word(raw) == clean


def test_rolling_duplicates_are_removed_with_interpolated_times() -> None:
    cues = [
        Cue(0.0, 2.0, "The cat sat"),
        Cue(2.0, 4.0, "The cat sat on the mat."),  # repeats the previous line, adds one
        Cue(4.0, 4.01, "on the mat."),  # YouTube's 10 ms static repeat
        Cue(4.01, 6.0, "on the mat. Then it slept slept."),
    ]
    words, starts = flatten_cues(cues)
    assert words == ["The", "cat", "sat", "on", "the", "mat", "Then", "it", "slept", "slept"]
    assert starts[:3] == pytest.approx([0.0, 2 / 3, 4 / 3])
    assert starts[3:6] == pytest.approx([2.0, 2 + 2 / 3, 2 + 4 / 3])
    assert starts[6] == pytest.approx(4.01)
    assert starts == sorted(starts)


def test_cue_holding_each_line_twice() -> None:
    # Real first cue of BASNGHKO3Qw: lines A B B C C D in one cue.
    cue = Cue(
        0.2,
        8.6,
        "The British Prime Minister Kier Stalmer and French President Emanuel Mackron "
        "and French President Emanuel Mackron have unveiled details of a plan to "
        "have unveiled details of a plan to tackle undocumented migrants crossing",
    )
    words, _ = flatten_cues([cue], rolling=True)  # its neighbours roll (see the file test)
    assert " ".join(words) == (
        "The British Prime Minister Kier Stalmer and French President Emanuel Mackron "
        "have unveiled details of a plan to tackle undocumented migrants crossing"
    )


def test_single_word_repeats_inside_a_rolling_cue_survive() -> None:
    cues = [Cue(0, 1, "it was very very good"), Cue(1, 2, "good news")]
    assert flatten_cues(cues, rolling=True)[0] == ["it", "was", "very", "very", "good", "news"]


def test_ordinary_captions_keep_every_repeat() -> None:
    cues = [Cue(0, 1, "it was very very good"), Cue(1, 2, "good news")]
    words, _ = flatten_cues(cues)
    assert words == ["it", "was", "very", "very", "good", "good", "news"]


@pytest.mark.parametrize(("seed_name", "vtt_name"), PAIRS)
def test_flattened_real_captions_match_the_seed_text(seed_name: str, vtt_name: str) -> None:
    seed = parse_seed((SEEDS / seed_name).read_bytes(), seed_name)
    cues = parse_vtt((TIMED / vtt_name).read_text(encoding="utf-8"), vtt_name)
    words, starts = flatten_cues(cues)
    raw_words = sum(len(c.text.split()) for c in cues)
    assert len(words) < 0.6 * raw_words  # the rolling duplication (about 2x) is gone
    assert len(starts) == len(words)
    assert all(b >= a - 1e-6 for a, b in pairwise(starts))
    a = [norm_word(w) for w in seed.words]
    b = [norm_word(w) for w in words]
    matched = sum(
        m.size for m in difflib.SequenceMatcher(None, a, b, autojunk=False).get_matching_blocks()
    )
    assert matched / len(a) > 0.97  # word overlap with the seed
    assert matched / len(b) > 0.99  # ~no duplicated words left in the captions
    assert abs(len(a) - len(b)) <= 0.03 * len(a)


def test_youtube_inline_timestamp_format() -> None:
    cues = parse_vtt(YTDLP_VTT.read_text(encoding="utf-8"), str(YTDLP_VTT))
    assert "<c>" not in cues[0].text and "Iran's foreign Ministry" in cues[0].text
    words, starts = flatten_cues(cues)
    seed = parse_seed((SEEDS / "000_4c61c73b810720b7.txt").read_bytes(), "seed")
    assert tuple(words) == seed.words[:64]
    assert starts == sorted(starts)
    assert starts[8] == pytest.approx(2.95)  # first word of the second caption line


@pytest.mark.parametrize(
    ("text", "path", "expected"),
    [
        (
            "WEBVTT\n\nNOTE\nvideo_id -0qOzx3URO4\nsource x\n\n00:01.000 --> 00:02.000\nhi\n",
            "a.vtt",
            "-0qOzx3URO4",
        ),
        (
            "WEBVTT\n\n00:01.000 --> 00:02.000\nhi\n",
            "/x/Some title ｜ BBC News [ZOlktUrAg0k].en.vtt",
            "ZOlktUrAg0k",
        ),
        (
            "WEBVTT\n\n00:01.000 --> 00:02.000\nhi\n",
            "/x/Some title [ZOlktUrAg0k].srt",
            "ZOlktUrAg0k",
        ),
        ("", "/x/ZOlktUrAg0k.vtt", "ZOlktUrAg0k"),
        ("", "/x/ZOlktUrAg0k.en-GB.vtt", "ZOlktUrAg0k"),
        ("", "/x/interview.vtt", None),
        ("WEBVTT\n\n00:01.000 --> 00:02.000\nvideo_id abcdefghijk\n", "a.vtt", None),
    ],
)
def test_video_id_from_caption(text: str, path: str, expected: str | None) -> None:
    assert video_id_from_caption(text, path) == expected
