"""Caption files as other subtitle libraries test them (tests/data/caption_cases/spec, its README
says what a user expects): timing lines read as players read them, NULs read past, each
format's own tags (and only those) removed, cue numbers never speech."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from store.errors import TranscriptError
from store.sources.captions import flatten_cues, read_caption_bytes, read_captions
from store.sources.loader import load_transcript
from store.sources.seed import parse_seed
from store.text import strip_word, tokens

SPEC = Path(__file__).resolve().parents[2] / "data" / "caption_cases" / "spec"


def words_of(text: str, vtt: bool) -> list[str]:
    path = "c.vtt" if vtt else "c.srt"
    return flatten_cues(read_captions(text, path, vtt).cues, rolling=False)[0]


def srt(*cues: tuple[str, str]) -> str:
    return "".join(f"{i}\n{timing}\n{text}\n\n" for i, (timing, text) in enumerate(cues, 1))


def vtt(*cues: tuple[str, str]) -> str:
    return "WEBVTT\n\n" + "".join(f"{timing}\n{text}\n\n" for timing, text in cues)


# ---------------------------------------------------------------- the handed files, as ingested


def test_start_without_milliseconds_and_short_fraction_are_read() -> None:
    got = load_transcript(SPEC / "Ts4NoMillis.srt")
    t = got.transcript
    assert got.warnings == ()
    assert " ".join(t.words) == (
        "deep rumbling The flood barrier was closed at dawn and the river kept rising all morning"
    )
    assert t.word_starts is not None
    assert t.word_starts[0] == 99.0  # 00:01:39, not skipped
    assert t.word_starts[2] == pytest.approx(124.15)  # "The", second cue
    cues = read_caption_bytes((SPEC / "Ts4NoMillis.srt").read_bytes(), SPEC / "x.srt").cues
    assert (cues[0].start, cues[0].end) == (99.0, pytest.approx(101.04))  # ',04' is 40 ms


def test_three_digit_hours_are_read() -> None:
    t = load_transcript(SPEC / "Hr3DigitHrs.vtt").transcript
    assert t.words[:3] == ("the", "final", "hour") and t.words[-1] == "started"
    assert t.word_starts is not None
    assert t.word_starts[0] == 360000.0
    assert t.word_starts[t.words.index("began")] == 360002.5


def test_nul_inside_text_is_read_as_nothing() -> None:
    t = load_transcript(SPEC / "Nu1InCue5Xy.vtt").transcript
    assert " ".join(t.words[:5]) == "the ministers met in Brussels"
    assert all("\x00" not in w and "\ufffd" not in w for w in t.words)


def test_words_in_angle_brackets_are_text_beside_a_real_tag() -> None:
    t = load_transcript(SPEC / "Lt7Literal3.srt").transcript
    text = " ".join(t.words)
    assert "he said <<we will not back down>> to reporters" in text
    assert "from 5 to 2<3 points by Friday" in text  # <i>Friday</i>: the tag only dropped
    assert {"we", "will", "not", "back", "down", "2", "3"} <= set(tokens(text))


def test_ruby_text_is_a_word_of_its_own() -> None:
    t = load_transcript(SPEC / "Rb2RubyTag8.vtt").transcript
    assert " ".join(t.words) == (
        "the Diet parliament voted to dissolve itself and elections follow next month"
    )


def test_cue_number_without_its_timing_line_is_no_word() -> None:
    got = load_transcript(SPEC / "Cn5NumLeak2.srt")
    t = got.transcript
    assert " ".join(t.words) == (
        "the storm reached the coast overnight the harbour wall gave way at three"
        " and fishing boats were swept inland"
    )
    assert t.word_starts is not None
    harbour = t.word_starts[t.words.index("harbour")]
    assert harbour is not None and 1.0 <= harbour <= 3.0  # cue 1's time
    assert len(got.warnings) == 1 and "line 5: cue 2 has no timing line" in got.warnings[0]


# ---------------------------------------------------------------- timing lines, by kind


@pytest.mark.parametrize(
    ("timing", "start", "end"),
    [
        ("00:01:39 --> 00:01:41,04", 99.0, 101.04),
        ("00:01:39,5 --> 00:01:41", 99.5, 101.0),
        ("1:02:03.25 --> 1:02:04,250", 3723.25, 3724.25),
        ("123:00:00,000 --> 123:00:01,000", 442800.0, 442801.0),
        ("00:00:01,000 --> 00:00:02,000 X1:100 X2:200 Y1:10 Y2:20", 1.0, 2.0),
    ],
)
def test_srt_timing_lines_players_read(timing: str, start: float, end: float) -> None:
    cues = read_captions(srt((timing, "hello there")), "c.srt", vtt=False)
    assert cues.warnings == ()
    assert [(c.start, c.end, c.text) for c in cues.cues] == [
        (pytest.approx(start), pytest.approx(end), "hello there")
    ]


@pytest.mark.parametrize(
    ("timing", "start", "end"),
    [
        ("100:00:00.000 --> 100:00:02.500", 360000.0, 360002.5),
        ("0000:00:01.000 --> 0000:00:02.000", 1.0, 2.0),
        ("00:00.000 --> 00:01.000line:40% size:40%", 0.0, 1.0),
        ("00:00:01.000 --> 00:00:02.000align:end", 1.0, 2.0),
        ("00:01.000 --> 00:02.000 position:10%,line-left", 1.0, 2.0),
    ],
)
def test_webvtt_timing_lines_players_read(timing: str, start: float, end: float) -> None:
    cues = read_captions(vtt((timing, "hello there")), "c.vtt", vtt=True)
    assert cues.warnings == ()
    assert [(c.start, c.end, c.text) for c in cues.cues] == [(start, end, "hello there")]


@pytest.mark.parametrize(
    ("text", "is_vtt"),
    [
        (srt(("00:00:01 --> 00:00:10", "no fraction at all")), False),  # pysrt: invalid
        (srt(("00:00:01,0000 --> 00:00:10,000", "four fraction digits")), False),
        (vtt(("00:00:01 --> 00:00:02.000", "WebVTT needs the fraction")), True),
        (vtt(("000:00.000 --> 00:02.000", "three-digit minutes")), True),
        (vtt(("00:00:00.000\x00 --> 00:00:01.000", "a NUL inside the timing")), True),
    ],
)
def test_unreadable_only_timing_still_rejects_the_file(text: str, is_vtt: bool) -> None:
    with pytest.raises(TranscriptError, match="no caption cues found"):
        read_captions(text, "c", is_vtt)


def test_an_unreadable_timing_line_keeps_its_words_with_the_previous_cue() -> None:
    text = srt(
        ("00:00:01,000 --> 00:00:02,000", "first words"),
        ("00:00:03 --> 00:00:04", "second words"),  # no fraction anywhere: not a timing
    )
    captions = read_captions(text, "c.srt", vtt=False)
    assert [c.text for c in captions.cues] == ["first words\nsecond words"]
    assert "unreadable cue timing" in captions.warnings[0]


# ---------------------------------------------------------------- NULs and binary data


def test_nuls_are_read_past_where_webvtt_reads_them(tmp_path: Path) -> None:
    text = (
        "WEBVTT\n\x00(null in header)\n\n"
        "00:00:00.000 --> 00:00:01.000\ntext0\n\n"
        "\x00 (null in id)\n00:00:01.000 --> 00:00:02.000\ntext1\n\n"
        "00:00:02.000 --> 00:00:03.000\x00align:end\n\x00text\x002\n"
    )
    path = tmp_path / "nulls.vtt"
    path.write_bytes(text.encode())
    captions = read_caption_bytes(path.read_bytes(), path)
    assert [(c.start, c.text) for c in captions.cues] == [
        (0.0, "text0"), (1.0, "text1"), (2.0, "text2")
    ]


@pytest.mark.parametrize(
    "data",
    [
        b"\x00" * 200,
        "WEBVTT\n\n00:01.000 --> 00:02.000\nhello\n".encode("utf-16-le"),  # no BOM: NUL-filled
        b"\x00\x01\x02WEBVTT\x00" * 50,
    ],
)
def test_binary_data_is_still_refused(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "c.vtt"
    with pytest.raises(TranscriptError, match="binary data"):
        read_caption_bytes(data, path)


def test_seed_transcript_with_a_stray_nul_loads() -> None:
    data = (
        b"<video_id>CSWiKMIF53g</video_id><video_title>T | DW News</video_title>"
        b"<thumbnail_path>en_DW\\x.jpg</thumbnail_path><publish_date>20240813</publish_date>"
        b"<doc>ministers met in\x00 Brussels</doc>"
    )
    assert parse_seed(data, "s.txt").words == ("ministers", "met", "in", "Brussels")
    with pytest.raises(TranscriptError, match="binary data"):
        parse_seed(data.replace(b"<doc>", b"<doc>" + b"\x00" * 400), "s.txt")


# ---------------------------------------------------------------- tags: each format's own


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("he said <<we will not back down>> to reporters",
         "he said <<we will not back down>> to reporters"),
        ("2<3,5>1,4<6 <u>underlined</u>", "2<3,5>1,4<6 underlined"),
        ("if a < b and c > d", "if a < b and c > d"),
        ("<B>bold</B> <I>italic</I> < i >spaced< / i > <s>struck</s>",
         "bold italic spaced struck"),
        ('<font color="#ff0000" face=Arial>red</font> text', "red text"),
        ("<invalid_tag>shown as text</invalid_tag>", "<invalid_tag>shown as text</invalid_tag>"),
        ("<c.yellow>not an SRT tag</c>", "<c.yellow>not an SRT tag</c>"),
        ("{\\an8}{\\i1}top{\\i0} {normal text}", "top {normal text}"),
        ("line one\\Nline two\\hend", "line one line two end"),
    ],
)
def test_srt_tags(line: str, expected: str) -> None:
    assert " ".join(words_of(srt(("00:00:01,000 --> 00:00:02,000", line)), False)) == (
        " ".join(strip_word(w) for w in expected.split() if strip_word(w))
    )


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("the <ruby>Diet<rt>parliament</rt></ruby> voted", "the Diet parliament voted"),
        ("<ruby.x>私<rt.y>わたし</rt></ruby>たち", "私 わたし たち"),
        ("and <c.yellow.bg_blue>elections</c> follow", "and elections follow"),
        ("<v Mary Jane>Hello</v> <v.loud Bob>there</v>", "Hello there"),
        ("<lang en-GB>colour</lang> <b.x>bold</b> <i.x>it</i> <u>u</u>", "colour bold it u"),
        ("<b Mary>not WebVTT</b>", "<b Mary>not WebVTT"),
        ("one<00:00:01.500> two<100:00:02.000> three< 00:00:03.000 >", "one two three"),
        ("he said <<we will not back down>>", "he said <<we will not back down>>"),
        ("2<3 and <bad>kept</bad> and <font>kept</font>",
         "2<3 and <bad>kept</bad> and <font>kept</font>"),
        ("&lt;i&gt; is text &amp; so is this", "<i> is text & so is this"),
    ],
)
def test_webvtt_tags(line: str, expected: str) -> None:
    assert " ".join(words_of(vtt(("00:00:01.000 --> 00:00:02.000", line)), True)) == (
        " ".join(strip_word(w) for w in expected.split() if strip_word(w))
    )


def test_speaker_mark_glued_to_a_word_is_text() -> None:
    text = srt(("00:00:01,000 --> 00:00:02,000", ">> Anchor: he said <<no>> >>and left"))
    assert words_of(text, False) == ["Anchor", "he", "said", "<<no>>", "and", "left"]


# ---------------------------------------------------------------- cue numbers


def test_numbers_that_are_speech_stay() -> None:
    text = (
        "1\n00:00:01,000 --> 00:00:02,000\ncounting down\n\n5\n\n4\n\n"  # not cue 2 after 1
        "7\n00:00:03,000 --> 00:00:04,000\nthe score was\n\n42\n\n"  # 42 is not cue 8
        "8\n00:00:05,000 --> 00:00:06,000\nlast\n"
    )
    words = words_of(text, False)
    assert words == ["counting", "down", "5", "4", "the", "score", "was", "42", "last"]


def test_runs_of_cues_without_timing_lose_only_their_numbers() -> None:
    text = (
        "1\n00:00:01,000 --> 00:00:02,000\nalpha\n\n2\nbeta\n\n3\ngamma\n\n4\n\n"
        "5\n00:00:05,000 --> 00:00:06,000\ndelta\n"
    )
    captions = read_captions(text, "c.srt", vtt=False)
    assert flatten_cues(captions.cues)[0] == ["alpha", "beta", "gamma", "delta"]
    assert len(captions.warnings) == 3  # cues 2, 3 and 4 have no timing line


def test_webvtt_numbers_are_speech_unless_ids() -> None:
    text = vtt(
        ("00:00:01.000 --> 00:00:02.000", "we counted"), ("1\n00:00:03.000 --> 00:00:04.000", "x")
    )
    # "2" follows id 1 with no timing line: the id of a cue whose timing line is lost.
    assert words_of(text + "\n2\nand on\n", True) == ["we", "counted", "x", "and", "on"]
    assert words_of(text + "\n7\nand on\n", True) == ["we", "counted", "x", "7", "and", "on"]
    assert words_of(vtt(("00:00:01.000 --> 00:00:02.000", "we\n\n1\nheard")), True) == [
        "we", "1", "heard"  # no id seen: 1 is speech
    ]


# ---------------------------------------------------------------- property: tags never eat words

LETTERS = st.text(st.characters(categories=["L", "N"]), min_size=1, max_size=6).filter(
    lambda w: w.upper() != "WEBVTT"
)
PUNCT = st.sampled_from(["", "", ".", ",", "!", "?", ";", ":", "'", '"', "(", ")", "-", "…"])
WORD = st.tuples(PUNCT, LETTERS, PUNCT).map("".join)
SRT_TAGS = [("<b>", "</b>"), ("<i>", "</i>"), ("<U>", "</U>"), ("<s>", "</s>"),
            ('<font color="#ff0000">', "</font>"), ("< i >", "< / i >")]
VTT_TAGS = [("<c>", "</c>"), ("<c.yellow.bg_blue>", "</c>"), ("<i>", "</i>"), ("<b.x>", "</b>"),
            ("<u>", "</u>"), ("<v Mary Jane>", "</v>"), ("<v.loud Bob>", ""),
            ("<lang en-GB>", "</lang>"), ("<ruby>", "</ruby>"), ("<00:00:01.500>", "")]


@st.composite
def tagged_lines(draw: st.DrawFn, is_vtt: bool) -> tuple[str, list[str]]:
    """A cue line of words, spans of them wrapped in tags (nested, glued to words or not),
    and the words a player shows."""
    tags = VTT_TAGS if is_vtt else SRT_TAGS
    parts: list[str] = []
    shown: list[str] = []
    for _ in range(draw(st.integers(1, 5))):
        span = draw(st.lists(WORD, min_size=1, max_size=3))
        shown += span
        text = " ".join(span)
        if is_vtt and len(span) >= 2 and draw(st.booleans()):
            # Ruby: the annotation is shown above its base, a word of its own.
            text = f"<ruby>{span[0]}<rt>{span[1]}</rt></ruby> " + " ".join(span[2:])
        for _ in range(draw(st.integers(0, 2))):
            opening, closing = draw(st.sampled_from(tags))
            pad = draw(st.sampled_from(["", " "]))
            text = f"{opening}{pad}{text}{pad}{closing}"
        parts.append(text)
    return " ".join(parts), shown


@settings(max_examples=200, deadline=None)
@given(st.booleans().flatmap(lambda v: st.tuples(st.just(v), tagged_lines(v))))
def test_words_wrapped_in_the_formats_tags_come_back(
    case: tuple[bool, tuple[str, list[str]]],
) -> None:
    is_vtt, (line, shown) = case
    text = (vtt if is_vtt else srt)(("00:00:01.000 --> 00:00:04.000", line))
    expected = [w for w in (strip_word(x) for x in shown) if w]
    assert words_of(text, is_vtt) == expected
