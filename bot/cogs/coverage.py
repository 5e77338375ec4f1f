"""/trend (a chart of how many videos of each channel covered a topic) and /compare (what each
channel said about it), with a button that opens the busiest day's videos through /ask."""

from __future__ import annotations

import asyncio
import io
import re
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.channels import channel_autocomplete
from bot.client import NewsreelBot
from bot.cogs.ask import AskSession, ask_cog, send_followup
from bot.coverage_chart import render_png
from bot.notices import NO_MENTIONS, answering, check_cooldown
from bot.render_coverage import TREND_FILE, busiest_label, compare_embed, trend_message
from bot.services import CoverageServices
from service.arguments import check_question, search_filters
from service.coverage import CoverageRequest, Trend
from store.records import SearchFilters

# The button keeps its state in its custom id (at most 100 characters), so it works after a
# restart; a topic too long for it gets no button.
BUSIEST_ID = r"nr:busy:(?P<since>\d{4}-\d\d-\d\d):(?P<until>\d{4}-\d\d-\d\d):(?P<topic>.+)"
TOPIC_EXAMPLE = "Greenland"


class BusiestButton(discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]],
                    template=BUSIEST_ID):
    """Answers the trend's topic through /ask, within its busiest day (or week)."""

    def __init__(self, since: str, until: str, topic: str, label: str) -> None:
        super().__init__(discord.ui.Button(
            label=label, style=discord.ButtonStyle.secondary,
            custom_id=busiest_id(since, until, topic)))
        self.since, self.until, self.topic = since, until, topic

    @classmethod
    def for_trend(cls, trend: Trend) -> BusiestButton | None:
        """The button for a trend, or None when it has no busiest day or the id would not fit."""
        busiest = trend.busiest_range()
        if busiest is None:
            return None
        custom_id = busiest_id(*busiest, trend.topic)
        if len(custom_id) > 100 or not re.fullmatch(BUSIEST_ID, custom_id):
            return None
        return cls(*busiest, trend.topic, busiest_label(trend))

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> BusiestButton:
        """Rebuild the button from a click."""
        label = getattr(item, "label", None) or ""
        return cls(match["since"], match["until"], match["topic"], label)

    async def callback(self, interaction: discord.Interaction) -> None:
        """The /ask answer for the topic within the busiest day, shown only to the clicker."""
        async with answering(interaction, "busiest day"):
            await interaction.response.defer(ephemeral=True, thinking=True)
            session = AskSession(self.topic, SearchFilters(since=self.since, until=self.until),
                                 interaction.user.id)
            cog = ask_cog(interaction)
            await send_followup(interaction, await cog.answer(session), ephemeral=True)


def busiest_id(since: str, until: str, topic: str) -> str:
    """The custom id of the busiest-day button."""
    return f"nr:busy:{since}:{until}:{topic}"


class CoverageCog(commands.Cog, name="Coverage"):
    """How much each channel covered a story, and what each said."""

    def __init__(self, bot: NewsreelBot, coverage: CoverageServices) -> None:
        self.bot = bot
        self.coverage = coverage

    async def cog_load(self) -> None:
        """Register the busiest-day button's handler."""
        self.bot.add_dynamic_items(BusiestButton)

    async def cog_unload(self) -> None:
        """Undo cog_load."""
        self.bot.remove_dynamic_items(BusiestButton)

    def _request(self, topic: str, since: str | None, until: str | None,
                 channel: str | None = None) -> CoverageRequest:
        """The request, checked before the interaction is acknowledged (mistakes go privately)."""
        clean = check_question(topic, "topic", TOPIC_EXAMPLE)
        filters = search_filters(channel, since, until, self.bot.channels.known())
        return CoverageRequest(clean, filters.since, filters.until, filters.channel)

    @app_commands.command(
        name="trend", description="A chart of how many videos of each channel covered a topic.")
    @app_commands.describe(
        topic="The story, e.g. Greenland",
        since="From this date (YYYY-MM-DD); default: 90 days before the last video",
        until="Up to this date (YYYY-MM-DD); default: the last video",
        channel="Only this channel",
    )
    @app_commands.autocomplete(channel=channel_autocomplete)
    async def trend(
        self, interaction: discord.Interaction, topic: str, since: str | None = None,
        until: str | None = None, channel: str | None = None,
    ) -> None:
        """/trend: the chart as a PNG attachment with the summary line."""
        async with answering(interaction, "/trend"):
            request = self._request(topic, since, until, channel)
            check_cooldown(self.bot.cooldown, interaction.user)
            await interaction.response.defer(thinking=True)
            found = await asyncio.to_thread(self.coverage.trend, request)
            png = await asyncio.to_thread(render_png, found)
            view = discord.ui.View(timeout=None)
            button = BusiestButton.for_trend(found)
            if button is not None:
                view.add_item(button)
            await interaction.followup.send(
                trend_message(found), file=discord.File(io.BytesIO(png), TREND_FILE),
                view=view, allowed_mentions=NO_MENTIONS)

    @app_commands.command(
        name="compare", description="What each channel said about a topic, side by side.")
    @app_commands.describe(
        topic="The story, e.g. Iran nuclear talks",
        since="From this date (YYYY-MM-DD); default: 90 days before the last video",
        until="Up to this date (YYYY-MM-DD); default: the last video",
    )
    async def compare(
        self, interaction: discord.Interaction, topic: str, since: str | None = None,
        until: str | None = None,
    ) -> None:
        """/compare: one embed field per channel, its closest covering passage verbatim."""
        async with answering(interaction, "/compare"):
            request = self._request(topic, since, until)
            check_cooldown(self.bot.cooldown, interaction.user)
            await interaction.response.defer(thinking=True)
            found = await asyncio.to_thread(self.coverage.compare, request)
            await interaction.followup.send(
                embed=compare_embed(found).to_embed(), allowed_mentions=NO_MENTIONS)
