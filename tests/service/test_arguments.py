"""What users type: questions, dates, channels, mentions; and the per-user cooldown."""

from __future__ import annotations

import pytest

from bot.cooldown import Cooldown
from service.arguments import (
    MAX_K,
    MAX_QUESTION,
    BadArgument,
    channel_choices,
    check_line,
    check_question,
    cli_option,
    message_topic,
    parse_count,
    parse_date,
    resolve_channel,
    resolve_video,
    search_filters,
    strip_mention,
)
from store.records import SearchFilters

KNOWN = ("BBC News", "DW News", "Al Jazeera English")


def test_question_is_tidied() -> None:
    assert check_question("  what did\n the BBC say of gold ") == "what did the BBC say of gold"


@pytest.mark.parametrize(
    ("text", "hint"),
    [("", "Please type a question"), ("   \n ", "Please type a question"),
     ("x" * (MAX_QUESTION + 1), f"under {MAX_QUESTION} characters (yours has 501)")],
)
def test_bad_questions_are_explained(text: str, hint: str) -> None:
    with pytest.raises(BadArgument, match=hint.replace("(", r"\(").replace(")", r"\)")):
        check_question(text)


@pytest.mark.parametrize("text", ["the of and is it", "???", "what did they say?"])
def test_a_question_of_only_common_words_says_there_is_nothing_to_search_for(text: str) -> None:
    with pytest.raises(BadArgument, match="no words to search for"):
        check_question(text)


def test_a_line_of_common_words_may_still_be_quoted() -> None:
    assert check_line("what did they say?") == "what did they say?"


def test_a_question_of_exactly_the_limit_is_fine() -> None:
    assert len(check_question("y" * MAX_QUESTION)) == MAX_QUESTION


def test_dates() -> None:
    assert parse_date("2024-08-13", "since") == "2024-08-13"
    assert parse_date(" 20240813 ", "since") == "2024-08-13"
    assert parse_date(None, "since") is None and parse_date("", "since") is None
    with pytest.raises(BadArgument, match="`until` must be a date like 2024-08-13"):
        parse_date("last tuesday", "until")
    with pytest.raises(BadArgument):
        parse_date("2024-02-30", "since")


def test_filters_from_arguments() -> None:
    got = search_filters("dw news", "2024-01-01", "2024-12-31", KNOWN)
    assert got == SearchFilters(channel="DW News", since="2024-01-01", until="2024-12-31")
    assert search_filters(None, None, None, KNOWN) == SearchFilters()


def test_reversed_dates_are_explained() -> None:
    with pytest.raises(BadArgument, match=r"`since` \(2025-01-01\) is after `until`"):
        search_filters(None, "2025-01-01", "2024-01-01", KNOWN)


def test_unknown_channel_lists_the_known_ones() -> None:
    with pytest.raises(BadArgument) as err:
        resolve_channel("CNN", KNOWN)
    assert "CNN" in str(err.value) and "BBC News, DW News, Al Jazeera English" in str(err.value)


@pytest.mark.parametrize(
    ("typed", "guess"),
    [("bbc", "BBC News"), ("DW Nwes", "DW News"), ("al jazeera", "Al Jazeera English"),
     ("CNN", None), ("news", None),  # "news" is in two names: no single guess
     ("Fox News", None), ("BBC Nwes", "BBC News")],  # the naming word must be there
)
def test_unknown_channel_suggests_the_closest(typed: str, guess: str | None) -> None:
    with pytest.raises(BadArgument) as err:
        resolve_channel(typed, KNOWN)
    message = str(err.value)
    assert err.value.option == "channel" and "Known channels:" in message
    if guess:
        assert f"Did you mean “{guess}”?" in message
    else:
        assert "Did you mean" not in message


def test_both_front_ends_say_the_same_but_spell_options_their_way() -> None:
    with pytest.raises(BadArgument) as slash:
        search_filters(None, "2025-01-01", "2024-01-01", KNOWN)
    with pytest.raises(BadArgument) as cli:
        search_filters(None, "2025-01-01", "2024-01-01", KNOWN, spell=cli_option)
    assert str(slash.value) == "`since` (2025-01-01) is after `until` (2024-01-01); swap them?"
    assert str(cli.value) == "--since (2025-01-01) is after --until (2024-01-01); swap them?"
    assert cli_option("k") == "-k"


@pytest.mark.parametrize("value", ["0", "-3", "abc", "2.5", str(MAX_K + 1), ""])
def test_bad_counts_are_explained(value: str) -> None:
    with pytest.raises(BadArgument, match=f"-k must be a whole number from 1 to {MAX_K}"):
        parse_count(value)


def test_counts() -> None:
    assert parse_count("7") == 7 and parse_count(5) == 5 and parse_count(str(MAX_K)) == MAX_K


def test_videos_by_id_or_link() -> None:
    known = {"kYHHg6oV8A4"}.__contains__
    for typed in ("kYHHg6oV8A4", " https://www.youtube.com/watch?v=kYHHg6oV8A4&t=18s ",
                  "https://youtu.be/kYHHg6oV8A4", "https://www.youtube.com/shorts/kYHHg6oV8A4"):
        assert resolve_video(typed, known) == "kYHHg6oV8A4"
    assert resolve_video(None, known) is None and resolve_video(" ", known) is None
    with pytest.raises(BadArgument, match="No ingested video has the id “abcdefghijk”"):
        resolve_video("https://youtu.be/abcdefghijk", known)
    with pytest.raises(BadArgument, match="--video takes a video id"):
        resolve_video("the floods one", known)


def test_an_empty_line_to_quote_is_explained() -> None:
    with pytest.raises(BadArgument, match="Please type a line"):
        check_line(" \t ")


def test_channel_choices_prefix_first_then_anywhere() -> None:
    assert channel_choices("", KNOWN) == list(KNOWN)
    assert channel_choices("d", KNOWN) == ["DW News"]
    assert channel_choices("news", KNOWN) == ["BBC News", "DW News"]
    assert channel_choices("a", KNOWN) == ["Al Jazeera English"]
    assert len(channel_choices("", [f"c{i}" for i in range(40)])) == 25


def test_strip_mention_leaves_the_question() -> None:
    assert strip_mention("<@42> what did   they say?", 42) == "what did they say?"
    assert strip_mention("hey <@!42>, gold?", 42) == "hey , gold?"
    assert strip_mention("<@42>", 42) == ""
    assert strip_mention("<@43> hi", 42) == "<@43> hi"


def test_message_topic_drops_markup_and_is_cut_to_the_limit() -> None:
    topic = message_topic("<@1> look <#2> https://x.y/z gold at $5,000 <:pog:3> <t:1700000000:R>")
    assert topic == "look gold at $5,000"
    long = message_topic("gold " * 300)
    assert len(long) <= MAX_QUESTION and long.startswith("gold gold")


def test_cooldown_is_per_user_and_expires() -> None:
    now = [100.0]
    cooldown = Cooldown(5.0, clock=lambda: now[0])
    assert cooldown.retry_after(1) == 0.0
    assert cooldown.retry_after(2) == 0.0
    now[0] += 2.0
    assert cooldown.retry_after(1) == pytest.approx(3.0)
    now[0] += 3.0
    assert cooldown.retry_after(1) == 0.0


def test_cooldown_zero_never_waits() -> None:
    cooldown = Cooldown(0)
    assert all(cooldown.retry_after(1) == 0.0 for _ in range(5))
