"""The caption files of tests/data/caption_cases (copied from shared/cases/captions; its README
says what a user expects of each), run as a user runs them: `newsreel ingest`, `search`, `quote`."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.app.test_cli import newsreel
from tests.fixtures_store import DATA

pytestmark = [pytest.mark.cli, pytest.mark.model]

CASES = DATA / "caption_cases"
DE_TRACK = CASES / "two-tracks" / "Baltic sanctions ｜ Example [Vd8kLp3Ws6Y].de.vtt"

QUESTIONS = {
    "housing": "emergency housing bill debate in Westminster",
    "hospital": "after a damning report on hospital waiting lists",
    "kyiv": "mayor Kovalenko in Kyiv on the shelling of the eastern districts",
    "wildfires": "wildfires in the south forced thousands from their homes",
    "baltic": "sanctions on shipping firms moving oil through the Baltic",
    "storm": "red weather warning for central Scotland",
    "orban": "what did Orban say about the aid package",
    "orbán": "what did Orbán say about the aid package",
    "no-millis": "the flood barrier was closed at dawn",
    "hours": "the final hour of the marathon broadcast",
    "nul": "ministers met in Brussels on Monday",
    "literal": "he said we will not back down to reporters",
    "ruby": "the Diet voted to dissolve itself",
    "number": "the harbour wall gave way at three",
}


@pytest.fixture(scope="module")
def ingested(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A data dir holding the ingested cases, and what ingest wrote on stderr."""
    data = tmp_path_factory.mktemp("caption-cases")
    run = newsreel(data, "ingest", str(CASES))
    # The German track is skipped with an info line: not a rejection, so exit 0.
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip().splitlines()[-1] == "ingested 14, unchanged 0, rejected 0"
    return data, run.stderr


@pytest.fixture(scope="module")
def answers(ingested: tuple[Path, str]) -> dict[str, dict[str, object]]:
    """The top hit of `search --json` for each question (one model load for all)."""
    questions = "\n".join(QUESTIONS.values())
    out = newsreel(ingested[0], "search", "--json", "-k", "1", "-", stdin=questions)
    assert out.returncode == 0, out.stderr
    objs = [json.loads(line) for line in out.stdout.splitlines()]
    by_question = {o["question"]: o["hits"][0] for o in objs if o["hits"]}
    return {key: by_question[q] for key, q in QUESTIONS.items() if q in by_question}


def test_other_language_track_is_skipped_with_an_info_line(ingested: tuple[Path, str]) -> None:
    data, stderr = ingested
    assert f"skipped {DE_TRACK}: another caption track of the same video" in stderr
    assert "rejected" not in stderr
    stats = json.loads(newsreel(data, "stats", "--json").stdout)
    assert stats["videos"] == 14


def test_override_tags_are_not_quoted(answers: dict[str, dict[str, object]]) -> None:
    hit = answers["housing"]
    assert hit["video_id"] == "Kq3fV9xLm2A"
    quote = str(hit["quote"])
    assert "after a long night of debate in Westminster" in quote
    assert not re.search(r"[{}\\]|an8|pos\(|i[01]\b", quote), quote


def test_blank_line_inside_a_cue_keeps_its_words_in_order(
    answers: dict[str, dict[str, object]],
) -> None:
    hit = answers["hospital"]
    assert hit["video_id"] == "Hb7wPq2Zc4E"
    assert (
        "resigned this morning after a damning report on hospital waiting lists Reporters"
        in str(hit["quote"])
    )


def test_speech_said_twice_is_kept(
    ingested: tuple[Path, str], answers: dict[str, dict[str, object]]
) -> None:
    quote = str(answers["kyiv"]["quote"])
    assert "tonight thank you thank you The situation" in quote
    assert "we need help now now the shelling" in quote
    out = newsreel(ingested[0], "quote", "we will rebuild we will rebuild every school")
    assert out.returncode == 0, out.stderr
    assert "(exact match)" in out.stdout
    assert "we will rebuild we will rebuild every" in out.stdout.replace("\n   ", " ")


def test_negative_start_clamps_to_zero(answers: dict[str, dict[str, object]]) -> None:
    hit = answers["wildfires"]
    assert hit["video_id"] == "Nw2gHk7Tr5B"
    assert str(hit["quote"]).startswith("Good evening and welcome")
    assert hit["start_s"] == 0.0


def test_preferred_language_is_ingested(answers: dict[str, dict[str, object]]) -> None:
    hit = answers["baltic"]
    assert hit["video_id"] == "Vd8kLp3Ws6Y"
    assert "shipping firms" in str(hit["quote"]) and "Reedereien" not in str(hit["quote"])
    # No metadata beyond the file name: channel and date unknown, never today's date.
    assert (hit["title"], hit["channel"], hit["published"]) == (
        "Baltic sanctions ｜ Example",
        "Unknown",
        None,
    )


def test_non_youtube_link_is_its_page(answers: dict[str, dict[str, object]]) -> None:
    hit = answers["storm"]
    assert hit["video_id"] == "p0k7x2zq"
    assert hit["url"] == "https://www.bbc.co.uk/news/videos/c0000000000o"
    assert (hit["channel"], hit["published"]) == ("BBC News", "2025-01-23")


@pytest.mark.parametrize("key", ["orban", "orbán"])
def test_accented_name_found_with_or_without_accent(
    answers: dict[str, dict[str, object]], key: str
) -> None:
    hit = answers[key]
    assert hit["video_id"] == "Hu6nVt3Or8B"
    assert "Viktor Orbán told parliament" in str(hit["quote"])  # verbatim, accent kept


def test_unknown_date_is_outside_every_date_filter(ingested: tuple[Path, str]) -> None:
    question = "weather in Scotland: snow closed motorways, red warning for gusts"
    unfiltered = json.loads(newsreel(ingested[0], "search", "--json", "-k", "8", question).stdout)
    assert {"Wx3dSt9Rm5K", "p0k7x2zq"} <= {h["video_id"] for h in unfiltered["hits"]}
    for flag, day in (("--since", "2000-01-01"), ("--until", "2100-01-01")):
        out = newsreel(ingested[0], "search", "--json", "-k", "5", flag, day, question)
        assert [h["video_id"] for h in json.loads(out.stdout)["hits"]] == ["p0k7x2zq"], flag


# ---------------------------------------------------------------- spec/: other libraries' kinds


@pytest.mark.parametrize(
    ("key", "video", "start_s", "quoted"),
    [
        # The passage opens with cue 1, read at 00:01:39 (not skipped for its missing fraction).
        ("no-millis", "Ts4NoMillis", 99.0, "deep rumbling The flood barrier was closed at dawn"),
        ("hours", "Hr3DigitHrs", 360000.0, "the final hour of the marathon broadcast"),
        ("nul", "Nu1InCue5Xy", 1.0, "the ministers met in Brussels on Monday"),
        ("literal", "Lt7Literal3", 1.0, "he said <<we will not back down>> to reporters"),
        ("ruby", "Rb2RubyTag8", 1.0, "the Diet parliament voted to dissolve itself"),
        ("number", "Cn5NumLeak2", 1.0, "overnight the harbour wall gave way at three and"),
    ],
)
def test_valid_files_of_every_kind_ingest_whole(
    answers: dict[str, dict[str, object]], key: str, video: str, start_s: float, quoted: str
) -> None:
    hit = answers[key]
    assert hit["video_id"] == video
    assert quoted in str(hit["quote"])
    assert hit["start_s"] == start_s


def test_no_quote_holds_a_cue_number_or_a_tag(ingested: tuple[Path, str]) -> None:
    out = newsreel(ingested[0], "quote", "the coast overnight the harbour wall")
    assert out.returncode == 0, out.stderr
    assert "(exact match)" in out.stdout
    assert not re.search(r"overnight\s+2\s", out.stdout)
    # Of the spec files only the one with a lost timing line is warned about.
    warned = [line for line in ingested[1].splitlines() if "spec" in line]
    assert len(warned) == 1, warned
    assert "Cn5NumLeak2.srt line 5: cue 2 has no timing line" in warned[0]
