"""Alert state in SQLite: targets, follows, and the ledgers that make alerts exactly-once.

A video is pending for a target (or a follow) until a ledger row says it was dealt with, so a
restart neither repeats what was sent nor forgets what was not. Times are ISO strings in the
catalog's format (`store.index.catalog.now_iso`), so they compare as text.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from store.index import SqliteDatabase, now_iso
from store.text import tokens

Deliver = Literal["channel", "dm"]
Scope = Literal["user", "channel"]
Outcome = Literal["sent", "no_match"]

FILE_NAME = "alerts.sqlite3"

SCHEMA = """
CREATE TABLE IF NOT EXISTS targets (
    channel_id      INTEGER PRIMARY KEY,
    guild_id        INTEGER NOT NULL,          -- 0 while unknown (a configured channel)
    source          TEXT NOT NULL CHECK (source IN ('admin', 'config')),
    enabled         INTEGER NOT NULL DEFAULT 1,
    disabled_reason TEXT,
    since           TEXT NOT NULL              -- videos ingested earlier are not announced here
);
CREATE TABLE IF NOT EXISTS guilds (
    guild_id INTEGER PRIMARY KEY,
    enabled  INTEGER NOT NULL DEFAULT 1,
    since    TEXT NOT NULL                     -- last switched on: no backlog from the off time
);
CREATE TABLE IF NOT EXISTS follows (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id         INTEGER NOT NULL,          -- who followed (for scope 'channel': who set it)
    guild_id        INTEGER NOT NULL,
    channel_id      INTEGER NOT NULL,          -- where it was followed, where it is delivered
    owner           INTEGER NOT NULL,          -- user_id or channel_id, by scope
    topic           TEXT NOT NULL,
    topic_key       TEXT NOT NULL,
    deliver         TEXT NOT NULL CHECK (deliver IN ('channel', 'dm')),
    scope           TEXT NOT NULL CHECK (scope IN ('user', 'channel')),
    enabled         INTEGER NOT NULL DEFAULT 1,
    disabled_reason TEXT,
    created_at      TEXT NOT NULL,
    UNIQUE (guild_id, scope, owner, topic_key)
);
CREATE TABLE IF NOT EXISTS announced (
    video_id TEXT NOT NULL,
    target   INTEGER NOT NULL,                 -- channel id
    kind     TEXT NOT NULL,                    -- 'video' or 'digest'
    sent_at  TEXT NOT NULL,
    PRIMARY KEY (video_id, target)
);
CREATE TABLE IF NOT EXISTS notified (
    video_id   TEXT NOT NULL,
    follow_id  INTEGER NOT NULL REFERENCES follows(id) ON DELETE CASCADE,
    outcome    TEXT NOT NULL CHECK (outcome IN ('sent', 'no_match')),
    similarity REAL,
    decided_at TEXT NOT NULL,
    PRIMARY KEY (video_id, follow_id)
);
CREATE TABLE IF NOT EXISTS state (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


@dataclass(frozen=True)
class Target:
    """A channel that gets new-video alerts."""

    channel_id: int
    guild_id: int
    source: str  # 'admin' | 'config'
    enabled: bool
    disabled_reason: str | None
    since: str


@dataclass(frozen=True)
class GuildSettings:
    """A server's alert switch."""

    guild_id: int
    enabled: bool
    since: str


@dataclass(frozen=True)
class Follow:
    """A followed topic: a user's (mentioned when it fires) or a channel's."""

    id: int
    user_id: int
    guild_id: int
    channel_id: int
    topic: str
    deliver: Deliver
    scope: Scope
    enabled: bool
    disabled_reason: str | None
    created_at: str


def topic_key(topic: str) -> str:
    """The identity of a topic: its words, lower-cased, punctuation and spacing ignored."""
    return " ".join(tokens(topic))


class AlertStore(SqliteDatabase):
    """All alert state, behind one lock; safe to call from worker threads."""

    def __init__(self, path: Path | str) -> None:
        super().__init__(path, SCHEMA)

    @classmethod
    def in_dir(cls, data_dir: Path) -> AlertStore:
        """The store at `<data_dir>/alerts.sqlite3`."""
        return cls(Path(data_dir) / FILE_NAME)

    # --- targets --------------------------------------------------------------------------

    def set_guild_channel(self, guild_id: int, channel_id: int) -> Target:
        """Make `channel_id` the server's alert channel (replacing the previous one), enabled."""
        now = now_iso()
        with self.transaction() as c:
            c.execute("DELETE FROM targets WHERE guild_id=? AND source='admin' AND channel_id<>?",
                      (guild_id, channel_id))
            # Re-setting a channel clears a past "disabled" (the admin fixed the permission);
            # `since` moves to now so that nothing from the time it was off floods in.
            c.execute(
                "INSERT INTO targets VALUES (?,?,'admin',1,NULL,?) ON CONFLICT(channel_id) DO"
                " UPDATE SET guild_id=excluded.guild_id, enabled=1, disabled_reason=NULL,"
                " since=CASE WHEN targets.enabled THEN targets.since ELSE excluded.since END",
                (channel_id, guild_id, now),
            )
        target = self.target(channel_id)
        assert target is not None
        return target

    def add_config_channel(self, channel_id: int, guild_id: int = 0) -> Target:
        """Register a configured channel once; a later start keeps its state (and `since`)."""
        with self.transaction() as c:
            c.execute("INSERT INTO targets VALUES (?,?,'config',1,NULL,?)"
                      " ON CONFLICT(channel_id) DO NOTHING", (channel_id, guild_id, now_iso()))
            if guild_id:
                c.execute("UPDATE targets SET guild_id=? WHERE channel_id=? AND guild_id=0",
                          (guild_id, channel_id))
        target = self.target(channel_id)
        assert target is not None
        return target

    def target(self, channel_id: int) -> Target | None:
        """One target by channel id."""
        rows = self._query("SELECT * FROM targets WHERE channel_id=?", (channel_id,))
        return _target(rows[0]) if rows else None

    def targets(self, guild_id: int | None = None, enabled_only: bool = False) -> list[Target]:
        """Targets, of one server or all, optionally only the enabled ones."""
        sql, params = _select("targets", {"guild_id": guild_id}, enabled_only)
        return [_target(r) for r in self._query(sql + " ORDER BY channel_id", params)]

    def disable_target(self, channel_id: int, reason: str) -> None:
        """Stop announcing to a channel (it is gone, or the bot may not post there)."""
        with self.transaction() as c:
            c.execute("UPDATE targets SET enabled=0, disabled_reason=? WHERE channel_id=?",
                      (reason, channel_id))

    def guild(self, guild_id: int) -> GuildSettings:
        """A server's switch (on unless switched off)."""
        rows = self._query("SELECT guild_id, enabled, since FROM guilds WHERE guild_id=?",
                          (guild_id,))
        if not rows:
            return GuildSettings(guild_id, True, "")
        return GuildSettings(int(rows[0][0]), bool(rows[0][1]), str(rows[0][2]))

    def guilds(self) -> dict[int, GuildSettings]:
        """Every server with a recorded switch."""
        rows = self._query("SELECT guild_id, enabled, since FROM guilds")
        return {int(r[0]): GuildSettings(int(r[0]), bool(r[1]), str(r[2])) for r in rows}

    def set_guild_enabled(self, guild_id: int, enabled: bool) -> GuildSettings:
        """Switch a server's new-video alerts on or off (on: only what arrives from now)."""
        with self.transaction() as c:
            c.execute(
                "INSERT INTO guilds VALUES (?,?,?) ON CONFLICT(guild_id) DO UPDATE SET"
                " enabled=excluded.enabled,"
                " since=CASE WHEN excluded.enabled AND NOT guilds.enabled THEN excluded.since"
                " ELSE guilds.since END",
                (guild_id, int(enabled), now_iso()),
            )
        return self.guild(guild_id)

    # --- follows --------------------------------------------------------------------------

    def add_follow(self, *, user_id: int, guild_id: int, channel_id: int, topic: str,
                   deliver: Deliver = "channel", scope: Scope = "user") -> tuple[Follow, bool]:
        """Follow a topic; (the follow, True) if new, (the updated follow, False) if it existed."""
        owner = user_id if scope == "user" else channel_id
        key = topic_key(topic)
        with self.transaction() as c:
            cur = c.execute(
                "INSERT INTO follows (user_id, guild_id, channel_id, owner, topic, topic_key,"
                " deliver, scope, created_at) VALUES (?,?,?,?,?,?,?,?,?)"
                " ON CONFLICT(guild_id, scope, owner, topic_key) DO NOTHING",
                (user_id, guild_id, channel_id, owner, topic.strip(), key, deliver, scope,
                 now_iso()),
            )
            created = cur.rowcount > 0
            if not created:
                # Following again moves delivery (channel or DM) and re-enables a disabled one.
                c.execute(
                    "UPDATE follows SET channel_id=?, deliver=?, enabled=1, disabled_reason=NULL"
                    " WHERE guild_id=? AND scope=? AND owner=? AND topic_key=?",
                    (channel_id, deliver, guild_id, scope, owner, key),
                )
            row = c.execute(
                "SELECT * FROM follows WHERE guild_id=? AND scope=? AND owner=? AND topic_key=?",
                (guild_id, scope, owner, key),
            ).fetchone()
        return _follow(row), created

    def remove_follow(self, *, guild_id: int, scope: Scope, owner: int, topic: str) -> bool:
        """Unfollow; True when such a follow existed."""
        with self.transaction() as c:
            cur = c.execute(
                "DELETE FROM follows WHERE guild_id=? AND scope=? AND owner=? AND topic_key=?",
                (guild_id, scope, owner, topic_key(topic)),
            )
            return cur.rowcount > 0

    def follows(self, *, guild_id: int | None = None, user_id: int | None = None,
                scope: Scope | None = None, channel_id: int | None = None,
                enabled_only: bool = False) -> list[Follow]:
        """Follows filtered by server, user, scope, channel and state; oldest first."""
        equal = {"guild_id": guild_id, "user_id": user_id, "scope": scope, "channel_id": channel_id}
        sql, params = _select("follows", equal, enabled_only)
        return [_follow(r) for r in self._query(sql + " ORDER BY id", params)]

    def disable_follow(self, follow_id: int, reason: str) -> None:
        """Stop delivering a follow (its channel is gone, or DMs are closed)."""
        with self.transaction() as c:
            c.execute("UPDATE follows SET enabled=0, disabled_reason=? WHERE id=?",
                      (reason, follow_id))

    # --- ledgers --------------------------------------------------------------------------

    def announced(self, video_ids: Iterable[str]) -> set[tuple[str, int]]:
        """(video id, channel id) pairs already announced, among `video_ids`."""
        return self._ledger_pairs("announced", "target", video_ids)

    def mark_announced(self, video_ids: Sequence[str], channel_id: int, kind: str) -> None:
        """Record that these videos were announced to a channel (one message or one digest)."""
        now = now_iso()
        with self.transaction() as c:
            c.executemany("INSERT OR IGNORE INTO announced VALUES (?,?,?,?)",
                          [(v, channel_id, kind, now) for v in video_ids])

    def notified(self, video_ids: Iterable[str]) -> set[tuple[str, int]]:
        """(video id, follow id) pairs already decided (sent, or found not to match)."""
        return self._ledger_pairs("notified", "follow_id", video_ids)

    def _ledger_pairs(
        self, table: str, column: str, video_ids: Iterable[str]
    ) -> set[tuple[str, int]]:
        # `table` and `column` are literals of this module, never user input.
        out: set[tuple[str, int]] = set()
        for part in _chunks(list(video_ids)):
            marks = ",".join("?" * len(part))
            rows = self._query(
                f"SELECT video_id, {column} FROM {table} WHERE video_id IN ({marks})", part
            )
            out.update((str(r[0]), int(r[1])) for r in rows)
        return out

    def mark_notified(self, decisions: Sequence[tuple[str, int, Outcome, float | None]]) -> None:
        """Record (video id, follow id, outcome, similarity) decisions."""
        now = now_iso()
        with self.transaction() as c:
            c.executemany(
                "INSERT OR IGNORE INTO notified SELECT ?,?,?,?,? WHERE EXISTS"
                " (SELECT 1 FROM follows WHERE id=?)",  # an unfollow may have raced the send
                [(v, f, o, s, now, f) for v, f, o, s in decisions],
            )

    def prune_no_match(self, before: str) -> int:
        """Forget 'no match' decisions made before `before` (their videos are past max age)."""
        with self.transaction() as c:
            return c.execute("DELETE FROM notified WHERE outcome='no_match' AND decided_at < ?",
                             (before,)).rowcount

    def sent_count(self) -> tuple[int, int]:
        """(announcements, follow notifications) recorded, for stats and tests."""
        a = self._query("SELECT count(*) FROM announced")[0][0]
        n = self._query("SELECT count(*) FROM notified WHERE outcome='sent'")[0][0]
        return int(a), int(n)

    # --- cursor ---------------------------------------------------------------------------

    def cursor(self) -> str | None:
        """`ingested_at` up to which every video has been dealt with (None before the first)."""
        rows = self._query("SELECT value FROM state WHERE key='cursor'")
        return str(rows[0][0]) if rows else None

    def set_cursor(self, value: str) -> None:
        """Move the cursor."""
        with self.transaction() as c:
            c.execute("INSERT INTO state VALUES ('cursor', ?)"
                      " ON CONFLICT(key) DO UPDATE SET value=excluded.value", (value,))


def _chunks(items: list[str], size: int = 500) -> Iterator[list[str]]:
    # SQLite limits the number of bound parameters; keep well under it.
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _target(r: Any) -> Target:
    return Target(int(r[0]), int(r[1]), str(r[2]), bool(r[3]),
                  None if r[4] is None else str(r[4]), str(r[5]))


def _follow(r: Any) -> Follow:
    return Follow(
        id=int(r[0]), user_id=int(r[1]), guild_id=int(r[2]), channel_id=int(r[3]),
        topic=str(r[5]), deliver=r[7], scope=r[8], enabled=bool(r[9]),
        disabled_reason=None if r[10] is None else str(r[10]), created_at=str(r[11]),
    )


def _select(
    table: str, equal: Mapping[str, object], enabled_only: bool
) -> tuple[str, list[object]]:
    """`SELECT *` of a table where each given (non-None) column equals its value."""
    given = {column: value for column, value in equal.items() if value is not None}
    where = [f"{column}=?" for column in given] + (["enabled=1"] if enabled_only else [])
    return f"SELECT * FROM {table} WHERE " + (" AND ".join(where) or "1=1"), list(given.values())
