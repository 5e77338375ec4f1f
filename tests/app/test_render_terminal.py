"""The `ask` terminal answer: passages with title, channel, date and link, quoted verbatim."""

from __future__ import annotations

import re
from dataclasses import replace

from app.render_terminal import NO_COVERAGE, render_answer, render_hit, render_quote_match
from store.records import Hit, SearchFilters
from store.search.searcher import QuoteMatch

QUOTE = (
    "…we wouldn't need to do a military intervention to get Greenland because no one would dare"
    " stand up to us we could just take it non-militarily so in that sense we're one step forward"
    " https://example.org/a-very-long-address-that-is-wider-than-any-terminal-line-at-all-really…"
)


def hit(quote: str = QUOTE) -> Hit:
    return Hit(
        video_id="mw5Lp52LCcQ", title="Trump says he 'won't use force' | BBC Newscast",
        channel="BBC News", published="2026-01-21", quote=quote, start_s=651.0,
        url="https://www.youtube.com/watch?v=mw5Lp52LCcQ&t=649s", score=0.8,
        start_word=0, end_word=10,
    )


def test_wrapping_never_changes_the_quoted_words() -> None:
    for width in (30, 50, 88):
        text = render_hit(hit(), 1, width)
        quoted = re.search(r"“(.*)”", text, re.DOTALL)
        assert quoted
        assert " ".join(quoted.group(1).split()) == QUOTE
        assert "non-\n" not in text


def test_answer_shows_title_channel_date_time_and_link_only() -> None:
    lines = render_answer("q", [hit()]).splitlines()
    assert lines[0] == "1. Trump says he 'won't use force' | BBC Newscast"
    assert lines[1].strip() == "BBC News · 2026-01-21 at 10:51"
    assert lines[-1].strip() == "https://www.youtube.com/watch?v=mw5Lp52LCcQ&t=649s"


def test_no_hits_says_so_plainly() -> None:
    assert render_answer("floods in narnia", []) == NO_COVERAGE


def test_a_found_line_shows_its_own_time_and_link_with_the_words_around_it() -> None:
    line = replace(hit("we could just take it non-militarily"), start_s=663.0,
                   url="https://www.youtube.com/watch?v=mw5Lp52LCcQ&t=661s")
    around = replace(hit(), start_s=651.0)  # the context starts 12 s earlier
    text = render_quote_match(QuoteMatch(line, 1.0, True, around))
    assert "at 11:03" in text and "&t=661s" in text  # the line's moment, not the context's
    assert "stand up to us we could just take it" in text and "(exact match)" in text


def test_an_empty_answer_says_its_reason_for_questions_and_lines_alike() -> None:
    after = SearchFilters(since="2099-01-01")
    filtered = render_answer("floods", [], after, in_scope=0)
    assert filtered.startswith("No ingested video matches the filters (since 2099-01-01)")
    assert render_quote_match(None, after, in_scope=0) == filtered
    assert render_answer("what is the", []).startswith("“what is the” has no words to search")
    assert render_answer("floods", [], after, in_scope=3) == NO_COVERAGE
    assert render_quote_match(None, after, in_scope=3).startswith("No line like that")


def test_the_focus_is_bold_on_a_terminal_and_the_words_stay_verbatim() -> None:
    focused = replace(hit(), start_word=100, end_word=130, focus_start=103, focus_end=110)
    plain = render_hit(focused, 1, 40)
    bold = render_hit(focused, 1, 40, bold=True)
    assert "\033[" not in plain
    assert re.sub(r"\033\[[01]m", "", bold) == plain  # only the emphasis added
    runs = re.findall(r"\033\[1m(.*?)\033\[0m", bold)
    assert " ".join(" ".join(runs).split()) == " ".join(QUOTE.split()[3:10])
    # Piped into a file or another program, no terminal codes (the CLI passes isatty()).
    assert "\033[" not in render_answer("q", [focused])
