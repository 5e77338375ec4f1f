"""Property tests: on any input the parsers raise nothing but TranscriptError."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from store.errors import TranscriptError
from store.sources.captions import flatten_cues, parse_srt, parse_vtt
from store.sources.seed import SEED_TAGS, parse_seed

# Fragments that steer random input into the parsers' deeper branches.
SEED_BITS = (
    [f"<{t}>" for t in SEED_TAGS]
    + [f"</{t}>" for t in SEED_TAGS]
    + [
        "CSWiKMIF53g",
        "20240813",
        "20241399",
        "en_DW\\",
        "en_BBC\\x.jpg",
        " | DW News",
        "\n",
        "word ",
    ]
)
CAPTION_BITS = [
    "WEBVTT\n",
    "NOTE ",
    "video_id abcdefghijk\n",
    "STYLE\n",
    "\n\n",
    "\n",
    " ",
    "-->",
    " --> ",
    "00:00:01.000",
    "00:02,500",
    "1:00:00.5",
    "99:99:99.999",
    "<c>",
    "</c>",
    "<00:00:01.000>",
    "&gt;&gt;",
    "&amp;",
    "&#0;",
    "[music]",
    "♪",
    "1\n",
    "word ",
    "the ",
    "align:start position:0%",
]

fragmented_seed = st.lists(st.sampled_from(SEED_BITS) | st.text(max_size=8), max_size=30).map(
    "".join
)
fragmented_captions = st.lists(
    st.sampled_from(CAPTION_BITS) | st.text(max_size=6), max_size=40
).map("".join)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300) | fragmented_seed.map(lambda s: s.encode("utf-8", "surrogatepass")))
def test_parse_seed_raises_only_transcript_error(data: bytes) -> None:
    try:
        t = parse_seed(data, "x.txt")
    except TranscriptError as exc:
        assert exc.reason
    else:
        assert t.words and len(t.published) == 10


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300) | fragmented_captions)
def test_parse_vtt_and_srt_raise_only_transcript_error(text: str) -> None:
    for parse in (parse_vtt, parse_srt):
        try:
            cues = parse(text, "x")
        except TranscriptError as exc:
            assert exc.reason
        else:
            assert cues
            words, starts = flatten_cues(cues)
            assert len(words) == len(starts)
            assert all(w for w in words)
