"""AlertStore: targets, server switches, follows and the ledgers, persisted across reopen."""

from __future__ import annotations

from pathlib import Path

from service.alerts.state import AlertStore, topic_key


def store_at(tmp_path: Path) -> AlertStore:
    return AlertStore.in_dir(tmp_path)


def test_file_location_and_persistence(tmp_path: Path) -> None:
    store = store_at(tmp_path)
    store.set_guild_channel(1, 10)
    store.mark_announced(["v1"], 10, "video")
    store.set_cursor("2026-11-25T10:00:00+00:00")
    store.close()
    assert (tmp_path / "alerts.sqlite3").is_file()
    again = store_at(tmp_path)
    assert [t.channel_id for t in again.targets()] == [10]
    assert again.announced(["v1", "v2"]) == {("v1", 10)}
    assert again.cursor() == "2026-11-25T10:00:00+00:00"
    again.close()


def test_guild_channel_replaces_the_previous_and_reenables(tmp_path: Path) -> None:
    store = store_at(tmp_path)
    store.set_guild_channel(1, 10)
    store.set_guild_channel(1, 11)
    assert [t.channel_id for t in store.targets(1)] == [11]
    store.disable_target(11, "Forbidden: 403")
    t = store.target(11)
    assert t is not None and not t.enabled and t.disabled_reason == "Forbidden: 403"
    assert store.targets(enabled_only=True) == []
    again = store.set_guild_channel(1, 11)
    assert again.enabled and again.disabled_reason is None and again.since >= t.since
    store.close()


def test_config_channels_keep_their_state(tmp_path: Path) -> None:
    store = store_at(tmp_path)
    first = store.add_config_channel(20)
    assert first.guild_id == 0 and first.source == "config"
    store.disable_target(20, "NotFound: 404")
    later = store.add_config_channel(20, guild_id=5)  # a restart: guild now known, still off
    assert later.guild_id == 5 and not later.enabled and later.since == first.since
    store.close()


def test_guild_switch(tmp_path: Path) -> None:
    store = store_at(tmp_path)
    assert store.guild(7).enabled  # on by default
    off = store.set_guild_enabled(7, False)
    assert not off.enabled
    on = store.set_guild_enabled(7, True)
    assert on.enabled and on.since >= off.since
    assert store.guilds()[7].enabled
    store.close()


def test_follows_are_unique_per_owner_and_topic(tmp_path: Path) -> None:
    store = store_at(tmp_path)
    f1, created = store.add_follow(user_id=1, guild_id=9, channel_id=100, topic="Gold  price")
    assert created and f1.scope == "user" and f1.deliver == "channel"
    f2, created = store.add_follow(user_id=1, guild_id=9, channel_id=101, topic="gold price!",
                                   deliver="dm")
    assert not created and f2.id == f1.id and f2.deliver == "dm" and f2.channel_id == 101
    other, created = store.add_follow(user_id=2, guild_id=9, channel_id=100, topic="gold price")
    assert created and other.id != f1.id
    chan, created = store.add_follow(user_id=2, guild_id=9, channel_id=100, topic="gold price",
                                     scope="channel")
    assert created and chan.scope == "channel"
    assert [f.id for f in store.follows(guild_id=9, user_id=1)] == [f1.id]
    assert len(store.follows(guild_id=9, scope="channel", channel_id=100)) == 1
    assert topic_key("Gold  price") == topic_key("gold PRICE.") == "gold price"

    store.mark_notified([("v1", f1.id, "sent", 0.7), ("v2", f1.id, "no_match", 0.1)])
    assert store.notified(["v1", "v2"]) == {("v1", f1.id), ("v2", f1.id)}
    assert store.remove_follow(guild_id=9, scope="user", owner=1, topic="GOLD price")
    assert not store.remove_follow(guild_id=9, scope="user", owner=1, topic="gold price")
    assert store.notified(["v1", "v2"]) == set()  # the ledger goes with the follow
    store.mark_notified([("v3", f1.id, "sent", None)])  # a send that raced the unfollow
    assert store.notified(["v3"]) == set()
    store.close()


def test_disable_follow(tmp_path: Path) -> None:
    store = store_at(tmp_path)
    f, _ = store.add_follow(user_id=1, guild_id=9, channel_id=100, topic="gold", deliver="dm")
    store.disable_follow(f.id, "Forbidden: DMs closed")
    assert store.follows(enabled_only=True) == []
    again, created = store.add_follow(user_id=1, guild_id=9, channel_id=100, topic="gold")
    assert not created and again.enabled and again.deliver == "channel"
    store.close()


def test_prune_forgets_old_misses_only(tmp_path: Path) -> None:
    store = store_at(tmp_path)
    f, _ = store.add_follow(user_id=1, guild_id=9, channel_id=100, topic="gold")
    store.mark_notified([("v1", f.id, "sent", 0.7), ("v2", f.id, "no_match", 0.1)])
    assert store.prune_no_match("2000-01-01T00:00:00+00:00") == 0
    assert store.prune_no_match("2999-01-01T00:00:00+00:00") == 1
    assert store.notified(["v1", "v2"]) == {("v1", f.id)}
    assert store.sent_count() == (0, 1)
    store.close()
