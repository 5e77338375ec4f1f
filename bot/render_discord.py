"""Answers rendered for Discord: pure functions from store dataclasses to embed data and text.

Quotes stay verbatim: transcript words are only escaped (so they display exactly as spoken)
and emphasised in bold, never reworded. Every piece is cut to Discord's limits here, at word
boundaries, and `EmbedData.to_embed` runs `safe_embed` as a last guard.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

import discord

from bot.discord_limits import (
    DESCRIPTION,
    EMBED_TOTAL,
    FIELD_NAME,
    FIELD_VALUE,
    MESSAGE,
    TITLE,
    escape_markdown,
    safe_embed,
)
from service.arguments import only_common_words
from service.requests import NO_VIDEO_MATCHES_FILTERS, ONLY_COMMON_WORDS, empty_reason
from service.text import filters_label, one_line, truncate_words
from store.links import format_timestamp, shown_date, video_url
from store.records import Hit, SearchFilters, VideoInfo
from store.search import ELLIPSIS, QuoteMatch

COLOUR = 0xC0392B
NO_QUOTE = "No line like that was found in the ingested videos."
INDEX_UNAVAILABLE = "The index is unavailable right now, try again in a minute."
SOMETHING_WENT_WRONG = "Sorry, something went wrong while answering that. It has been logged."
EXPIRED = "These results have expired (the bot restarted or they are old). Please ask again."


@dataclass(frozen=True)
class Field:
    """One embed field."""

    name: str
    value: str
    inline: bool = False


@dataclass(frozen=True)
class EmbedData:
    """An embed as plain data, so rendering can be tested without Discord."""

    title: str
    description: str = ""
    fields: tuple[Field, ...] = ()
    footer: str = ""

    def to_embed(self) -> discord.Embed:
        """The discord.py embed, checked against every limit."""
        embed = discord.Embed(title=self.title, description=self.description or None,
                              colour=COLOUR)
        for f in self.fields:
            embed.add_field(name=f.name, value=f.value, inline=f.inline)
        if self.footer:
            embed.set_footer(text=self.footer)
        return safe_embed(embed)


# --- building blocks ---------------------------------------------------------------------


def emphasised(quote: str, bold: Callable[[int, str], bool]) -> str:
    """A verbatim quote, escaped, with the words for which `bold(index, word)` holds in bold."""
    out = []
    for i, word in enumerate(quote.split(" ")):
        core = word.strip(ELLIPSIS)
        if core and bold(i, core):
            # Ellipses the quote was cut with stay outside the bold markers.
            lead, trail = word[: word.index(core)], word[word.index(core) + len(core):]
            out.append(f"{lead}**{escape_markdown(core)}**{trail}")
        else:
            out.append(escape_markdown(word))
    return " ".join(out)


def emphasised_run(quote: str, focus: tuple[int, int], limit: int) -> str:
    """A verbatim quote, escaped, with its words [focus[0], focus[1]) in one bold run, within
    `limit` characters.

    Too long a quote loses words after the focus first, then before it, then the focus's own
    tail, each cut marked with an ellipsis; the bold markers are added after cutting, so they
    always come in pairs.
    """
    words = quote.split(" ")
    f0, f1 = max(0, focus[0]), min(len(words), focus[1])
    a, b = 0, len(words)
    # Each word's escaped length plus its space: the cut is found without re-rendering.
    sizes = [len(escape_markdown(w)) + 1 for w in words]
    total = sum(sizes) + 6  # two ellipses and a pair of bold markers at most
    while total > limit and b - a > 1:
        if b > max(f1, a + 1):
            b -= 1
            total -= sizes[b]
        elif a < f0:
            total -= sizes[a]
            a += 1
        else:
            b -= 1
            total -= sizes[b]
    shown = words[a:b]
    if a > 0 and not shown[0].startswith(ELLIPSIS):
        shown[0] = ELLIPSIS + shown[0]
    if b < len(words) and not shown[-1].endswith(ELLIPSIS):
        shown[-1] = shown[-1] + ELLIPSIS
    run = [i - a for i in range(max(a, f0), min(b, f1)) if words[i].strip(ELLIPSIS)]
    out = []
    for i, word in enumerate(shown):
        core = word.strip(ELLIPSIS)
        at = word.index(core) if core else len(word)
        lead, trail = word[:at], word[at + len(core):]
        # Ellipses the quote was cut with stay outside the bold markers.
        opening = "**" if run and i == run[0] else ""
        closing = "**" if run and i == run[-1] else ""
        out.append(f"{lead}{opening}{escape_markdown(core)}{closing}{trail}")
    text = " ".join(out)
    return text if len(text) <= limit else truncate_words(plain_escaped(shown), limit)


def plain_escaped(words: Sequence[str]) -> str:
    """Words escaped and joined, without emphasis (the last resort when nothing else fits)."""
    return " ".join(escape_markdown(w) for w in words)


def quoted(markdown: str, limit: int) -> str:
    """Markdown in quotation marks, cut at a word boundary to fit `limit` characters."""
    return f"“{truncate_words(markdown, max(1, limit - 2))}”"


def moment_link(hit: Hit) -> str:
    """A masked link to the moment: `[▶ 3:12](url)`, `≈` when estimated, `watch` when unknown."""
    if hit.start_s is None:
        return f"[▶ watch]({hit.url})"
    approx = "≈" if hit.approximate_time else ""
    return f"[▶ {approx}{format_timestamp(hit.start_s)}]({hit.url})"


def source_line(hit: Hit) -> str:
    """Channel, publication date and the link to the moment."""
    return f"{escape_markdown(hit.channel)} · {shown_date(hit.published)} · {moment_link(hit)}"


def in_quotes_title(text: str) -> str:
    """A user's text as an embed title: one line, escaped, in quotation marks."""
    return quoted(escape_markdown(one_line(text)), TITLE)


# --- /ask ---------------------------------------------------------------------------------


def hit_field(hit: Hit, number: int, budget: int = FIELD_VALUE) -> Field:
    """One passage: the numbered video title, then the passage with its focus in bold and
    where it is from."""
    source = source_line(hit)
    focus = (hit.focus_start - hit.start_word, hit.focus_end - hit.start_word)
    body = emphasised_run(hit.quote, focus, budget - len(source) - 3)
    name = truncate_words(f"{number}. {escape_markdown(one_line(hit.title))}", FIELD_NAME)
    return Field(name, f"“{body}”\n{source}")


def answer_embed(
    question: str, hits: Sequence[Hit], first_number: int = 1,
    filters: SearchFilters | None = None,
) -> EmbedData:
    """The answer to a question: its best passages as verbatim quotes with links."""
    # Share the 6000-character total between the fields, so none has to be dropped.
    budget = min(FIELD_VALUE, (EMBED_TOTAL - TITLE - 200) // max(1, len(hits)) - FIELD_NAME)
    fields = tuple(hit_field(h, first_number + i, budget) for i, h in enumerate(hits))
    last = first_number + len(hits) - 1
    shown = f"Result {first_number}" if last == first_number else f"Results {first_number}–{last}"
    footer = " · ".join(p for p in (shown, filters_label(filters or SearchFilters())) if p)
    return EmbedData(title=in_quotes_title(question), fields=fields, footer=footer)


def no_coverage(
    question: str, filters: SearchFilters | None = None, in_scope: int | None = None
) -> str:
    """The plain answer when search abstains, by the same reason as every front end
    (service.requests.empty_reason); `in_scope` 0: no video passes the filters."""
    where = filters_label(filters or SearchFilters())
    reason = empty_reason(question, in_scope)
    if reason == NO_VIDEO_MATCHES_FILTERS:
        return (
            f"No ingested video matches these filters ({escape_markdown(where)}), so nothing"
            " was searched: try a wider date range or another channel."
        )
    if reason == ONLY_COMMON_WORDS:
        return only_common_words(escape_markdown(question))
    scope = f" ({escape_markdown(where)})" if where else ""
    text = truncate_words(escape_markdown(one_line(question)), 300)
    return f"No coverage found for “{text}” in the ingested videos{scope}."


def context_embed(context: Hit, passage_start: int, passage_end: int) -> EmbedData:
    """The transcript around a passage, the passage itself in bold."""
    source = source_line(context)
    body = emphasised(
        context.quote, lambda i, _: passage_start <= context.start_word + i < passage_end
    )
    title = truncate_words(f"More context: {escape_markdown(one_line(context.title))}", TITLE)
    return EmbedData(title=title, description=f"{quoted(body, DESCRIPTION - len(source) - 2)}\n\n"
                     f"{source}")


# --- /quote -------------------------------------------------------------------------------


def quote_message(match: QuoteMatch) -> str:
    """The line found for a remembered one, ready to paste: quote, source, link; a "closest"
    match (no line like it, the passage that answers its gist) says so."""
    hit = match.hit
    shown = match.context or hit
    if shown.focus_end > shown.focus_start:
        focus = (shown.focus_start - shown.start_word, shown.focus_end - shown.start_word)
    else:
        focus = (hit.start_word - shown.start_word, hit.end_word - shown.start_word)
    at = ""
    if hit.start_s is not None:
        at = f" · at {'≈' if hit.approximate_time else ''}{format_timestamp(hit.start_s)}"
    source = (f"— {escape_markdown(hit.channel)}, “{escape_markdown(one_line(hit.title))}”, "
              f"{shown_date(hit.published)}{at}")
    lines = [source, f"<{hit.url}>"]
    percent = round(match.similarity * 100)
    if match.kind == "closest":
        lines.append(f"-# no line with these words: the closest passage ({percent}% of the"
                     " words as typed, in bold the part nearest your line)")
    elif not match.exact:
        lines.append(f"-# closest match: {percent}% of the words as typed")
    rest = "\n".join(lines)
    body = emphasised_run(shown.quote, focus, MESSAGE - len(rest) - 5)
    return f"> “{body}”\n{rest}"


# --- /latest and /stats -------------------------------------------------------------------


def discord_time(iso: str | None, style: str = "R") -> str:
    """An ISO time as a Discord timestamp (shown in each reader's time zone), or 'never'."""
    if not iso:
        return "never"
    try:
        return f"<t:{int(datetime.fromisoformat(iso).timestamp())}:{style}>"
    except ValueError:
        return escape_markdown(iso)


def latest_embed(videos: Sequence[VideoInfo], channel: str | None = None) -> EmbedData:
    """The most recently ingested videos, newest first, each with its link."""
    title = f"Latest videos from {escape_markdown(channel)}" if channel else "Latest videos"
    if not videos:
        return EmbedData(title=truncate_words(title, TITLE),
                         description="Nothing has been ingested yet.")
    lines = []
    for v in videos:
        label = escape_markdown(one_line(v.title))
        lines.append(f"[{label}]({video_url(v.video_id, v.url)})\n"
                     f"{escape_markdown(v.channel)} · {shown_date(v.published)} · added "
                     f"{discord_time(v.ingested_at)}")
    description = ""
    for line in lines:  # whole entries only: a cut link would not render
        if len(description) + len(line) + 2 > DESCRIPTION:
            break
        description = f"{description}\n\n{line}" if description else line
    return EmbedData(title=truncate_words(title, TITLE), description=description)


def stats_embed(stats: Mapping[str, object]) -> EmbedData:
    """Videos, chunks, channels and the last ingest."""
    channels = stats.get("channels")
    per_channel: Mapping[str, object] = channels if isinstance(channels, Mapping) else {}
    listing = "\n".join(f"{escape_markdown(str(name))} — {count}"
                        for name, count in per_channel.items())
    last = stats.get("last_ingest")
    fields = (
        Field("Videos", str(stats.get("videos", 0)), inline=True),
        Field("Chunks", str(stats.get("chunks", 0)), inline=True),
        Field("Last ingest", discord_time(last if isinstance(last, str) else None), inline=True),
        Field("Channels", truncate_words(listing, FIELD_VALUE) or "none yet"),
    )
    return EmbedData(title="Newsreel coverage", fields=fields)


def cooldown_notice(seconds: float) -> str:
    """The short notice a user gets when asking again too soon."""
    return f"You're asking a little fast; try again in {max(1, round(seconds))} s."
