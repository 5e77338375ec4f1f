"""/quote: the exact words of a half-remembered line, ready to paste into the discussion."""

from __future__ import annotations

import asyncio

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import NewsreelBot
from bot.discord_limits import truncate_message
from bot.notices import NO_MENTIONS, answering, check_cooldown
from bot.render_discord import NO_QUOTE, quote_message
from bot.services import AnswerServices
from service.arguments import check_line
from service.requests import QuoteRequest


class QuoteCog(commands.Cog, name="Quote"):
    """Finds the closest verbatim occurrence of a line someone remembers."""

    def __init__(self, bot: NewsreelBot, answers: AnswerServices) -> None:
        self.bot = bot
        self.answers = answers

    @app_commands.command(
        name="quote", description="Find the exact words of a half-remembered line, with a link.")
    @app_commands.describe(text="The line as you remember it", private="Show it only to you")
    async def quote(
        self, interaction: discord.Interaction, text: str, private: bool = False
    ) -> None:
        """/quote: the closest occurrence, its surrounding words, source and link."""
        async with answering(interaction, "/quote"):
            line = check_line(text)
            check_cooldown(self.bot.cooldown, interaction.user)
            await interaction.response.defer(ephemeral=private, thinking=True)
            match = await asyncio.to_thread(self.answers.quote, QuoteRequest(line))
            content = NO_QUOTE if match is None else quote_message(match)
            await interaction.followup.send(
                truncate_message(content), ephemeral=private, allowed_mentions=NO_MENTIONS)
