"""Local stand-in for Discord's REST API and gateway, for end-to-end discord.py tests."""

from tests.discord_standin.server import DiscordStandIn, RecordedRequest, snowflake

__all__ = ["DiscordStandIn", "RecordedRequest", "snowflake"]
