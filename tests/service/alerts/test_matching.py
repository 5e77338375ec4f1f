"""Follow matching with the real model: a followed topic fires on the right new video, with the
passage that matched, verbatim; unrelated new videos do not fire."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from app.config import AlertsConfig
from app.wiring import Library, build_library
from bot.discord_limits import plain_text
from service.alerts.dispatcher import Dispatcher, DispatchReport
from service.alerts.matching import DEFAULT_THRESHOLD, TopicMatcher, decide
from service.alerts.state import AlertStore, Follow
from store.encoders.embedder import SentenceTransformerEmbedder
from store.search.quotes import is_verbatim
from tests.alert_fixtures import (
    BANGLADESH,
    ISLAMABAD_BLAST,
    ISLAMIC_STATE_MOSQUE,
    FakeSender,
    arrivals,
    video_id_of,
)
from tests.fixtures_store import CORPUS, config_for

pytestmark = pytest.mark.model

# topic → the arrivals (tests/data/alerts) it must fire on; every other arrival must not fire
EXPECTED = {
    "mosque bombing in Islamabad": {ISLAMIC_STATE_MOSQUE, ISLAMABAD_BLAST},
    "Bangladesh election": {BANGLADESH},
    "floods in Mozambique": set(),  # in the background corpus only, which came before
    "polar bears": set(),
    "gold price": set(),
}


@dataclass
class Scenario:
    lib: Library
    store: AlertStore
    sender: FakeSender
    report: DispatchReport
    follows: dict[str, Follow]


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory,
             real_embedder: SentenceTransformerEmbedder) -> Iterator[Scenario]:
    """Background corpus ingested; topics followed; ten new videos arrive; one dispatch pass."""
    data = tmp_path_factory.mktemp("alerts-matching")
    lib = build_library(config_for(data), real_embedder)
    assert not lib.ingest([CORPUS]).rejected
    with lib.catalog.transaction() as c:  # an hour ago: clearly before anyone followed
        c.execute("UPDATE videos SET ingested_at=?", (
            (datetime.now(UTC) - timedelta(hours=1)).isoformat(timespec="seconds"),))
    store = AlertStore.in_dir(data)
    follows = {topic: store.add_follow(user_id=100 + i, guild_id=1, channel_id=55, topic=topic)[0]
               for i, topic in enumerate(EXPECTED)}
    assert len(lib.ingest(arrivals()).ingested) == 10
    sender = FakeSender()
    dispatcher = Dispatcher(lib.catalog, store, sender, TopicMatcher(lib.topic_evidence))
    report = asyncio.run(dispatcher.dispatch())
    yield Scenario(lib, store, sender, report, follows)
    store.close()
    lib.close()


def test_threshold_is_the_configured_default() -> None:
    assert AlertsConfig().follow_threshold == DEFAULT_THRESHOLD
    assert decide(0.55, 0.3) and not decide(0.55, 0.0) and decide(0.6, 0.0)
    assert decide(0.41, 1.0) and not decide(0.39, 1.0)


def test_each_topic_fires_on_exactly_the_related_arrivals(scenario: Scenario) -> None:
    fired = {f: set(videos) for f, videos in scenario.report.notified}
    for topic, names in EXPECTED.items():
        expected = {video_id_of(p) for p in arrivals(*names)} if names else set()
        assert fired.get(scenario.follows[topic].id, set()) == expected, topic
    assert scenario.report.no_match == 10 * len(EXPECTED) - 3


def test_notification_quotes_the_matching_passage_verbatim(scenario: Scenario) -> None:
    follow = scenario.follows["mosque bombing in Islamabad"]
    [sent] = [s for s in scenario.sender.sent if s.message.mention == follow.user_id]
    content = sent.message.content
    assert sent.target == 55 and content.startswith(f"<@{follow.user_id}> 2 new videos match")
    quotes = [line[3:-1] for line in plain_text(content).splitlines() if line.startswith("> “")]
    assert len(quotes) == 2
    for quote in quotes:
        assert any(w in quote.lower() for w in ("mosque", "islamabad", "blast", "bomb", "attack"))
    texts = [" ".join(t.words) for p in arrivals(ISLAMIC_STATE_MOSQUE, ISLAMABAD_BLAST)
             if (t := scenario.lib.catalog.video_text(video_id_of(p))) is not None]
    assert all(any(is_verbatim(q, t) for t in texts) for q in quotes)
    for p in arrivals(ISLAMIC_STATE_MOSQUE, ISLAMABAD_BLAST):
        assert f"https://www.youtube.com/watch?v={video_id_of(p)}" in content


def test_unrelated_follows_stay_silent(scenario: Scenario) -> None:
    silent = {scenario.follows[t].user_id for t, names in EXPECTED.items() if not names}
    assert not [s for s in scenario.sender.sent if s.message.mention in silent]
    assert len(scenario.sender.sent) == 2  # mosque (both videos in one message), Bangladesh


def test_match_evidence_is_reported(scenario: Scenario) -> None:
    matcher = TopicMatcher(scenario.lib.topic_evidence)
    yes = matcher.match("Bangladesh election", video_id_of(arrivals(BANGLADESH)[0]))
    assert yes.matched and yes.similarity >= DEFAULT_THRESHOLD and yes.hit is not None
    assert "bangladesh" in yes.hit.quote.lower()
    no = matcher.match("Bangladesh election", video_id_of(arrivals(ISLAMABAD_BLAST)[0]))
    assert not no.matched and no.similarity < DEFAULT_THRESHOLD


def test_data_files_are_small(scenario: Scenario) -> None:
    assert sum(p.stat().st_size for p in arrivals()) < 50_000
    assert all(isinstance(p, Path) for p in arrivals())
