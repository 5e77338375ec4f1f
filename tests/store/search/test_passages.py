"""The passage shown for a window: the window whole, never cutting its focus."""

from __future__ import annotations

from store.search.passages import passage_around


def test_a_focus_inside_its_window_shows_the_whole_window() -> None:
    assert passage_around((130, 170), (120, 240), 1000) == (120, 240)


def test_a_focus_reaching_past_the_window_is_held_whole_within_the_length() -> None:
    a, b = passage_around((220, 270), (120, 240), 1000, max_len=120)
    assert b - a == 120 and a <= 220 and b >= 270
    a, b = passage_around((100, 130), (120, 240), 1000, max_len=120)
    assert b - a == 120 and a <= 100 and b >= 130


def test_a_short_video_is_shown_at_the_minimum_length_within_its_words() -> None:
    assert passage_around((2, 8), (0, 10), 40, min_len=25) == (0, 25)
    assert passage_around((35, 39), (32, 40), 40, min_len=25) == (15, 40)
    assert passage_around((0, 5), (0, 5), 5, min_len=25) == (0, 5)


def test_a_focus_longer_than_a_passage_keeps_its_start() -> None:
    assert passage_around((50, 300), (0, 120), 1000, max_len=120) == (50, 170)
