"""The answering use cases over a real catalog: an empty answer carries its reason."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from app.wiring import Library
from service.requests import (
    NO_VIDEO_MATCHES_FILTERS,
    NOTHING_FOUND,
    ONLY_COMMON_WORDS,
    AskRequest,
    QuoteRequest,
    empty_reason,
)
from store.records import SearchFilters
from tests.store.test_ingest import copy_corpus


@pytest.fixture
def lib(make_library: Callable[..., Library], tmp_path: Path) -> Library:
    library = make_library()
    library.ingest([*copy_corpus(tmp_path / "in", 2)])
    return library


def test_the_reason_follows_the_filters_then_the_words() -> None:
    assert empty_reason("greenland", 0) == NO_VIDEO_MATCHES_FILTERS
    assert empty_reason("what is the", 0) == NO_VIDEO_MATCHES_FILTERS
    assert empty_reason("what is the", None) == ONLY_COMMON_WORDS
    assert empty_reason("what is the", None, needs_topic=False) == NOTHING_FOUND
    assert empty_reason("greenland", 4) == NOTHING_FOUND


def test_search_ask_and_quote_give_the_same_reason(lib: Library) -> None:
    future = SearchFilters(since="2099-01-01")
    asked = lib.answers.ask(AskRequest("greenland", future))
    searched = lib.answers.search_answer(AskRequest("greenland", future))
    quoted = lib.answers.quote_answer(QuoteRequest("greenland is not for sale", future))
    assert asked.hits == searched.hits == () and quoted.match is None
    assert asked.reason == searched.reason == quoted.reason == NO_VIDEO_MATCHES_FILTERS
    assert lib.answers.search_answer(AskRequest("what is the")).reason == ONLY_COMMON_WORDS


def test_hits_have_no_reason(lib: Library) -> None:
    request = AskRequest("iran foreign ministry statement on gaza", k=2)
    answer = lib.answers.search_answer(request)
    assert answer.hits and answer.reason is None
    assert list(answer.hits) == lib.answers.search(request)
