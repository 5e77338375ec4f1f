"""AlertSender over discord.py: alerts rendered and posted; refusals become TargetGone."""

from __future__ import annotations

import discord

from bot.alert_messages import Outgoing, render_alert
from service.alerts.dispatcher import TargetGone
from service.alerts.messages import Alert


class DiscordAlertSender:
    """AlertSender over discord.py; gone channels and closed DMs become TargetGone."""

    def __init__(self, client: discord.Client) -> None:
        self.client = client

    async def send_channel(self, channel_id: int, message: Alert) -> None:
        """Post to a channel by id (cached or not); raises TargetGone when it cannot ever work."""
        channel = self.client.get_channel(channel_id) or self.client.get_partial_messageable(
            channel_id)
        if not isinstance(channel, discord.abc.Messageable):
            raise TargetGone(f"channel {channel_id} cannot hold messages")
        try:
            await self._send(channel, render_alert(message))
        except (discord.Forbidden, discord.NotFound) as err:
            raise target_gone(err) from err

    async def send_dm(self, user_id: int, message: Alert) -> None:
        """Send a direct message; raises TargetGone when the user's DMs are closed (Forbidden)."""
        try:
            dm = await self.client.create_dm(discord.Object(id=user_id))
            await self._send(dm, render_alert(message))
        except (discord.Forbidden, discord.NotFound) as err:
            raise target_gone(err) from err

    @staticmethod
    async def _send(where: discord.abc.Messageable, message: Outgoing) -> None:
        if message.embed is not None:
            await where.send(content=message.content or None, embed=message.embed,
                             allowed_mentions=message.allowed_mentions)
        else:
            await where.send(content=message.content, allowed_mentions=message.allowed_mentions)


def target_gone(err: discord.Forbidden | discord.NotFound) -> TargetGone:
    """Discord's refusal as the alert logic's TargetGone; the cause keeps Discord's reason."""
    gone = TargetGone(str(err))
    gone.__cause__ = err
    return gone
