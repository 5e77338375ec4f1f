"""Kinds of real-world caption files: each kind must read the way a player shows it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from store.errors import TranscriptError
from store.sources.captions import (
    Cue,
    flatten_cues,
    is_rolling,
    parse_vtt,
    read_caption_bytes,
    read_captions,
)
from store.text import norm_word

DATA = Path(__file__).resolve().parents[2] / "data"
CASES = DATA / "caption_cases"


def words_of(text: str, vtt: bool = True, path: str = "c.vtt") -> list[str]:
    return flatten_cues(read_captions(text, path, vtt).cues)[0]


# ---------------------------------------------------------------- property: a round trip

# Words of any script; the block keywords of WebVTT are left out (a caption line that is
# exactly "NOTE" after an empty line is a comment block by the format's own rules).
WORD = st.text(st.characters(categories=["L", "N"]), min_size=1, max_size=8).filter(
    lambda w: w not in {"NOTE", "STYLE", "REGION", "WEBVTT"}
)
SPACE = st.sampled_from([" ", "  ", "\t", " \t "])


@dataclass(frozen=True)
class GenCue:
    start_ms: int
    end_ms: int
    lines: tuple[tuple[str, ...], ...]  # lines of words
    blank_inside: bool  # an empty line between its first and second line
    ident: str  # a WebVTT cue identifier ('' for none), which is not speech


@st.composite
def cue_lists(draw: st.DrawFn) -> list[GenCue]:
    phrases = draw(st.lists(st.lists(WORD, min_size=1, max_size=4), min_size=1, max_size=3))
    n = draw(st.integers(1, 6))
    cues: list[GenCue] = []
    t = draw(st.integers(0, 5_000))
    for _ in range(n):
        lines = []
        for _ in range(draw(st.integers(1, 3))):
            line: list[str] = []
            for _ in range(draw(st.integers(1, 4))):
                # Repeated phrases (said twice, across cues, inside a line) or new words.
                if draw(st.booleans()):
                    line += draw(st.sampled_from(phrases))
                else:
                    line.append(draw(WORD))
            lines.append(tuple(line))
        length = draw(st.integers(1, 8_000))
        ident = draw(st.sampled_from(["", "Opening remarks", "7", "intro-2"]))
        cues.append(GenCue(t, t + length, tuple(lines), draw(st.booleans()), ident))
        t += length + draw(st.integers(0, 2_000))
    return cues


def _stamp(ms: int, sep: str) -> str:
    h, rem = divmod(ms, 3_600_000)
    m, rem = divmod(rem, 60_000)
    s, frac = divmod(rem, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{sep}{frac:03d}"


def write(cues: list[GenCue], vtt: bool, spaces: list[str], newline: str) -> str:
    out = ["WEBVTT", ""] if vtt else []
    for i, c in enumerate(cues, 1):
        if vtt and c.ident:
            out.append(c.ident)
        elif not vtt:
            out.append(str(i))
        sep = "." if vtt else ","
        out.append(f"{_stamp(c.start_ms, sep)} --> {_stamp(c.end_ms, sep)}")
        for j, line in enumerate(c.lines):
            if j == 1 and c.blank_inside:
                out.append("")
            pad = spaces[(i + j) % len(spaces)]
            out.append(pad + pad.join(line) + pad)
        out.append("")
    return newline.join(out)


@settings(max_examples=150, deadline=None)
@given(cue_lists(), st.booleans(), st.lists(SPACE, min_size=1, max_size=3),
       st.sampled_from(["\n", "\r\n"]))
def test_every_word_survives_in_order_with_its_cues_time(
    cues: list[GenCue], vtt: bool, spaces: list[str], newline: str
) -> None:
    # Captions that roll (most cues open with the last 3+ words of the one before) are
    # YouTube's and lose those repeats on purpose: see the rolling tests below.
    assume(not is_rolling([[norm_word(w) for line in c.lines for w in line] for c in cues]))
    expected = [(w, c) for c in cues for line in c.lines for w in line]
    captions = read_captions(write(cues, vtt, spaces, newline), "gen", vtt)
    assert captions.warnings == ()
    words, starts = flatten_cues(captions.cues)
    assert words == [w for w, _ in expected]
    for (_, cue), start in zip(expected, starts, strict=True):
        assert cue.start_ms / 1000 - 1e-6 <= start <= cue.end_ms / 1000 + 1e-6


# ---------------------------------------------------------------- structure never eats speech


def test_segments_joined_with_cat_keep_every_cue() -> None:
    text = (
        "WEBVTT\nX-TIMESTAMP-MAP=LOCAL:00:00:00.000,MPEGTS:900000\n\n"
        "00:00:01.000 --> 00:00:03.000\nalpha beta\n\n"
        "WEBVTT\nX-TIMESTAMP-MAP=LOCAL:00:00:00.000,MPEGTS:900000\n\n"
        "NOTE segment two\nstill the note\n\n"
        "STYLE\n::cue { color: red }\n\n"
        "REGION\nid:r1\n\n"
        "00:00:04.000 --> 00:00:06.000\ngamma delta\n"
        "WEBVTT\n\n00:00:07.000 --> 00:00:08.000\nepsilon\n"  # no empty line before it
    )
    assert words_of(text) == ["alpha", "beta", "gamma", "delta", "epsilon"]


def test_cue_identifier_that_looks_like_text_is_not_speech() -> None:
    text = (
        "WEBVTT\n\nOpening remarks\n00:00:01.000 --> 00:00:03.000\nhello everyone\n\n"
        "Second part\n00:00:04.000 --> 00:00:06.000\nwelcome back\n"
    )
    assert words_of(text) == ["hello", "everyone", "welcome", "back"]


def test_cues_are_sorted_and_negative_times_clamp() -> None:
    text = (
        "WEBVTT\n\n00:00:05.000 --> 00:00:06.000\nlater words\n\n"
        "-00:00:00.400 --> 00:00:02.000\nearly words\n"
    )
    cues = parse_vtt(text, "c.vtt")
    assert cues == [Cue(0.0, 2.0, "early words"), Cue(5.0, 6.0, "later words")]


def test_formatting_is_removed() -> None:
    text = (
        "1\n00:00:01,000 --> 00:00:04,000\n{\\an8}Parliament <i>approved</i>"
        " <font color=\"red\">it</font>\n\n"
        "2\n00:00:04,000 --> 00:00:08,000\n>> {\\i1}after{\\i0} a [Music] night &amp; day ♪\n"
    )
    assert words_of(text, vtt=False, path="c.srt") == [
        "Parliament", "approved", "it", "after", "a", "night", "&", "day"
    ]


# ---------------------------------------------------------------- text encodings


def test_windows_1252_is_decoded_and_noted(tmp_path: Path) -> None:
    path = tmp_path / "ZOlktUrAg0k.srt"
    text = "1\n00:00:01,000 --> 00:00:02,000\nThe café in Zürich — Señor Müller’s reply\n"
    path.write_bytes(text.encode("cp1252"))
    captions = read_caption_bytes(path.read_bytes(), path)
    assert captions.cues[0].text == "The café in Zürich — Señor Müller’s reply"
    note = f"{path}: not UTF-8; read as cp1252 (detected by charset-normalizer)"
    assert captions.warnings == (note,)


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16"])
def test_bom_marked_text_is_read(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "c.vtt"
    path.write_bytes("WEBVTT\n\n00:01.000 --> 00:02.000\nΟρμπάν είπε\n".encode(encoding))
    assert [c.text for c in read_caption_bytes(path.read_bytes(), path).cues] == ["Ορμπάν είπε"]


def test_binary_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "c.vtt"
    with pytest.raises(TranscriptError):
        read_caption_bytes(b"\x00\x01\x02WEBVTT\x00" * 50, path)


# ---------------------------------------------------------------- rolling or not


def test_youtube_captions_roll_and_ordinary_ones_do_not() -> None:
    def keyed(path: Path, vtt: bool) -> list[list[str]]:
        cues = read_captions(path.read_text(encoding="utf-8"), str(path), vtt).cues
        return [[norm_word(w) for w in c.text.split()] for c in cues]

    assert is_rolling(keyed(DATA / "timed_excerpt" / "8Rljxrp47Dw.vtt", True))
    name = "Iran rejects calls to stand down retaliation ｜ DW News [CSWiKMIF53g].en.vtt"
    assert is_rolling(keyed(DATA / "ytdlp" / name, True))
    # Speech said twice across cue boundaries ("thank you" / "thank you") is not rolling.
    assert not is_rolling(keyed(CASES / "Pm4sTq8Wv2X.srt", False))


def test_case_files_read_every_word() -> None:
    words = words_of((CASES / "Pm4sTq8Wv2X.srt").read_text(), vtt=False, path="p.srt")
    text = " ".join(words)
    assert "tonight thank you thank you The" in text
    assert "help now now the shelling" in text
    assert "we will rebuild we will rebuild every school" in text
    words = words_of((CASES / "Hb7wPq2Zc4E.srt").read_text(), vtt=False, path="h.srt")
    assert " ".join(words[:14]) == (
        "The health minister resigned this morning after a damning report on hospital waiting"
        " lists"
    )
    cues = read_captions((CASES / "Nw2gHk7Tr5B.srt").read_text(), "n.srt", vtt=False).cues
    assert cues[0].start == 0.0 and cues[0].text == "Good evening and welcome"
