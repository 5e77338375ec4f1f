"""The follow use cases (/follow, /unfollow, /following) and the server's alert settings.

Refusals are BadArgument (a NewsreelError whose message tells the user what to do), so each
front end shows them through its one error path.
"""

from __future__ import annotations

from dataclasses import dataclass

from service.alerts.messages import TOPIC_CHARS
from service.alerts.state import (
    AlertStore,
    Deliver,
    Follow,
    GuildSettings,
    Scope,
    Target,
    topic_key,
)
from service.arguments import BadArgument
from service.text import one_line
from store.text import content_terms

MAX_FOLLOWS = 25  # per user (or channel) and server: enough to be useful, too few to abuse


@dataclass(frozen=True)
class FollowRequest:
    """Follow `topic` in a server: for the user (told here or by DM) or for the whole channel."""

    user_id: int
    guild_id: int
    channel_id: int
    topic: str
    by_dm: bool = False
    for_channel: bool = False
    may_manage: bool = False  # the user has Manage Server


@dataclass(frozen=True)
class FollowResult:
    """The follow as stored, and whether it is new."""

    follow: Follow
    created: bool


@dataclass(frozen=True)
class UnfollowRequest:
    """Stop following `topic`: the user's own follow, else (with Manage Server) the channel's."""

    user_id: int
    guild_id: int
    channel_id: int
    topic: str
    may_manage: bool = False


@dataclass(frozen=True)
class AlertSettingsRequest:
    """Set a server's alert channel and/or switch its alerts on or off (None: unchanged)."""

    guild_id: int
    channel_id: int | None = None
    enabled: bool | None = None


@dataclass(frozen=True)
class AlertSettings:
    """A server's alert switch and the channels that get its new-video alerts."""

    guild: GuildSettings
    targets: tuple[Target, ...]
    digest_after: int


def check_topic(topic: str) -> str:
    """The topic as stored, or BadArgument saying why it cannot be followed."""
    topic = one_line(topic)
    if not content_terms(topic):
        raise BadArgument(
            "Give a topic with at least one meaningful word, e.g. `floods in Mozambique`.")
    if len(topic) > TOPIC_CHARS:
        raise BadArgument(f"Keep the topic under {TOPIC_CHARS} characters.")
    return topic


class Follows:
    """Topic follows and alert settings over the alert store. Calls block (SQLite)."""

    def __init__(self, store: AlertStore, digest_after: int) -> None:
        self.store = store
        self.digest_after = digest_after

    def follow(self, request: FollowRequest) -> FollowResult:
        """Add (or keep) a follow; BadArgument for a bad topic, a missing right or too many."""
        clean = check_topic(request.topic)
        if request.for_channel and not request.may_manage:
            raise BadArgument("Following for a whole channel needs the Manage Server permission.")
        scope: Scope = "channel" if request.for_channel else "user"
        owner = request.channel_id if request.for_channel else request.user_id
        existing = self.store.follows(
            guild_id=request.guild_id, scope=scope,
            user_id=None if request.for_channel else owner,
            channel_id=owner if request.for_channel else None)
        if len(existing) >= MAX_FOLLOWS and topic_key(clean) not in {
                topic_key(f.topic) for f in existing}:
            raise BadArgument(f"That's {MAX_FOLLOWS} topics already; /unfollow one first.")
        deliver: Deliver = "dm" if request.by_dm and not request.for_channel else "channel"
        follow, created = self.store.add_follow(
            user_id=request.user_id, guild_id=request.guild_id, channel_id=request.channel_id,
            topic=clean, deliver=deliver, scope=scope)
        return FollowResult(follow, created)

    def unfollow(self, request: UnfollowRequest) -> bool:
        """Remove the user's follow of the topic, else the channel's (Manage Server): removed?"""
        removed = self.store.remove_follow(
            guild_id=request.guild_id, scope="user", owner=request.user_id, topic=request.topic)
        if not removed and request.may_manage:
            removed = self.store.remove_follow(
                guild_id=request.guild_id, scope="channel", owner=request.channel_id,
                topic=request.topic)
        return removed

    def visible(self, guild_id: int | None, user_id: int, channel_id: int | None) -> list[Follow]:
        """The user's follows in a server, then the channel's; none outside a server."""
        if guild_id is None:
            return []
        mine = self.store.follows(guild_id=guild_id, scope="user", user_id=user_id)
        channel = self.store.follows(guild_id=guild_id, scope="channel", channel_id=channel_id)
        return mine + channel

    def settings(self, request: AlertSettingsRequest) -> AlertSettings:
        """Apply what the request changes, then the server's settings as they now stand."""
        if request.channel_id is not None:
            self.store.set_guild_channel(request.guild_id, request.channel_id)
        if request.enabled is not None:
            self.store.set_guild_enabled(request.guild_id, request.enabled)
        return AlertSettings(self.store.guild(request.guild_id),
                             tuple(self.store.targets(request.guild_id)), self.digest_after)

    def add_config_channel(self, channel_id: int, guild_id: int) -> None:
        """Register a channel named in `[alerts] channel_ids`."""
        self.store.add_config_channel(channel_id, guild_id)

    def close(self) -> None:
        """Release the alert store."""
        self.store.close()
