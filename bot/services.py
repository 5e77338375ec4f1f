"""What the cogs need from the rest of Newsreel, as Protocols: the composition root (`app/`)
passes real services in, tests pass fakes in, and bot/ never imports app/."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Protocol

from service.alerts.dispatcher import DispatchReport
from service.alerts.state import Follow
from service.coverage import Comparison, CoverageRequest, Trend
from service.follows import (
    AlertSettings,
    AlertSettingsRequest,
    FollowRequest,
    FollowResult,
    UnfollowRequest,
)
from service.requests import Answer, AskRequest, ContextRequest, LatestRequest, QuoteRequest
from service.subscriptions import Subscription
from store.ingest import IngestReport
from store.records import Hit, VideoInfo
from store.search import QuoteMatch


class AnswerServices(Protocol):
    """The answering use cases (`service.answers.Answers`). Calls block: run them in a thread."""

    def ask(self, request: AskRequest) -> Answer:
        """A page of passages for a question."""
        ...

    def quote(self, request: QuoteRequest) -> QuoteMatch | None:
        """The closest verbatim occurrence of a line."""
        ...

    def context(self, request: ContextRequest) -> Hit | None:
        """The transcript around a passage."""
        ...

    def latest(self, request: LatestRequest) -> list[VideoInfo]:
        """The newest videos."""
        ...

    def stats(self) -> dict[str, object]:
        """Videos, chunks, channels, last ingest."""
        ...

    def channels(self) -> list[str]:
        """Channel names of the ingested videos."""
        ...

    def last_ingest(self) -> str | None:
        """ISO time of the last ingest by any process."""
        ...


class CoverageServices(Protocol):
    """The coverage use cases (`service.coverage_finder.Coverage`). Calls block: use a thread."""

    def trend(self, request: CoverageRequest) -> Trend:
        """Covering videos per channel and day or week; BadArgument says why there are none."""
        ...

    def compare(self, request: CoverageRequest) -> Comparison:
        """Each channel's best covering passage; BadArgument says why there are none."""
        ...


class FollowServices(Protocol):
    """The follow use cases (`service.follows.Follows`). Calls block: run them in a thread."""

    def follow(self, request: FollowRequest) -> FollowResult:
        """Add a follow; BadArgument says why not."""
        ...

    def unfollow(self, request: UnfollowRequest) -> bool:
        """Remove a follow; whether one was removed."""
        ...

    def visible(self, guild_id: int | None, user_id: int, channel_id: int | None) -> list[Follow]:
        """The user's follows in a server, then the channel's."""
        ...

    def settings(self, request: AlertSettingsRequest) -> AlertSettings:
        """Change a server's alert settings; the settings as they now stand."""
        ...

    def add_config_channel(self, channel_id: int, guild_id: int) -> None:
        """Register a configured alert channel."""
        ...

    def close(self) -> None:
        """Release the alert store."""
        ...


class Dispatching(Protocol):
    """Sends pending alerts (`service.alerts.dispatcher.Dispatcher`)."""

    async def dispatch(self) -> DispatchReport:
        """One pass over everything pending."""
        ...


OnIngested = Callable[[IngestReport], Awaitable[None]]


class Inbox(Protocol):
    """Inbox folders ingested as files arrive (`app.watcher.InboxWatcher`)."""

    on_ingested: OnIngested | None  # set by the alerts cog: a dispatch pass after each batch

    @property
    def dirs(self) -> Sequence[Path]:
        """The folders watched."""
        ...

    async def run(self) -> None:
        """Watch until cancelled."""
        ...


class SubscriptionServices(Protocol):
    """Followed channels (`service.subscriptions.Subscriptions`). Calls block: use a thread."""

    def subscribe(self, urls: Sequence[str], *, from_discord: bool = False) -> list[str]:
        """Add subscriptions; the urls newly added. BadArgument for a url not allowed."""
        ...

    def unsubscribe(self, url: str) -> bool:
        """Remove one; whether it was there. BadArgument for one from the config file."""
        ...

    def listing(self) -> list[Subscription]:
        """Every subscription with its last poll."""
        ...


class Poller(Protocol):
    """Polls the subscriptions now and then (`app.poller.SubscriptionPoller`)."""

    on_ingested: OnIngested | None  # set by the alerts cog: a dispatch pass after each poll

    def wake(self) -> None:
        """Poll soon (a subscription was added)."""
        ...

    async def run(self) -> None:
        """Poll until cancelled."""
        ...
