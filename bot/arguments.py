"""Checks of what users type into commands, each failure a short message saying how to fix it."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date

from bot.discord_limits import one_line, truncate_words
from store.errors import NewsreelError
from store.models import SearchFilters

MAX_QUESTION = 500
MAX_CHOICES = 25  # Discord shows at most 25 autocomplete choices

# Mentions, channel links, custom emoji, timestamps and URLs say nothing about a topic.
_NOT_TOPIC = re.compile(r"<[@#:a-z!&][^>\s]*>|https?://\S+", re.IGNORECASE)


class BadArgument(NewsreelError):
    """Something a user typed that cannot be used; the message tells them why."""


def check_question(
    text: str | None, what: str = "question", example: str = "what did the BBC say about gold"
) -> str:
    """The question with its whitespace tidied, or BadArgument when empty or too long."""
    question = one_line(text or "")
    if not question:
        raise BadArgument(f"Please type a {what}, e.g. `{example}`.")
    if len(question) > MAX_QUESTION:
        raise BadArgument(
            f"Please keep the {what} under {MAX_QUESTION} characters (yours has {len(question)})."
        )
    return question


def parse_date(value: str | None, name: str) -> str | None:
    """A YYYY-MM-DD date (or nothing), or BadArgument naming the option."""
    if value is None or not value.strip():
        return None
    try:
        return date.fromisoformat(value.strip()).isoformat()
    except ValueError:
        raise BadArgument(
            f"`{name}` must be a date like 2024-08-13, not “{truncate_words(one_line(value), 40)}”."
        ) from None


def resolve_channel(name: str | None, known: Sequence[str]) -> str | None:
    """The known channel `name` refers to (case-insensitively), or BadArgument listing them."""
    if name is None or not name.strip():
        return None
    wanted = one_line(name).casefold()
    for channel in known:
        if channel.casefold() == wanted:
            return channel
    listed = ", ".join(known[:MAX_CHOICES]) or "none yet"
    raise BadArgument(
        f"No videos from a channel called “{truncate_words(one_line(name), 80)}”. "
        f"Known channels: {listed}."
    )


def search_filters(
    channel: str | None, since: str | None, until: str | None, known: Sequence[str]
) -> SearchFilters:
    """Filters from the optional command arguments, checked; BadArgument says what is wrong."""
    start, end = parse_date(since, "since"), parse_date(until, "until")
    if start and end and start > end:
        raise BadArgument(f"`since` ({start}) is after `until` ({end}); swap them?")
    return SearchFilters(channel=resolve_channel(channel, known), since=start, until=end)


def channel_choices(current: str, known: Sequence[str]) -> list[str]:
    """Known channels matching what was typed so far: prefix matches first, then the rest."""
    typed = one_line(current).casefold()
    prefix = [c for c in known if c.casefold().startswith(typed)]
    inner = [c for c in known if typed in c.casefold() and c not in prefix]
    return (prefix + inner)[:MAX_CHOICES]


def strip_mention(content: str, user_id: int) -> str:
    """A message's text without the mentions of `user_id` (how a question to the bot arrives)."""
    return one_line(re.sub(rf"<@!?{user_id}>", " ", content))


def message_topic(content: str) -> str:
    """What a message talks about, as a question: markup removed, cut to the question limit."""
    return truncate_words(one_line(_NOT_TOPIC.sub(" ", content)), MAX_QUESTION)
