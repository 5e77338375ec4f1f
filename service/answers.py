"""The answering use cases: ask, search, quote, context, latest, stats, over the store.

Both front ends call these and only render what comes back, so `newsreel ask` and `/ask` (or
`newsreel quote` and `/quote`) cannot drift apart. Calls block: Discord runs them in a thread.
"""

from __future__ import annotations

from collections.abc import Sequence

from service.requests import (
    Answer,
    AskRequest,
    ContextRequest,
    LatestRequest,
    QuoteAnswer,
    QuoteRequest,
)
from store.index import Catalog
from store.records import Hit, SearchFilters, VideoInfo
from store.search import QuoteMatch, Searcher


class Answers:
    """The use cases over one searcher and its catalog (built once by the composition root)."""

    def __init__(self, searcher: Searcher, catalog: Catalog) -> None:
        self.searcher = searcher
        self.catalog = catalog

    def ask(self, request: AskRequest) -> Answer:
        """Page `offset // k` of the answer: up to `k` hits, and whether more follow; with none
        under filters, how many videos the filters let through."""
        hits = self.searcher.search(
            request.question, k=request.k + 1, filters=request.filters, offset=request.offset
        )
        return Answer(request.question, request.filters, tuple(hits[: request.k]),
                      len(hits) > request.k, self._in_scope(request.filters, hits))

    def search(self, request: AskRequest) -> list[Hit]:
        """`search --json`: the best `k` hits exactly as the searcher ranks them ([] abstains)."""
        return self.searcher.search(
            request.question, k=request.k, filters=request.filters, offset=request.offset
        )

    def search_answer(self, request: AskRequest) -> Answer:
        """`search`'s hits (as `search`) with the reason when there are none."""
        hits = self.search(request)
        return Answer(request.question, request.filters, tuple(hits), False,
                      self._in_scope(request.filters, hits))

    def quote(self, request: QuoteRequest) -> QuoteMatch | None:
        """The closest verbatim occurrence of a line, with its context; None below closeness."""
        return self.searcher.quote(request.text, request.filters)

    def quote_answer(self, request: QuoteRequest) -> QuoteAnswer:
        """`quote`'s match, with the reason when there is none."""
        match = self.quote(request)
        found = [match] if match else []
        return QuoteAnswer(request.text, request.filters, match,
                           self._in_scope(request.filters, found))

    def _in_scope(self, filters: SearchFilters, found: Sequence[object]) -> int | None:
        """Videos passing active filters, counted only when nothing was found."""
        if found or not filters.active:
            return None
        return len(self.catalog.video_filter_ids(filters))

    def context(self, request: ContextRequest) -> Hit | None:
        """The passage with `words` transcript words on each side; None if the video is gone."""
        return self.searcher.context(
            request.video_id, request.start_word, request.end_word, request.words
        )

    def latest(self, request: LatestRequest) -> list[VideoInfo]:
        """The most recently ingested videos, newest first."""
        return self.catalog.latest(request.limit, request.channel)

    def stats(self) -> dict[str, object]:
        """`{"videos", "chunks", "channels", "last_ingest"}` of the catalog."""
        return self.catalog.stats()

    def channels(self) -> list[str]:
        """Channel names of the ingested videos (what filters and autocomplete offer)."""
        return self.catalog.channels()

    def last_ingest(self) -> str | None:
        """ISO time of the last ingest by any process, or None before the first."""
        return self.catalog.get_state("last_ingest")

    def has_video(self, video_id: str) -> bool:
        """Whether a video id is in the catalog (for `--video`)."""
        return self.catalog.video(video_id) is not None


