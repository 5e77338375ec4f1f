"""The commands as a Discord user meets them (simcord), over a real store of corpus videos."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, cast

import discord
import pytest
import simcord

from app.bot_wiring import build_bot
from app.cli import build_parser
from app.cli_args import check_arguments
from app.config import Config, DiscordConfig
from app.wiring import Library
from bot.client import NewsreelBot
from bot.cogs.ask import AskCog, AskSessions
from bot.discord_limits import (
    DESCRIPTION,
    EMBED_TOTAL,
    FIELD_NAME,
    FIELD_VALUE,
    MESSAGE,
    TITLE,
    plain_text,
)
from bot.render_discord import INDEX_UNAVAILABLE, SOMETHING_WENT_WRONG
from store.search.quotes import is_verbatim
from store.search.searcher import SearchParams
from tests.fixtures_store import free_port

# No privileged intent is approved: the bot must work without any.
pytestmark = pytest.mark.simcord(approved_intents=discord.Intents.default())

YOUTUBE_LINK = re.compile(r"\((https://www\.youtube\.com/watch\?v=([\w-]{11})(?:&t=\d+s)?)\)")


def config(**discord_options: object) -> Config:
    return replace(Config(), discord=replace(
        DiscordConfig(cooldown_seconds=0), **discord_options))  # type: ignore[arg-type]


@pytest.fixture
def bot_config() -> Config:
    return config()


@pytest.fixture
def simcord_bot(corpus_library: Library, bot_config: Config) -> NewsreelBot:
    return build_bot(corpus_library, bot_config)


@dataclass
class Room:
    env: simcord.Env
    channel: simcord.ChannelHandle
    alice: simcord.MemberActor
    bob: simcord.MemberActor


@pytest.fixture
def room(simcord_env: simcord.Env) -> Room:
    guild = simcord_env.create_guild("Newsroom")
    channel = guild.create_text_channel("general")
    alice = guild.add_member(simcord_env.create_user("alice"))
    bob = guild.add_member(simcord_env.create_user("bob"))
    return Room(simcord_env, channel, alice, bob)


def transcript(library: Library, video_id: str) -> str:
    text = library.catalog.video_text(video_id)
    assert text is not None
    return " ".join(text.words)


def assert_within_limits(embed: discord.Embed) -> None:
    assert len(embed) <= EMBED_TOTAL
    assert len(embed.title or "") <= TITLE and len(embed.description or "") <= DESCRIPTION
    for field in embed.fields:
        assert 0 < len(field.name or "") <= FIELD_NAME and 0 < len(field.value or "") <= FIELD_VALUE


def assert_passages_verbatim(embed: discord.Embed, library: Library) -> list[str]:
    """Every field quotes its video verbatim and links to it; returns the video ids."""
    ids = []
    for field in embed.fields:
        quote = re.search(r"“(.*)”", plain_text(field.value or ""), re.DOTALL)
        link = YOUTUBE_LINK.search(field.value or "")
        assert quote and link, field.value
        assert is_verbatim(quote.group(1), transcript(library, link.group(2)))
        ids.append(link.group(2))
    assert_within_limits(embed)
    return ids


def callbacks(env: simcord.Env) -> list[Any]:
    return [r.json for r in env.http_requests if r.path.endswith("/callback")]


def sent_bodies(env: simcord.Env) -> list[dict[str, object]]:
    """Everything the bot asked Discord to post or edit."""
    return [r.json for r in env.http_requests
            if r.method in ("POST", "PATCH") and isinstance(r.json, dict)
            and ("content" in r.json or "embeds" in r.json or "data" in r.json)]


def last_reply(result: simcord.InteractionResult) -> simcord.ResponseMessage:
    """The message a user ends up seeing for an interaction."""
    shown = result.followups[-1] if result.followups else result.response
    assert shown is not None, result
    return shown


def buttons(message: simcord.ResponseMessage | discord.Message) -> dict[str, str]:
    rows: list[Any] = (message.components if isinstance(message, simcord.ResponseMessage)
            else [c.to_dict() for c in message.components])
    return {c["label"]: c["custom_id"] for row in rows for c in row["components"]}


# --- /ask ---------------------------------------------------------------------------------


async def test_ask_defers_then_answers_with_verbatim_quotes_and_links(
    room: Room, corpus_library: Library
) -> None:
    result = await room.alice.slash(room.channel, "ask", question="Are polar bears getting fatter?")

    assert callbacks(room.env)[0]["type"] == 5, "the bot must defer at once"
    answer = result.response
    assert answer is not None and not answer.ephemeral
    embed = answer.embeds[0]
    assert plain_text(embed.title or "") == "“Are polar bears getting fatter?”"
    assert assert_passages_verbatim(embed, corpus_library)[0] == "9TCkrN16Hac"
    first = embed.fields[0]
    assert first.name == ("1. Polar bears on Norwegian islands fatter and healthier despite ice "
                          "loss, scientists say \\| BBC News")
    assert "BBC News · 2026-01-29 · [▶ 0:00](https://www.youtube.com/watch?v=9TCkrN16Hac&t=0s)" \
        in (first.value or "")
    # The passage's focus, the part that best matches, in one bold run.
    assert re.search(r"\*\*[^*]*polar bears[^*]*\*\*", first.value or "")
    # Only the video about polar bears: the other stories are too weak to answer with.
    titles = {(f.name or "").split(" ", 1)[1] for f in embed.fields}
    assert titles == {first.name.split(" ", 1)[1]}
    assert embed.footer.text == "Results 1–2"
    assert set(buttons(answer)) == {"Context 1", "Context 2"}


async def test_ask_private_is_only_shown_to_the_asker(room: Room) -> None:
    result = await room.alice.slash(room.channel, "ask", question="gold price", private=True)
    assert result.response is not None and result.response.ephemeral
    assert result.response.embeds and not room.channel.history(viewer=room.bob)


async def test_filters_narrow_the_answer(room: Room, corpus_library: Library) -> None:
    result = await room.alice.slash(room.channel, "ask", question="retaliation", channel="dw news",
                                    until="2024-12-31")
    assert result.response is not None
    embed = result.response.embeds[0]
    assert set(assert_passages_verbatim(embed, corpus_library)) == {"CSWiKMIF53g"}
    assert embed.footer.text == "Results 1–2 · DW News · until 2024-12-31"


async def test_no_coverage_is_said_plainly(room: Room) -> None:
    result = await room.alice.slash(room.channel, "ask", question="banana recipes for cats")
    assert result.response is not None and not result.response.embeds
    assert result.response.content == (
        "No coverage found for “banana recipes for cats” in the ingested videos.")


async def test_filters_that_pass_no_video_are_named_as_the_reason(room: Room) -> None:
    result = await room.alice.slash(room.channel, "ask", question="retaliation",
                                    until="2001-01-01")
    assert result.response is not None and not result.response.embeds
    assert plain_text(result.response.content) == (
        "No ingested video matches these filters (until 2001-01-01), so nothing was searched:"
        " try a wider date range or another channel.")


# Five passages in the test corpus (three videos mention the police): two pages of three.
PAGED = "what did the police say"


async def test_more_results_pages_in_place_for_the_asker(
    room: Room, corpus_library: Library
) -> None:
    first = await room.alice.slash(room.channel, "ask", question=PAGED)
    assert first.response is not None
    page2 = await room.alice.click(first.response, label="More results ▶")

    assert page2.response is not None and page2.response.id == first.response.id
    embed = page2.response.embeds[0]
    assert embed.footer.text == "Results 4–5"
    assert [(f.name or "").split(".")[0] for f in embed.fields] == ["4", "5"]
    assert_passages_verbatim(embed, corpus_library)
    assert "◀ Back" in buttons(page2.response) and "Context 4" in buttons(page2.response)

    back = await room.alice.click(page2.response, label="◀ Back")
    assert back.response is not None and back.response.embeds[0].footer.text == "Results 1–3"


async def test_someone_else_gets_more_results_privately(room: Room) -> None:
    first = await room.alice.slash(room.channel, "ask", question=PAGED)
    assert first.response is not None
    theirs = await room.bob.click(first.response, label="More results ▶")

    copy = last_reply(theirs)
    assert copy.ephemeral and copy.id != first.response.id
    assert copy.embeds[0].footer.text == "Results 4–5"
    unchanged = room.channel.history(viewer=room.alice)[-1]
    assert unchanged.embeds[0].footer.text == "Results 1–3"


async def test_more_context_shows_the_neighbouring_transcript_privately(
    room: Room, corpus_library: Library
) -> None:
    first = await room.alice.slash(room.channel, "ask", question="gold price record")
    assert first.response is not None
    passage = first.response.embeds[0].fields[0].value or ""
    quoted = re.search(r"“(.*)”", plain_text(passage)).group(1).strip("…")  # type: ignore[union-attr]

    shown = await room.bob.click(first.response, label="Context 1")

    context = last_reply(shown)
    assert context.ephemeral
    text = plain_text(context.embeds[0].description or "")
    assert quoted in text and len(text) > len(quoted) + 200
    body = re.search(r"“(.*)”", text, re.DOTALL)
    assert body and is_verbatim(body.group(1), transcript(corpus_library, "u8XpObQqb9c"))
    assert context.embeds[0].title == "More context: Gold hits record high as global risks drive " \
                                       "rush to safe haven \\| BBC News"


async def test_buttons_of_a_forgotten_answer_explain_themselves(room: Room) -> None:
    first = await room.alice.slash(room.channel, "ask", question=PAGED)
    assert first.response is not None
    cog = cast(NewsreelBot, room.env.bot).get_cog("Ask")
    assert isinstance(cog, AskCog)
    cog.sessions = AskSessions()  # as after a restart
    clicked = await room.alice.click(first.response, label="More results ▶")
    notice = last_reply(clicked)
    assert notice.ephemeral and "expired" in notice.content


# --- /quote -------------------------------------------------------------------------------


async def test_quote_finds_the_exact_line_ready_to_paste(room: Room) -> None:
    result = await room.alice.slash(
        room.channel, "quote", text="polar bears in the Norwegian Arctic are getting fatter")
    assert result.response is not None and not result.response.ephemeral
    text = result.response.content
    quote_line, source, link = text.split("\n")
    assert quote_line.startswith("> “")
    assert "**polar bears in the Norwegian Arctic are getting fatter**" in quote_line
    assert plain_text(quote_line).startswith("> “Now polar bears in the Norwegian Arctic are "
                                             "getting fatter according to")
    assert source.startswith("— BBC News, “Polar bears on Norwegian islands")
    assert link == "<https://www.youtube.com/watch?v=9TCkrN16Hac&t=0s>"


async def test_quote_of_a_misremembered_line_says_how_close_it_is(room: Room) -> None:
    result = await room.alice.slash(room.channel, "quote",
                                    text="this is the price of gold per ounce in pounds adjusted"
                                    " for inflation")
    assert result.response is not None
    text = result.response.content
    assert "watch?v=u8XpObQqb9c" in text
    assert re.search(r"-# closest match: \d+% of the words as typed$", text)


# --- /latest and /stats --------------------------------------------------------------------


async def test_latest_lists_the_newest_videos_with_links(
    room: Room, corpus_library: Library
) -> None:
    everything = await room.alice.slash(room.channel, "latest")
    assert everything.response is not None
    listed = YOUTUBE_LINK.findall(everything.response.embeds[0].description or "")
    assert [vid for _, vid in listed] == [v.video_id for v in corpus_library.catalog.latest(10)]

    dw = await room.alice.slash(room.channel, "latest", channel="dw news")
    assert dw.response is not None
    embed = dw.response.embeds[0]
    assert embed.title == "Latest videos from DW News"
    assert [vid for _, vid in YOUTUBE_LINK.findall(embed.description or "")] == ["CSWiKMIF53g"]


async def test_stats(room: Room) -> None:
    result = await room.alice.slash(room.channel, "stats")
    assert result.response is not None
    fields = {f.name: f.value for f in result.response.embeds[0].fields}
    assert fields["Videos"] == "8" and fields["Chunks"] == "51"
    assert fields["Channels"] == "BBC News — 7\nDW News — 1"
    assert re.fullmatch(r"<t:\d+:R>", fields["Last ingest"] or "")


# --- arguments, cooldown, safety --------------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "hint"),
    [
        ({"question": "   "}, "Please type a question"),
        ({"question": "why " * 126}, "under 500 characters (yours has 503)"),
        ({"question": "gold", "since": "yesterday"}, "`since` must be a date like 2024-08-13"),
        ({"question": "gold", "since": "2026-02-01", "until": "2026-01-01"}, "is after `until`"),
        ({"question": "gold", "channel": "CNN"}, "Known channels: BBC News, DW News."),
        ({"question": "gold", "channel": "bbc"},
         "No videos from a channel called “bbc”. Did you mean “BBC News”? Known channels:"),
        ({"command": "quote", "text": " \n "}, "Please type a line"),
        ({"command": "latest", "channel": "dw"}, "Did you mean “DW News”?"),
    ],
)
async def test_bad_arguments_get_a_short_private_explanation(
    room: Room, options: dict[str, str], hint: str
) -> None:
    options = dict(options)
    command = options.pop("command", "ask")
    result = await room.alice.slash(room.channel, command, **options)
    notice = result.response
    assert notice is not None and notice.ephemeral and hint in notice.content
    assert len(notice.content) < 300
    assert not room.channel.history(viewer=room.bob), "nothing public for a bad argument"


async def test_channel_autocomplete_offers_the_known_channels(room: Room) -> None:
    assert await room.alice.autocomplete(room.channel, "ask", "channel", "") == [
        {"name": "BBC News", "value": "BBC News"}, {"name": "DW News", "value": "DW News"}]
    assert await room.alice.autocomplete(room.channel, "latest", "channel", "dw") == [
        {"name": "DW News", "value": "DW News"}]


@pytest.mark.parametrize("bot_config", [config(cooldown_seconds=60)])
async def test_cooldown_is_per_user_with_a_short_private_notice(room: Room) -> None:
    first = await room.alice.slash(room.channel, "ask", question="gold price")
    assert first.response is not None and first.response.embeds
    again = await room.alice.slash(room.channel, "quote", text="gold price")
    assert again.response is not None and again.response.ephemeral
    assert re.fullmatch(r"You're asking a little fast; try again in \d+ s\.",
                        again.response.content)
    other = await room.bob.slash(room.channel, "ask", question="gold price")
    assert other.response is not None and other.response.embeds


async def test_everyone_in_a_question_pings_nobody(room: Room) -> None:
    result = await room.alice.slash(room.channel, "ask", question="@everyone gold price <@&1> _x_")
    assert result.response is not None
    message = result.response.message
    assert not message.mention_everyone and not message.mentions and not message.role_mentions
    assert plain_text(result.response.embeds[0].title or "") == "“@everyone gold price <@&1> _x_”"
    bodies = sent_bodies(room.env)
    assert bodies and all(_allowed_mentions(b) == {"parse": []} for b in bodies)


def _allowed_mentions(body: dict[str, object]) -> object:
    inner = body.get("data")
    source = inner if isinstance(inner, dict) and "allowed_mentions" in inner else body
    return source.get("allowed_mentions") if isinstance(source, dict) else None


# --- mentions and "Find coverage" ------------------------------------------------------------


async def test_a_mention_is_answered_in_a_reply(room: Room, corpus_library: Library) -> None:
    bot_user = room.env.bot.user
    assert bot_user is not None
    asked = await room.alice.send(room.channel, f"{bot_user.mention} what about the price of gold?")

    reply = room.channel.last_message
    assert reply is not None and reply.author.id == bot_user.id
    assert reply.reference is not None and reply.reference.message_id == asked.id
    assert "u8XpObQqb9c" in assert_passages_verbatim(reply.embeds[0], corpus_library)
    assert not reply.mentions, "the reply must not ping the asker"
    assert "Context 1" in buttons(reply)


async def test_messages_without_a_mention_are_ignored(room: Room) -> None:
    await room.alice.send(room.channel, "what about the price of gold?")
    history = room.channel.history()
    assert len(history) == 1 and history[0].author.id == room.alice.id


async def test_an_empty_mention_gets_help(room: Room) -> None:
    bot_user = room.env.bot.user
    assert bot_user is not None
    await room.alice.send(room.channel, bot_user.mention)
    reply = room.channel.last_message
    assert reply is not None and reply.content.startswith("Mention me with a question")


async def test_find_coverage_searches_what_a_message_talks_about(
    room: Room, corpus_library: Library
) -> None:
    said = await room.bob.send(room.channel, "wow, gold just went above 5,000 dollars an ounce")
    result = await room.alice.context_menu(room.channel, "Find coverage", said)
    assert result.response is not None and not result.response.ephemeral
    embed = result.response.embeds[0]
    assert plain_text(embed.title or "") == "“wow, gold just went above 5,000 dollars an ounce”"
    assert assert_passages_verbatim(embed, corpus_library)[0] == "u8XpObQqb9c"


# --- failures --------------------------------------------------------------------------------


async def run_with(library: Library, act: Callable[[Room], object]) -> Room:
    bot = build_bot(library, config())
    async with simcord.run(bot, approved_intents=discord.Intents.default()) as env:
        guild = env.create_guild()
        room = Room(env, guild.create_text_channel("general"),
                    guild.add_member(env.create_user("alice")),
                    guild.add_member(env.create_user("bob")))
        await act(room)  # type: ignore[misc]
    return room


async def test_unavailable_index_is_a_private_notice(make_library: Callable[..., Library]) -> None:
    library = make_library(mode="server", chroma_port=free_port())  # nothing listens there
    # A store too big to scan from the catalog's copies: every question asks Chroma.
    library.searcher = library.make_searcher(replace(SearchParams(), exact_max=-1))

    async def ask(room: Room) -> None:
        result = await room.alice.slash(room.channel, "ask", question="gold price")
        notice = last_reply(result)
        assert notice.ephemeral and notice.content == INDEX_UNAVAILABLE
        assert not room.channel.history(viewer=room.bob), "the public 'thinking…' must be gone"

    await run_with(library, ask)


async def test_an_unexpected_error_is_logged_and_answered_briefly(
    make_library: Callable[..., Library], caplog: pytest.LogCaptureFixture
) -> None:
    library = make_library()

    async def ask(room: Room) -> None:
        library.catalog.close()  # the store breaks under the running bot
        result = await room.alice.slash(room.channel, "ask", question="gold price", private=True)
        notice = last_reply(result)
        assert notice.ephemeral and notice.content == SOMETHING_WENT_WRONG
        assert "Traceback" not in notice.content and len(notice.content) <= MESSAGE

    with caplog.at_level(logging.ERROR, logger="newsreel.bot"):
        await run_with(library, ask)
    failures = [r for r in caplog.records if r.name == "newsreel.bot" and r.exc_info]
    assert failures and failures[0].getMessage() == "/ask failed"


# --- both front ends: the same use case, the same answer -----------------------------------


def run_cli(library: Library, capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    """A `newsreel` command run by its handler over `library`; what it printed."""
    args = build_parser().parse_args(argv)
    check_arguments(args)
    capsys.readouterr()
    assert args.func(library, args) == 0
    return capsys.readouterr().out


def words_of(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("line", [
    "polar bears in the Norwegian Arctic are getting fatter",  # said exactly so
    "this is the price of gold per ounce in pounds adjusted for inflation",  # misremembered
])
async def test_quote_on_discord_and_in_the_terminal_give_the_same_match_quote_and_context(
    room: Room, corpus_library: Library, capsys: pytest.CaptureFixture[str], line: str
) -> None:
    result = await room.alice.slash(room.channel, "quote", text=line)
    assert result.response is not None
    quote_line, *rest = result.response.content.split("\n")
    bold = re.findall(r"\*\*(.+?)\*\*", quote_line)
    on_discord = {
        "context": plain_text(quote_line)[3:-1],  # > “…”
        "match": " ".join(bold),
        "url": next(r for r in rest if r.startswith("<https://"))[1:-1],
        "closeness": re.findall(r"closest match: (\d+)%", result.response.content),
    }

    shown = run_cli(corpus_library, capsys, "quote", line)
    [found] = [json.loads(o) for o in run_cli(corpus_library, capsys, "quote", "--json",
                                               line).splitlines()]
    in_terminal = {
        "context": words_of(re.search(r"“(.*)”", shown, re.DOTALL).group(1)),  # type: ignore[union-attr]
        "match": found["match"]["quote"].strip("…"),
        "url": shown.splitlines()[-2].strip(),
        "closeness": re.findall(r"closest match, (\d+)%", shown),
    }
    assert on_discord == in_terminal
    assert found["match"]["url"] == in_terminal["url"]
    assert in_terminal["match"] in in_terminal["context"]


@pytest.mark.parametrize("question", [
    "what did the police say", "what did the minister say",
])
async def test_ask_on_discord_and_in_the_terminal_list_the_same_passages(
    room: Room, corpus_library: Library, capsys: pytest.CaptureFixture[str], question: str
) -> None:
    result = await room.alice.slash(room.channel, "ask", question=question)
    assert result.response is not None
    [embed] = result.response.embeds
    on_discord = [
        (YOUTUBE_LINK.search(f.value or "").group(1),  # type: ignore[union-attr]
         re.search(r"“(.*)”", plain_text(f.value or ""), re.DOTALL).group(1))  # type: ignore[union-attr]
        for f in embed.fields
    ]

    shown = run_cli(corpus_library, capsys, "ask", question)
    in_terminal = [
        (block.splitlines()[-1].strip(),
         words_of(re.search(r"“(.*)”", block, re.DOTALL).group(1)))  # type: ignore[union-attr]
        for block in shown.strip().split("\n\n")
    ]
    assert len(on_discord) == 3  # the page size and `ask -k` agree by default
    assert on_discord == in_terminal
