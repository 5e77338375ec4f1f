"""Answers rendered for a terminal: passages with title, channel, date and link."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from dataclasses import replace

from service.arguments import only_common_words
from service.requests import NO_VIDEO_MATCHES_FILTERS, ONLY_COMMON_WORDS, empty_reason
from service.text import filters_label
from store.links import format_timestamp, shown_date
from store.records import Hit, SearchFilters
from store.search import QuoteMatch

NO_COVERAGE = "No coverage found for that question in the ingested videos."
NO_QUOTE = "No line like that was found in the ingested videos."


BOLD, PLAIN = "\033[1m", "\033[0m"


def render_hit(hit: Hit, number: int | None = None, width: int = 88, bold: bool = False) -> str:
    """One passage: the verbatim quote, then where it is from and the link; with `bold` (a
    terminal that shows it), the focus in bold."""
    # Break only between words: "non-militarily" split at its hyphen would read, and copy,
    # as two words that the transcript does not have.
    quote = textwrap.fill(
        f"“{hit.quote}”",
        width=width,
        initial_indent="  ",
        subsequent_indent="   ",
        break_on_hyphens=False,
        break_long_words=False,
    )
    if bold and hit.focus_end > hit.focus_start:
        quote = embolden(quote, hit.focus_start - hit.start_word, hit.focus_end - hit.start_word)
    at = f" at {format_timestamp(hit.start_s)}" if hit.start_s is not None else ""
    head = f"{number}. " if number is not None else ""
    return (
        f"{head}{hit.title}\n   {hit.channel} · {shown_date(hit.published)}{at}\n{quote}\n"
        f"   {hit.url}"
    )


def embolden(wrapped: str, first: int, end: int) -> str:
    """A wrapped quote with its words [first, end) in terminal bold, line by line (the wrap
    only ever breaks between words, so the n-th word of the lines is the quote's n-th)."""
    out, n = [], 0
    for line in wrapped.split("\n"):
        indent = line[: len(line) - len(line.lstrip(" "))]
        words = line.split()
        inside = [i for i in range(len(words)) if first <= n + i < end]
        if inside:  # one bold run a line, so a pager or a copy never sees a dangling code
            words[inside[0]] = BOLD + words[inside[0]]
            words[inside[-1]] += PLAIN
        out.append(indent + " ".join(words))
        n += len(words)
    return "\n".join(out)


def render_answer(
    question: str, hits: Sequence[Hit], filters: SearchFilters | None = None,
    in_scope: int | None = None, bold: bool = False,
) -> str:
    """The `ask` answer: numbered passages, or one line saying why there are none (the filters,
    not the question, left nothing: `in_scope` 0; only common words; nothing relevant)."""
    if not hits:
        return render_empty(empty_reason(question, in_scope), question, filters, NO_COVERAGE)
    return "\n\n".join(render_hit(h, i, bold=bold) for i, h in enumerate(hits, 1))


def render_empty(
    reason: str, text: str, filters: SearchFilters | None, nothing_found: str = NO_COVERAGE
) -> str:
    """The line said for an empty answer, by its reason (service.requests)."""
    if reason == NO_VIDEO_MATCHES_FILTERS:
        return (
            f"No ingested video matches the filters ({filters_label(filters or SearchFilters())}),"
            " so nothing was searched: widen the dates or choose another channel"
            " (`newsreel stats` lists them)."
        )
    if reason == ONLY_COMMON_WORDS:
        return only_common_words(text)
    return nothing_found


def render_quote_match(
    match: QuoteMatch | None, filters: SearchFilters | None = None, in_scope: int | None = None,
    bold: bool = False,
) -> str:
    """The `quote` answer: the line found and how close it was, or why there is none; a
    "closest" match (no line like it, the passage that answers its gist) is labelled as such."""
    if match is None:
        reason = empty_reason("", in_scope, needs_topic=False)
        return render_empty(reason, "", filters, NO_QUOTE)
    percent = round(match.similarity * 100)
    if match.kind == "closest":
        how = f"no line with these words: the closest passage, {percent}% of the words as typed"
    elif match.exact:
        how = "exact match"
    else:
        how = f"closest match, {percent}% of the words as typed"
    # The words around the line are shown; its time and link are the line's own, as in Discord.
    shown = (
        replace(match.context, url=match.hit.url, start_s=match.hit.start_s)
        if match.context
        else match.hit
    )
    return f"{render_hit(shown, bold=bold)}\n   ({how})"
