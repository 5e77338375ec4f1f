"""Plain-text shaping shared by every front end: one line, cut at a word boundary."""

from __future__ import annotations

import re

from store.records import SearchFilters
from store.search import ELLIPSIS

_LAST_SPACE = re.compile(r"\s\S*$")


def one_line(text: str) -> str:
    """Whitespace (newlines included) collapsed to single spaces, for titles and labels."""
    return " ".join(text.split())


def truncate_words(text: str, limit: int) -> str:
    """`text` if it fits in `limit` characters, else cut at a word boundary and ended with '…'."""
    if len(text) <= limit:
        return text
    if limit <= len(ELLIPSIS):
        return ELLIPSIS[: max(limit, 0)]
    room = limit - len(ELLIPSIS)
    head = text[:room]
    # The cut already falls between words when the first character dropped is whitespace.
    if not text[room].isspace():
        last_space = _LAST_SPACE.search(head)
        if last_space is not None and last_space.start() > 0:
            head = head[: last_space.start()]
        else:
            # A single word longer than the limit: a hard cut, minus an escape it would split.
            head = head.rstrip("\\")
    return head.rstrip().rstrip(ELLIPSIS) + ELLIPSIS


def filters_label(filters: SearchFilters) -> str:
    """The active channel and date filters in words ('' when none): "DW News · since 2026-01-01"."""
    parts = []
    if filters.channel:
        parts.append(filters.channel)
    if filters.since:
        parts.append(f"since {filters.since}")
    if filters.until:
        parts.append(f"until {filters.until}")
    return " · ".join(parts)
