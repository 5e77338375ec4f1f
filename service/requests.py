"""Typed requests of the use cases, and the answers they return to both front ends."""

from __future__ import annotations

from dataclasses import dataclass, field

from store.records import Hit, SearchFilters
from store.search import QuoteMatch
from store.text import content_terms

ASK_K = 3  # passages per answer: `newsreel ask` by default, and /ask's page size by default
CONTEXT_WORDS = 80  # transcript words shown on each side of a passage by "more context"
LATEST = 10  # videos listed by /latest

# Why an answer is empty: one reason, whichever front end shows it (and the `"reason"` of
# `search --json` and `quote --json`, next to an empty `hits` or a null `match`).
NO_VIDEO_MATCHES_FILTERS = "no_video_matches_filters"  # the filters left nothing to search
ONLY_COMMON_WORDS = "only_common_words"  # "what is the": nothing to search for
NOTHING_FOUND = "nothing_found"  # searched, nothing relevant


def empty_reason(text: str, in_scope: int | None, needs_topic: bool = True) -> str:
    """Why searching `text` found nothing: NO_VIDEO_MATCHES_FILTERS when `in_scope` is 0
    (searchable videos passing the filters), ONLY_COMMON_WORDS when `needs_topic` and the text
    has no word to search for, else NOTHING_FOUND."""
    if in_scope == 0:
        return NO_VIDEO_MATCHES_FILTERS
    if needs_topic and not content_terms(text):
        return ONLY_COMMON_WORDS
    return NOTHING_FOUND


@dataclass(frozen=True)
class AskRequest:
    """A question: `k` passages after skipping `offset` (pages), within `filters`."""

    question: str
    filters: SearchFilters = field(default_factory=SearchFilters)
    k: int = ASK_K
    offset: int = 0


@dataclass(frozen=True)
class Answer:
    """The passages answering a question, best first; `has_more` when another page exists."""

    question: str
    filters: SearchFilters
    hits: tuple[Hit, ...]
    has_more: bool = False
    # Searchable videos that pass the filters, counted only when filters found nothing: 0 means
    # the filters, not the question, left nothing to search.
    in_scope: int | None = None

    @property
    def reason(self) -> str | None:
        """Why there are no hits (see `empty_reason`); None when there are."""
        return None if self.hits else empty_reason(self.question, self.in_scope)


@dataclass(frozen=True)
class QuoteRequest:
    """A line as someone remembers it, to find verbatim."""

    text: str
    filters: SearchFilters = field(default_factory=SearchFilters)


@dataclass(frozen=True)
class QuoteAnswer:
    """The closest occurrence of a line, or None with the reason."""

    text: str
    filters: SearchFilters
    match: QuoteMatch | None
    in_scope: int | None = None  # as in Answer

    @property
    def reason(self) -> str | None:
        """Why there is no match (a line of common words is still looked for verbatim)."""
        return None if self.match else empty_reason(self.text, self.in_scope, needs_topic=False)


@dataclass(frozen=True)
class ContextRequest:
    """The transcript around a passage (word offsets [start_word, end_word) of a video)."""

    video_id: str
    start_word: int
    end_word: int
    words: int = CONTEXT_WORDS


@dataclass(frozen=True)
class LatestRequest:
    """The newest videos, optionally of one channel."""

    channel: str | None = None
    limit: int = LATEST
