"""Discord's limits and markdown: cuts at word boundaries, escapes that display text as typed."""

from __future__ import annotations

import re

import discord
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.discord_limits import (
    EMBED_TOTAL,
    FIELD_VALUE,
    FIELDS,
    TITLE,
    escape_markdown,
    plain_text,
    safe_embed,
)
from service.text import truncate_words

words = st.text(alphabet=st.characters(codec="utf-8"), max_size=300)


@given(text=words, limit=st.integers(min_value=0, max_value=400))
def test_truncate_words_fits_and_keeps_a_prefix(text: str, limit: int) -> None:
    cut = truncate_words(text, limit)
    assert len(cut) <= limit
    if len(text) <= limit:
        assert cut == text
    elif limit >= 2:
        assert cut.endswith("…")
        assert text.startswith(cut[:-1].rstrip("…"))


@given(
    text=st.lists(st.text(alphabet="abcdefgh*_\\", min_size=1, max_size=12), min_size=2,
                  max_size=60).map(" ".join),
    limit=st.integers(min_value=20, max_value=200),
)
def test_truncate_words_cuts_between_words(text: str, limit: int) -> None:
    cut = truncate_words(text, limit)
    if cut != text and " " in text[: limit - 1]:
        kept = cut[:-1]
        assert text[len(kept)] == " ", "the cut split a word"


def test_truncate_words_examples() -> None:
    assert truncate_words("polar bears are getting fatter", 20) == "polar bears are…"
    assert truncate_words("polar bears", 11) == "polar bears"
    assert truncate_words("supercalifragilistic", 6) == "super…"  # one long word: hard cut
    assert truncate_words("a \\*b", 4) == "a…"


@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=200))
def test_escaped_text_reads_exactly_as_typed(text: str) -> None:
    assert plain_text(escape_markdown(text)) == text


@given(st.text(alphabet="@*_~`|>#-[]<\\ab ", max_size=80))
def test_every_markdown_character_is_escaped(text: str) -> None:
    unescaped = re.sub(r"\\.", "", escape_markdown(text))  # drop each escaped pair
    assert not set(unescaped) & set("@*_~`|>#-[]<\\")


def test_escape_example() -> None:
    assert escape_markdown("@everyone **bold** [x](y) <@1>") == (
        "\\@everyone \\*\\*bold\\*\\* \\[x\\](y) \\<\\@1\\>"
    )


def test_safe_embed_leaves_a_small_embed_alone() -> None:
    embed = discord.Embed(title="Gold", description="A rally")
    embed.add_field(name="1. Gold hits record", value="“price of gold”")
    assert safe_embed(embed).to_dict() == embed.to_dict()


def long_words(n: int) -> str:
    return " ".join(f"word{i}" for i in range(n))


def test_safe_embed_respects_every_limit_without_failing() -> None:
    embed = discord.Embed(title=long_words(200), description=long_words(2000))
    for i in range(40):
        embed.add_field(name=long_words(100), value=long_words(400) + f" end{i}")
    embed.set_footer(text=long_words(1000))
    original = embed.to_dict()

    safe = safe_embed(embed)

    assert len(safe) <= EMBED_TOTAL
    assert safe.title is not None and len(safe.title) <= TITLE and safe.title.endswith("…")
    assert 1 <= len(safe.fields) <= FIELDS
    assert all(f.value and len(f.value) <= FIELD_VALUE for f in safe.fields)
    assert embed.to_dict() == original, "safe_embed must not change its argument"


@pytest.mark.parametrize("n_fields", [1, 3, 10, 25])
def test_safe_embed_total_is_shared_by_cutting_words(n_fields: int) -> None:
    embed = discord.Embed(title="Question", description="")
    for i in range(n_fields):
        embed.add_field(name=f"{i}. title", value=long_words(300))
    safe = safe_embed(embed)
    assert len(safe) <= EMBED_TOTAL
    for field in safe.fields:
        assert field.value is not None
        assert field.value == long_words(300) or field.value.endswith("…")
