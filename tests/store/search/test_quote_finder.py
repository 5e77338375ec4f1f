"""Quote mode's matching: a line remembered with a word changed, dropped or contracted."""

from __future__ import annotations

from store.search.quote_finder import closest_window, comparable, find_exact

SPOKEN = (
    "and gold is different because unlike things like dollars pounds euros or yen you can't "
    "make or print any more of it so when people are worried they buy gold"
).split()


def test_contractions_compare_as_their_spelt_out_words() -> None:
    assert comparable("can't") == comparable("cannot") == ("can", "not")
    assert comparable("They're") == ("they", "are")
    assert comparable("—") == ()


def test_a_contracted_word_costs_nothing_and_the_span_is_in_spoken_words() -> None:
    typed = "you cannot make or print any more of it".split()
    assert find_exact(SPOKEN, typed) is None
    occ = closest_window(SPOKEN, 0, len(SPOKEN), typed)
    assert occ.similarity == 1.0
    assert " ".join(SPOKEN[occ.start : occ.end]) == "you can't make or print any more of it"


def test_a_changed_and_a_dropped_word_still_match_closely() -> None:
    typed = "unlike dollars pounds euros or yen you cannot print any more of it".split()
    occ = closest_window(SPOKEN, 0, len(SPOKEN), typed)
    assert 0.8 <= occ.similarity < 1.0
    assert SPOKEN[occ.start] in {"unlike", "like", "things"} and SPOKEN[occ.end - 1] == "it"


def test_an_unrelated_line_is_not_close() -> None:
    occ = closest_window(SPOKEN, 0, len(SPOKEN), "the minister resigned over the scandal".split())
    assert occ.similarity < 0.5
