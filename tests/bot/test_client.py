"""The Discord client's own settings: minimal intents and the invite it asks for."""

from __future__ import annotations

import discord

from bot.client import PERMISSIONS, invite_url, minimal_intents


def test_intents_are_minimal_and_unprivileged() -> None:
    intents = minimal_intents()
    assert intents.guilds and intents.guild_messages
    assert not (intents.message_content or intents.members or intents.presences)
    assert intents.value == discord.Intents(guilds=True, guild_messages=True).value


def test_invite_url_asks_for_commands_and_what_replies_need() -> None:
    url = invite_url(1234)
    assert "client_id=1234" in url and "scope=bot+applications.commands" in url
    assert f"permissions={PERMISSIONS.value}" in url
    assert PERMISSIONS.send_messages and PERMISSIONS.embed_links
    assert not PERMISSIONS.administrator and not PERMISSIONS.mention_everyone
