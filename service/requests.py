"""Typed requests of the use cases, and the answers they return to both front ends."""

from __future__ import annotations

from dataclasses import dataclass, field

from store.records import Hit, SearchFilters

ASK_K = 3  # passages per answer: `newsreel ask` by default, and /ask's page size by default
CONTEXT_WORDS = 80  # transcript words shown on each side of a passage by "more context"
LATEST = 10  # videos listed by /latest


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


@dataclass(frozen=True)
class QuoteRequest:
    """A line as someone remembers it, to find verbatim."""

    text: str
    filters: SearchFilters = field(default_factory=SearchFilters)


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
