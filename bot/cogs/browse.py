"""/latest and /stats: what the bot knows about."""

from __future__ import annotations

import asyncio

import discord
from discord import app_commands
from discord.ext import commands

from bot.channels import channel_autocomplete
from bot.client import NewsreelBot
from bot.notices import NO_MENTIONS, answering
from bot.render_discord import latest_embed, stats_embed
from bot.services import AnswerServices
from service.arguments import resolve_channel
from service.requests import LatestRequest


class BrowseCog(commands.Cog, name="Browse"):
    """Browse the coverage: the newest videos and the size of the index."""

    def __init__(self, bot: NewsreelBot, answers: AnswerServices) -> None:
        self.bot = bot
        self.answers = answers

    @app_commands.command(name="latest", description="The most recently ingested videos.")
    @app_commands.describe(channel="Only videos from this channel")
    @app_commands.autocomplete(channel=channel_autocomplete)
    async def latest(self, interaction: discord.Interaction, channel: str | None = None) -> None:
        """/latest: the newest videos, each with its link."""
        async with answering(interaction, "/latest"):
            name = resolve_channel(channel, self.bot.channels.known())
            await interaction.response.defer(thinking=True)
            videos = await asyncio.to_thread(self.answers.latest, LatestRequest(name))
            await interaction.followup.send(
                embed=latest_embed(videos, name).to_embed(), allowed_mentions=NO_MENTIONS)

    @app_commands.command(name="stats", description="Videos, chunks, channels and last ingest.")
    async def stats(self, interaction: discord.Interaction) -> None:
        """/stats: the size of the index."""
        async with answering(interaction, "/stats"):
            await interaction.response.defer(thinking=True)
            stats = await asyncio.to_thread(self.answers.stats)
            await interaction.followup.send(
                embed=stats_embed(stats).to_embed(), allowed_mentions=NO_MENTIONS)
