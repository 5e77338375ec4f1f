"""Checks of what users type, shared by the terminal and Discord; each failure says how to fix it.

Both front ends call these same functions, so one mistake gets one answer. They differ only in
how an option is spelled in the message (`--since` in a terminal, `since` on Discord).
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import date

from service.text import one_line, truncate_words
from store.errors import NewsreelError
from store.records import SearchFilters
from store.text import content_terms

MAX_QUESTION = 500
MAX_CHOICES = 25  # Discord shows at most 25 autocomplete choices
MAX_K = 100  # passages per question: more is a dump, not an answer

# Mentions, channel links, custom emoji, timestamps and URLs say nothing about a topic.
_NOT_TOPIC = re.compile(r"<[@#:a-z!&][^>\s]*>|https?://\S+", re.IGNORECASE)
# A video id alone, or inside a YouTube link (watch?v=, youtu.be/, shorts/, embed/).
_VIDEO_ID = re.compile(r"(?:[?&]v=|youtu\.be/|/shorts/|/embed/)([\w-]{11})|^([\w-]{11})$")

Spelling = Callable[[str], str]  # how an option's name is written in a message


def slash_option(name: str) -> str:
    """How Discord shows an option: `since`."""
    return f"`{name}`"


def cli_option(name: str) -> str:
    """How the terminal spells an option: --since, -k."""
    return f"-{name}" if len(name) == 1 else f"--{name}"


class BadArgument(NewsreelError):
    """Something a user typed that cannot be used; the message tells them why."""

    def __init__(self, message: str, option: str | None = None) -> None:
        super().__init__(message)
        self.option = option  # the option's plain name ("since"), None for the main text


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
    if what == "question" and not content_terms(question):
        # Search would find nothing to look for and answer "no coverage", which misleads.
        raise BadArgument(only_common_words(question, example))
    return question


def only_common_words(question: str, example: str = "what did the BBC say about gold") -> str:
    """Why a question of common words only ("what is the") cannot be searched, and what to do."""
    return (
        f"“{truncate_words(one_line(question), 40)}” has no words to search for, only common"
        f" ones like “the” or “what”: name a person, place or event, e.g. `{example}`."
    )


def check_line(text: str | None) -> str:
    """A remembered line for `quote`, tidied; BadArgument when empty or too long."""
    return check_question(text, what="line", example="gold has risen above 5,000 an ounce")


def parse_count(value: str | int, name: str = "k", spell: Spelling = cli_option) -> int:
    """A number of passages from 1 to MAX_K, or BadArgument naming the option."""
    try:
        n = int(str(value).strip())
    except ValueError:
        n = 0
    if not 1 <= n <= MAX_K:
        shown = truncate_words(one_line(str(value)), 40)
        raise BadArgument(
            f"{spell(name)} must be a whole number from 1 to {MAX_K}, not “{shown}”.", name
        )
    return n


def parse_date(value: str | None, name: str, spell: Spelling = slash_option) -> str | None:
    """A YYYY-MM-DD date (or nothing), or BadArgument naming the option."""
    if value is None or not value.strip():
        return None
    try:
        return date.fromisoformat(value.strip()).isoformat()
    except ValueError:
        raise BadArgument(
            f"{spell(name)} must be a date like 2024-08-13, "
            f"not “{truncate_words(one_line(value), 40)}”.",
            name,
        ) from None


def date_range(
    since: str | None, until: str | None, spell: Spelling = slash_option
) -> tuple[str | None, str | None]:
    """(since, until) as YYYY-MM-DD; BadArgument for a bad date or a reversed range."""
    start, end = parse_date(since, "since", spell), parse_date(until, "until", spell)
    if start and end and start > end:
        raise BadArgument(
            f"{spell('since')} ({start}) is after {spell('until')} ({end}); swap them?", "since"
        )
    return start, end


def resolve_channel(
    name: str | None, known: Sequence[str], spell: Spelling = slash_option
) -> str | None:
    """The known channel `name` refers to (case-insensitively), or BadArgument listing them."""
    if name is None or not name.strip():
        return None
    wanted = one_line(name).casefold()
    for channel in known:
        if channel.casefold() == wanted:
            return channel
    listed = ", ".join(known[:MAX_CHOICES]) or "none yet"
    guess = closest_channel(wanted, known)
    hint = f" Did you mean “{guess}”?" if guess else ""
    raise BadArgument(
        f"No videos from a channel called “{truncate_words(one_line(name), 80)}”.{hint} "
        f"Known channels: {listed}.",
        "channel",
    )


def closest_channel(typed: str, known: Sequence[str]) -> str | None:
    """The one known channel containing what was typed, else the most similar name, else None."""
    typed = typed.casefold()
    containing = [c for c in known if typed in c.casefold()]
    if containing:  # in several names it is ambiguous: the list that follows says the rest
        return containing[0] if len(containing) == 1 else None
    folded = {c.casefold(): c for c in known}
    close = difflib.get_close_matches(typed, list(folded), n=1, cutoff=0.6)
    if not close:
        return None
    # "Fox News" is not a misspelt "DW News": what names the channel ("dw") must be there too;
    # a word in several names ("news") names none of them.
    counts = Counter(w for name in folded for w in set(name.split()))
    naming = [w for w in close[0].split() if counts[w] == 1] or close[0].split()
    typed_words = typed.split()
    if all(difflib.get_close_matches(w, typed_words, n=1, cutoff=0.75) for w in naming):
        return folded[close[0]]
    return None


def resolve_video(
    value: str | None, exists: Callable[[str], bool], spell: Spelling = cli_option
) -> str | None:
    """A video id (alone or in a YouTube link) that `exists` knows, or BadArgument saying why."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    found = _VIDEO_ID.search(text)
    shown = truncate_words(one_line(text), 80)
    if found is None:
        raise BadArgument(
            f"{spell('video')} takes a video id (the 11 characters after `watch?v=`) or a "
            f"YouTube link, not “{shown}”.",
            "video",
        )
    video_id = found.group(1) or found.group(2)
    if not exists(video_id):
        raise BadArgument(f"No ingested video has the id “{video_id}”.", "video")
    return video_id


def search_filters(
    channel: str | None,
    since: str | None,
    until: str | None,
    known: Sequence[str],
    video: str | None = None,
    video_exists: Callable[[str], bool] = lambda _: False,
    spell: Spelling = slash_option,
) -> SearchFilters:
    """Filters from the optional command arguments, checked; BadArgument says what is wrong."""
    start, end = date_range(since, until, spell)
    return SearchFilters(
        channel=resolve_channel(channel, known, spell),
        since=start,
        until=end,
        video_id=resolve_video(video, video_exists, spell),
    )


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
