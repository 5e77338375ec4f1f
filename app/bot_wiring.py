"""The Discord bot assembled: every service its cogs use built once here and passed in by
constructor (discord.py's `examples/advanced_startup.py` shape); `setup_hook` starts them."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from app.config import Config
from app.poller import SubscriptionPoller
from app.watcher import InboxWatcher
from app.wiring import Library
from bot.alert_sender import DiscordAlertSender
from bot.client import CogFactory, NewsreelBot
from bot.cogs.alerts import AlertsCog
from bot.cogs.ask import AskCog
from bot.cogs.browse import BrowseCog
from bot.cogs.coverage import CoverageCog
from bot.cogs.quote import QuoteCog
from bot.cooldown import Cooldown
from service.alerts.dispatcher import AlertSender, Dispatcher, DispatchSettings
from service.alerts.matching import TopicMatcher
from service.alerts.state import AlertStore
from service.follows import Follows


def alerts_cog(
    library: Library,
    sender: Callable[[NewsreelBot], AlertSender] = DiscordAlertSender,
    dispatch: DispatchSettings | None = None,
    stable_seconds: float = 0.5,
) -> CogFactory:
    """The alerts cog's factory: alert store, matcher, dispatcher, inbox watcher and the poll
    of followed channels built here."""
    alerts = library.config.alerts

    def make(bot: NewsreelBot) -> AlertsCog:
        store = AlertStore.in_dir(library.config.store.data_dir)
        settings = dispatch or DispatchSettings(
            digest_after=alerts.digest_after, max_age_hours=alerts.max_age_hours)
        matcher = TopicMatcher(library.topic_evidence, alerts.follow_threshold)
        dispatcher = Dispatcher(library.catalog, store, sender(bot), matcher, settings)
        watcher = (
            InboxWatcher(library, alerts.inboxes, stable_seconds=stable_seconds,
                         rescan_seconds=alerts.rescan_seconds)
            if alerts.inboxes else None
        )
        subscriptions = library.subscriptions
        poller = SubscriptionPoller(subscriptions, library.config.subscriptions.poll_minutes * 60)
        return AlertsCog(bot, Follows(store, settings.digest_after), dispatcher, watcher,
                         library.answers, alerts.channel_ids, subscriptions, poller)

    return make


def build_bot(
    library: Library, config: Config, *, alerts: CogFactory | None = None,
    warm_up: Callable[[Library], None] | None = None,
) -> NewsreelBot:
    """The bot over `library` with every cog (`alerts`: another alerts cog factory, for tests);
    `warm_up(library)` runs in a thread before the bot connects."""
    answers = library.answers
    per_page = config.discord.results_per_page
    cogs: list[CogFactory] = [
        lambda bot: AskCog(bot, answers, per_page),
        lambda bot: QuoteCog(bot, answers),
        lambda bot: BrowseCog(bot, answers),
        lambda bot: CoverageCog(bot, library.coverage),
        alerts or alerts_cog(library),
    ]
    return NewsreelBot(
        answers, cogs=cogs, cooldown=Cooldown(config.discord.cooldown_seconds),
        test_guild_id=config.discord.test_guild_id,
        warm_up=partial(warm_up, library) if warm_up else None,
    )
