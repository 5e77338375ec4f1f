"""Discord's size limits and markdown, enforced without ever failing a send.

Everything here is pure. Text from users and transcripts is escaped before it is put into a
message, and every cut happens at a word boundary: since markup we add (bold) never spans
whitespace, a cut between words can never leave a dangling `**` or a lone escape backslash.
"""

from __future__ import annotations

import copy
import re
from typing import Any

import discord

from service.text import truncate_words

# https://discord.com/developers/docs/resources/message#embed-object-embed-limits
TITLE = 256
DESCRIPTION = 4096
FIELD_NAME = 256
FIELD_VALUE = 1024
FIELDS = 25
FOOTER = 2048
AUTHOR = 256
EMBED_TOTAL = 6000
MESSAGE = 2000

EMPTY = "\u200b"  # Discord rejects empty field names and values; a zero-width space is "nothing"

# Characters that start markdown, mentions (`@everyone`, `<@id>`), masked links (`[x](y)`),
# headings, quotes and lists. A backslash before any of them shows the character as typed.
_SPECIAL = re.compile(r"([\\*_~`|>#\-\[\]<@])")
_ESCAPED_OR_BOLD = re.compile(r"\\(.)|\*\*", re.DOTALL)


def escape_markdown(text: str) -> str:
    """`text` with every markdown and mention character escaped, so it displays as typed."""
    return _SPECIAL.sub(r"\\\1", text)


def plain_text(markdown: str) -> str:
    """What a reader sees of text built here: escapes resolved and bold markers removed."""
    return _ESCAPED_OR_BOLD.sub(lambda m: m.group(1) or "", markdown)


def truncate_message(text: str) -> str:
    """Message content within Discord's 2000-character limit."""
    return truncate_words(text, MESSAGE)


def embed_length(data: dict[str, Any]) -> int:
    """The characters Discord counts against the 6000 total of an embed given as a dict."""
    return len(discord.Embed.from_dict(data))


def safe_embed(embed: discord.Embed) -> discord.Embed:
    """A copy of `embed` within every Discord limit, shortened at word boundaries."""
    data: dict[str, Any] = copy.deepcopy(dict(embed.to_dict()))  # to_dict shares the embed's parts
    _fit(data, "title", TITLE)
    _fit(data, "description", DESCRIPTION)
    _fit(data.get("author"), "name", AUTHOR)
    _fit(data.get("footer"), "text", FOOTER)
    fields: list[dict[str, Any]] = data.get("fields", [])[:FIELDS]
    for f in fields:
        f["name"] = truncate_words(str(f.get("name") or ""), FIELD_NAME) or EMPTY
        f["value"] = truncate_words(str(f.get("value") or ""), FIELD_VALUE) or EMPTY
    data["fields"] = fields
    _fit_total(data)
    if not data["fields"]:
        del data["fields"]
    return discord.Embed.from_dict(data)


def _fit(parent: Any, key: str, limit: int) -> None:
    if isinstance(parent, dict) and isinstance(parent.get(key), str):
        parent[key] = truncate_words(parent[key], limit)


def _fit_total(data: dict[str, Any]) -> None:
    """Shorten what matters least first: description, field values from the last one,
    then whole trailing fields, then footer and title."""
    fields: list[dict[str, Any]] = data["fields"]
    for parent, key in [(data, "description"), *((f, "value") for f in reversed(fields))]:
        _shrink(data, parent, key)
    while len(fields) > 1 and embed_length(data) > EMBED_TOTAL:
        fields.pop()
    for parent, key in [(data.get("footer"), "text"), (data, "title")]:
        _shrink(data, parent, key)


def _shrink(data: dict[str, Any], parent: Any, key: str) -> None:
    """Cut `parent[key]` by as much as the whole embed is over its total."""
    excess = embed_length(data) - EMBED_TOTAL
    if excess > 0 and isinstance(parent, dict) and isinstance(parent.get(key), str):
        text: str = parent[key]
        if text:
            parent[key] = truncate_words(text, max(1, len(text) - excess))
