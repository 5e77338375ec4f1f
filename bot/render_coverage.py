"""/trend and /compare rendered for Discord: pure functions from coverage dataclasses to text
and embed data, escaped and cut to Discord's limits (quotes stay verbatim)."""

from __future__ import annotations

from bot.discord_limits import FIELD_NAME, FIELD_VALUE, MESSAGE, TITLE, escape_markdown
from bot.render_discord import EmbedData, Field, emphasised, quoted, source_line
from service.coverage import ChannelCoverage, Comparison, Trend, summary_line
from service.text import one_line, truncate_words
from store.search import stem

TREND_FILE = "trend.png"


def trend_message(trend: Trend) -> str:
    """The line posted with the chart: the summary, escaped, and a note when the range was cut
    to the dates ingested."""
    text = escape_markdown(summary_line(trend))
    if trend.clamped:
        text += "\n-# The range was cut to the dates of the ingested videos."
    return truncate_words(text, MESSAGE)


def busiest_label(trend: Trend) -> str:
    """The label of the button that lists the busiest day's (or week's) videos."""
    return "Busiest day's videos" if trend.bucket == "day" else "Busiest week's videos"


def channel_field(row: ChannelCoverage, since: str, until: str, budget: int) -> Field:
    """One channel: its closest covering passage with title, date and link, or "did not cover"."""
    name = escape_markdown(one_line(row.channel))
    best = row.best
    if best is None or best.hit is None:
        return Field(truncate_words(name, FIELD_NAME),
                     f"Did not cover it between {since} and {until}.")
    n = f"{row.videos} video{'s' if row.videos != 1 else ''}"
    hit = best.hit
    stems = set(hit.matched_terms)
    body = emphasised(hit.quote, lambda _, word: stem(word) in stems)
    title = escape_markdown(one_line(hit.title))
    source = source_line(hit)
    tail = f"\n{truncate_words(title, 200)}\n{source}"
    return Field(truncate_words(f"{name} · {n}", FIELD_NAME),
                 f"{quoted(body, budget - len(tail))}{tail}")


def compare_embed(comparison: Comparison) -> EmbedData:
    """Each channel's best passage on the topic side by side, one field per channel."""
    rows = comparison.channels
    # Share the 6000-character total between the fields, so none has to be dropped.
    budget = min(FIELD_VALUE, (6000 - TITLE - 300) // max(1, len(rows)) - FIELD_NAME)
    fields = tuple(channel_field(r, comparison.since, comparison.until, budget) for r in rows)
    covered = sum(1 for r in rows if r.best is not None)
    title = truncate_words(
        f"“{escape_markdown(one_line(comparison.topic))}”: what each channel said", TITLE)
    description = (f"{covered} of {len(rows)} channels covered it,"
                   f" {comparison.since} → {comparison.until}.")
    return EmbedData(title=title, description=description, fields=fields,
                     footer="Closest passage of each channel; same test as /follow")
