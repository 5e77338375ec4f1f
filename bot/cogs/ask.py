"""/ask with its "more results" and "more context" buttons, @mentions, and "Find coverage"."""

from __future__ import annotations

import asyncio
import re
import secrets
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, cast

import discord
from discord import app_commands
from discord.ext import commands

from bot.channels import channel_autocomplete
from bot.client import NewsreelBot
from bot.discord_limits import truncate_message
from bot.notices import NO_MENTIONS, Notice, answering, check_cooldown, explain, log
from bot.render_discord import EXPIRED, answer_embed, context_embed, no_coverage
from bot.services import AnswerServices
from service.arguments import check_question, message_topic, search_filters, strip_mention
from service.requests import ASK_K, AskRequest, ContextRequest
from service.requests import Answer as Page
from store.records import Hit, SearchFilters

MAX_PER_PAGE = 10  # keeps a page's buttons within Discord's 25 components
MENTION_HELP = "Mention me with a question, e.g. `@Newsreel what did the BBC say about gold`."

# Buttons carry their state in their custom id (at most 100 characters), so they keep working
# after a restart; only a page's question lives in memory (see AskSessions).
PAGE_ID = r"nr:page:(?P<key>[0-9a-f]+):(?P<page>\d+)"
CONTEXT_ID = r"nr:ctx:(?P<video>[^:]+):(?P<start>\d+):(?P<end>\d+)"

Answer = tuple[discord.Embed, discord.ui.View]
Reply = str | Answer  # a plain line (e.g. "no coverage found") or an answer with buttons


@dataclass(frozen=True)
class AskSession:
    """A question that was answered, kept so that its buttons can fetch the next page."""

    question: str
    filters: SearchFilters
    user_id: int


class AskSessions:
    """Recently answered questions by key; the least recently used are forgotten first."""

    def __init__(self, capacity: int = 5000) -> None:
        self.capacity = capacity
        self._items: OrderedDict[str, AskSession] = OrderedDict()

    def add(self, session: AskSession) -> str:
        """Remember a session; returns its key."""
        key = secrets.token_hex(4)
        while key in self._items:
            key = secrets.token_hex(4)
        self._items[key] = session
        while len(self._items) > self.capacity:
            self._items.popitem(last=False)
        return key

    def get(self, key: str) -> AskSession | None:
        """The session stored under `key`, if it is still remembered."""
        session = self._items.get(key)
        if session is not None:
            self._items.move_to_end(key)
        return session


class PageButton(discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]], template=PAGE_ID):
    """Shows another page of an answer."""

    def __init__(self, key: str, page: int, label: str) -> None:
        super().__init__(discord.ui.Button(
            label=label, style=discord.ButtonStyle.primary, custom_id=f"nr:page:{key}:{page}"))
        self.key, self.page = key, page

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> PageButton:
        """Rebuild the button from a click."""
        return cls(match["key"], int(match["page"]), getattr(item, "label", None) or "")

    async def callback(self, interaction: discord.Interaction) -> None:
        """Turn the page."""
        await ask_cog(interaction).turn_page(interaction, self.key, self.page)


class ContextButton(discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]],
                    template=CONTEXT_ID):
    """Shows the transcript around one passage, to the user who clicked."""

    def __init__(self, video_id: str, start: int, end: int, label: str) -> None:
        super().__init__(discord.ui.Button(
            label=label, style=discord.ButtonStyle.secondary,
            custom_id=context_id(video_id, start, end)))
        self.video_id, self.start, self.end = video_id, start, end

    @classmethod
    def for_hit(cls, hit: Hit, number: int) -> ContextButton | None:
        """The button for a numbered passage, or None when its id would not fit Discord's 100."""
        custom_id = context_id(hit.video_id, hit.start_word, hit.end_word)
        if len(custom_id) > 100 or not re.fullmatch(CONTEXT_ID, custom_id):
            return None
        return cls(hit.video_id, hit.start_word, hit.end_word, f"Context {number}")

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> ContextButton:
        """Rebuild the button from a click."""
        label = getattr(item, "label", None) or ""
        return cls(match["video"], int(match["start"]), int(match["end"]), label)

    async def callback(self, interaction: discord.Interaction) -> None:
        """Show the context privately."""
        await ask_cog(interaction).show_context(interaction, self.video_id, self.start, self.end)


def context_id(video_id: str, start: int, end: int) -> str:
    """The custom id of the "more context" button of a passage."""
    return f"nr:ctx:{video_id}:{start}:{end}"


def ask_cog(interaction: discord.Interaction) -> AskCog:
    """The ask cog of the bot an interaction arrived at."""
    cog = cast(commands.Bot, interaction.client).get_cog(AskCog.__cog_name__)
    if not isinstance(cog, AskCog):
        raise RuntimeError("the ask cog is not loaded")
    return cog


class AskCog(commands.Cog, name="Ask"):
    """Questions answered with verbatim quotes from the ingested videos."""

    def __init__(self, bot: NewsreelBot, answers: AnswerServices, per_page: int = ASK_K) -> None:
        self.bot = bot
        self.answers = answers
        self.sessions = AskSessions()
        self.per_page = max(1, min(MAX_PER_PAGE, per_page))
        self.find_coverage_menu = app_commands.ContextMenu(
            name="Find coverage", callback=self.find_coverage)

    async def cog_load(self) -> None:
        """Register the message command and the buttons' handlers."""
        self.bot.tree.add_command(self.find_coverage_menu)
        self.bot.add_dynamic_items(PageButton, ContextButton)

    async def cog_unload(self) -> None:
        """Undo cog_load."""
        self.bot.tree.remove_command(self.find_coverage_menu.name,
                                     type=self.find_coverage_menu.type)
        self.bot.remove_dynamic_items(PageButton, ContextButton)

    # --- entry points --------------------------------------------------------------------

    @app_commands.command(
        name="ask", description="What did the news videos say? Verbatim quotes with links.")
    @app_commands.describe(
        question="Your question, e.g. what did the BBC say about gold prices",
        channel="Only videos from this channel",
        since="Only videos published on or after this date (YYYY-MM-DD)",
        until="Only videos published on or before this date (YYYY-MM-DD)",
        private="Show the answer only to you",
    )
    @app_commands.autocomplete(channel=channel_autocomplete)
    async def ask(
        self, interaction: discord.Interaction, question: str, channel: str | None = None,
        since: str | None = None, until: str | None = None, private: bool = False,
    ) -> None:
        """/ask: the best passages for a question."""
        async with answering(interaction, "/ask"):
            session = AskSession(
                check_question(question),
                search_filters(channel, since, until, self.bot.channels.known()),
                interaction.user.id,
            )
            check_cooldown(self.bot.cooldown, interaction.user)
            await interaction.response.defer(ephemeral=private, thinking=True)
            await send_followup(interaction, await self.answer(session), ephemeral=private)

    async def find_coverage(
        self, interaction: discord.Interaction, message: discord.Message
    ) -> None:
        """Message command "Find coverage": the passages about what a message talks about."""
        async with answering(interaction, "Find coverage"):
            topic = message_topic(message.content)
            if not topic:
                raise Notice("That message has no text to search for.")
            check_cooldown(self.bot.cooldown, interaction.user)
            await interaction.response.defer(thinking=True)
            session = AskSession(topic, SearchFilters(), interaction.user.id)
            await send_followup(interaction, await self.answer(session), ephemeral=False)

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        """Answer `@Newsreel <question>` with a reply; every other message is ignored."""
        me = self.bot.user
        if me is None or message.author.bot or me not in message.mentions:
            return
        reply: Reply
        try:
            question = strip_mention(message.content, me.id)
            if not question:
                raise Notice(MENTION_HELP)
            session = AskSession(check_question(question), SearchFilters(), message.author.id)
            check_cooldown(self.bot.cooldown, message.author)
            async with message.channel.typing():
                reply = await self.answer(session)
        except Exception as err:
            reply = explain(err, "mention")
        await reply_to(message, reply)

    async def turn_page(self, interaction: discord.Interaction, key: str, number: int) -> None:
        """"More results" / "Back": the asker pages in place, anyone else gets a private copy."""
        async with answering(interaction, "more results"):
            session = self.sessions.get(key)
            if session is None:
                raise Notice(EXPIRED)
            shown_only_to_clicker = interaction.message is not None and (
                interaction.message.flags.ephemeral)
            in_place = interaction.user.id == session.user_id or shown_only_to_clicker
            if in_place:
                await interaction.response.defer()
            else:
                await interaction.response.defer(ephemeral=True, thinking=True)
            page = await self.search_page(session, number)
            if not page.hits:
                raise Notice("No more results.")
            embed, view = self.render(key, number, page)
            if in_place:
                await interaction.edit_original_response(
                    embed=embed, view=view, allowed_mentions=NO_MENTIONS)
            else:
                await interaction.followup.send(
                    embed=embed, view=view, ephemeral=True, allowed_mentions=NO_MENTIONS)

    async def show_context(
        self, interaction: discord.Interaction, video_id: str, start: int, end: int
    ) -> None:
        """"Context N": the transcript around a passage, shown only to the clicker."""
        async with answering(interaction, "more context"):
            await interaction.response.defer(ephemeral=True, thinking=True)
            context = await asyncio.to_thread(
                self.answers.context, ContextRequest(video_id, start, end))
            if context is None:
                raise Notice("That video is no longer in the index.")
            await interaction.followup.send(
                embed=context_embed(context, start, end).to_embed(), ephemeral=True,
                allowed_mentions=NO_MENTIONS)

    # --- answers ---------------------------------------------------------------------------

    async def answer(self, session: AskSession) -> Reply:
        """The first page of an answer, or the plain "no coverage" line."""
        page = await self.search_page(session, 0)
        if not page.hits:
            return no_coverage(session.question, session.filters, page.in_scope)
        return self.render(self.sessions.add(session), 0, page)

    async def search_page(self, session: AskSession, number: int) -> Page:
        """Page `number` (from 0) of the answer, and whether there is a page after it."""
        request = AskRequest(session.question, session.filters, self.per_page,
                             number * self.per_page)
        return await asyncio.to_thread(self.answers.ask, request)

    def render(self, key: str, number: int, page: Page) -> Answer:
        """The embed of one page and its buttons."""
        first = number * self.per_page + 1
        embed = answer_embed(page.question, page.hits, first, page.filters).to_embed()
        view = discord.ui.View(timeout=None)
        if number > 0:
            view.add_item(PageButton(key, number - 1, "◀ Back"))
        if page.has_more:
            view.add_item(PageButton(key, number + 1, "More results ▶"))
        for i, hit in enumerate(page.hits, first):
            button = ContextButton.for_hit(hit, i)
            if button is not None:
                view.add_item(button)
        return embed, view


async def send_followup(interaction: discord.Interaction, reply: Reply, ephemeral: bool) -> None:
    """Complete a deferred interaction with a reply."""
    if isinstance(reply, str):
        await interaction.followup.send(
            truncate_message(reply), ephemeral=ephemeral, allowed_mentions=NO_MENTIONS)
    else:
        embed, view = reply
        await interaction.followup.send(
            embed=embed, view=view, ephemeral=ephemeral, allowed_mentions=NO_MENTIONS)


async def reply_to(message: discord.Message, reply: Reply) -> None:
    """Reply to a message without pinging its author (or anyone else)."""
    try:
        if isinstance(reply, str):
            await message.reply(truncate_message(reply), mention_author=False,
                                allowed_mentions=NO_MENTIONS)
        else:
            embed, view = reply
            await message.reply(embed=embed, view=view, mention_author=False,
                                allowed_mentions=NO_MENTIONS)
    except discord.HTTPException as err:  # e.g. no permission to post in that channel
        log.warning("could not reply in channel %s: %s", message.channel.id, err)
