"""Alerts rendered for Discord: a new video, a digest of many, a follow notification.

What an alert says is `service.alerts.messages` (plain data); this module turns it into a
message. Reuses the limits and escaping of `bot.discord_limits` and the quote helpers of
`bot.render_discord`: transcript words are escaped (they display as spoken) and cut only at word
boundaries, so what stands inside quotation marks is a verbatim span of the transcript.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import discord

from bot.discord_limits import (
    DESCRIPTION,
    MESSAGE,
    TITLE,
    escape_markdown,
    safe_embed,
)
from bot.render_discord import COLOUR, quoted
from service.alerts.messages import (
    TOPIC_CHARS,
    Alert,
    Digest,
    NewVideo,
)
from service.text import one_line, truncate_words
from store.links import is_youtube, shown_date, video_url
from store.records import Hit, VideoInfo

EXCERPT_CHARS = 320


@dataclass(frozen=True)
class Outgoing:
    """One message to post: text and/or an embed, and the one user it may ping (if any)."""

    content: str = ""
    embed: discord.Embed | None = field(default=None, compare=False)
    mention: int | None = None

    @property
    def allowed_mentions(self) -> discord.AllowedMentions:
        """Nobody, or exactly the follower this notification is for."""
        if self.mention is None:
            return discord.AllowedMentions.none()
        return discord.AllowedMentions(everyone=False, roles=False, replied_user=False,
                                       users=[discord.Object(id=self.mention)])


def thumbnail_url(video_id: str) -> str:
    """YouTube's standard thumbnail of a video."""
    return f"https://i.ytimg.com/vi/{video_id}/hqdefault.jpg"


def new_video_message(info: VideoInfo, excerpt: str) -> Outgoing:
    """The announcement of one new video: title, channel, date, link, thumbnail, excerpt."""
    url = video_url(info.video_id, info.url)
    embed = discord.Embed(
        title=truncate_words(escape_markdown(one_line(info.title)), TITLE),
        url=url,
        description=quoted(escape_markdown(excerpt), EXCERPT_CHARS) if excerpt else None,
        colour=COLOUR,
    )
    embed.add_field(name="Channel", value=escape_markdown(one_line(info.channel)) or "—",
                    inline=True)
    embed.add_field(name="Published", value=shown_date(info.published), inline=True)
    if is_youtube(info.url):  # another site's id has no YouTube thumbnail
        embed.set_thumbnail(url=thumbnail_url(info.video_id))
    embed.set_footer(text="New video · Newsreel")
    return Outgoing(embed=safe_embed(embed))


def digest_message(videos: Sequence[VideoInfo]) -> Outgoing:
    """Many new videos in one message, each with its link; whole entries only."""
    lines = [
        f"**[{escape_markdown(one_line(v.title))}]({video_url(v.video_id, v.url)})**\n"
        f"{escape_markdown(one_line(v.channel))} · {shown_date(v.published)}"
        for v in videos
    ]
    description = ""
    shown = 0
    for line in lines:  # a cut in the middle of a masked link would not render
        more = len(lines) - shown - 1
        reserve = len(f"\n\n…and {more} more") if more else 0
        if len(description) + len(line) + 2 + reserve > DESCRIPTION:
            break
        description = f"{description}\n\n{line}" if description else line
        shown += 1
    if shown < len(lines):
        description += f"\n\n…and {len(lines) - shown} more (see /latest)"
    embed = discord.Embed(title=f"{len(videos)} new videos", description=description,
                          colour=COLOUR)
    if videos and is_youtube(videos[0].url):
        embed.set_thumbnail(url=thumbnail_url(videos[0].video_id))
    embed.set_footer(text="New videos · Newsreel")
    return Outgoing(embed=safe_embed(embed))


def follow_message(topic: str, hits: Sequence[Hit], user_id: int | None) -> Outgoing:
    """A follow notification: who it is for, the topic, and each matched passage with its link.

    A user's follow mentions that user (and may ping only them); a channel's mentions nobody.
    """
    label = f"“{truncate_words(escape_markdown(one_line(topic)), TOPIC_CHARS)}”"
    many = len(hits) > 1
    what = f"{len(hits)} new videos match" if many else "A new video matches"
    if user_id is not None:
        head = f"<@{user_id}> {what[0].lower()}{what[1:]} your follow {label}:"
    else:
        head = f"{what} this channel's follow {label}:"
    blocks: list[str] = []
    used = len(head)
    for i, hit in enumerate(hits):
        # Several links would each unfurl into a preview: only a single one is left to unfurl.
        link = f"<{hit.url}>" if many else hit.url
        source = (f"**{truncate_words(escape_markdown(one_line(hit.title)), 200)}** · "
                  f"{escape_markdown(one_line(hit.channel))} · {shown_date(hit.published)}")
        left = len(hits) - i - 1
        reserve = len(f"\n…and {left} more") if left else 0
        room = MESSAGE - used - len(source) - len(link) - 8 - reserve
        if room < 60:  # not even a short quote fits: say how many more instead
            blocks.append(f"…and {len(hits) - i} more")
            break
        block = f"{source}\n> {quoted(escape_markdown(hit.quote), min(room, 700))}\n{link}"
        blocks.append(block)
        used += len(block) + 2
    content = truncate_words("\n\n".join([head, *blocks]), MESSAGE)
    return Outgoing(content=content, mention=user_id)


def render_alert(alert: Alert) -> Outgoing:
    """The Discord message of an alert."""
    if isinstance(alert, NewVideo):
        return new_video_message(alert.info, alert.excerpt)
    if isinstance(alert, Digest):
        return digest_message(alert.videos)
    return follow_message(alert.topic, alert.hits, alert.mention)
