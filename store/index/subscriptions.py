"""Subscriptions kept in the catalog's SQLite file: each followed list's url, where it came from,
its last poll (when, what came, what failed), its retry delay, and its videos still waiting for
captions."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from store.index.sqlite_db import SqliteDatabase

SUBSCRIPTIONS_SCHEMA = """
CREATE TABLE IF NOT EXISTS subscriptions (
    url        TEXT PRIMARY KEY,
    origin     TEXT NOT NULL CHECK (origin IN ('config', 'added')),
    added_at   TEXT NOT NULL,
    last_poll  TEXT,             -- ISO time of the last poll, NULL before the first
    last_new   INTEGER NOT NULL DEFAULT 0,  -- videos the last poll brought
    last_error TEXT,             -- why the last poll could not read the list, NULL if it could
    failures   INTEGER NOT NULL DEFAULT 0,  -- polls failed in a row
    next_try   TEXT,             -- a failing list is not polled by the bot before this time
    backfilled INTEGER NOT NULL DEFAULT 0,  -- a first poll read the list
    revisit    INTEGER NOT NULL DEFAULT 0,  -- videos failed: look at the newest ones again
    videos     INTEGER NOT NULL DEFAULT 0   -- videos fetched from it so far
);
-- Videos listed without captions in the wanted languages yet: retried every poll, and named
-- once when they still have none after [subscriptions] give_up_hours.
CREATE TABLE IF NOT EXISTS subscription_waiting (
    url         TEXT NOT NULL,
    video_id    TEXT NOT NULL,
    archive_key TEXT NOT NULL,
    first_seen  TEXT NOT NULL,
    PRIMARY KEY (url, video_id)
) WITHOUT ROWID;
"""

Origin = Literal["config", "added"]


@dataclass(frozen=True)
class SubscriptionRow:
    """One subscription as stored."""

    url: str
    origin: Origin
    added_at: str
    last_poll: str | None
    last_new: int
    last_error: str | None
    failures: int
    next_try: str | None
    backfilled: bool
    revisit: bool
    videos: int


@dataclass(frozen=True)
class PollRecord:
    """What a poll of one subscription leaves behind."""

    when: str
    new: int
    error: str | None
    failures: int
    next_try: str | None
    backfilled: bool
    revisit: bool
    videos: int


_COLUMNS = ("url, origin, added_at, last_poll, last_new, last_error, failures, next_try,"
            " backfilled, revisit, videos")


class SubscriptionStore(SqliteDatabase):
    """The subscription tables of the catalog file (its own connection; safe across threads)."""

    def __init__(self, path: Path | str) -> None:
        """Open the catalog file's subscription tables (created when missing); NotWritableError
        when the file cannot be written."""
        super().__init__(path, SUBSCRIPTIONS_SCHEMA)

    def all(self) -> list[SubscriptionRow]:
        """Every stored subscription, oldest first."""
        rows = self._query(f"SELECT {_COLUMNS} FROM subscriptions ORDER BY added_at, url")
        return [_row(r) for r in rows]

    def get(self, url: str) -> SubscriptionRow | None:
        """One subscription, or None."""
        rows = self._query(f"SELECT {_COLUMNS} FROM subscriptions WHERE url=?", (url,))
        return _row(rows[0]) if rows else None

    def add(self, urls: Iterable[str], origin: Origin, now: str) -> list[str]:
        """Store subscriptions (a known url keeps its origin); returns the urls that were new."""
        added: list[str] = []
        with self.transaction() as c:
            for url in urls:
                cur = c.execute(
                    "INSERT INTO subscriptions (url, origin, added_at) VALUES (?, ?, ?)"
                    " ON CONFLICT(url) DO NOTHING", (url, origin, now))
                if cur.rowcount:
                    added.append(url)
        return added

    def remove(self, url: str) -> bool:
        """Forget a subscription (its videos stay in the store); whether there was one."""
        with self.transaction() as c:
            c.execute("DELETE FROM subscription_waiting WHERE url=?", (url,))
            return bool(c.execute("DELETE FROM subscriptions WHERE url=?", (url,)).rowcount)

    def record_poll(self, url: str, record: PollRecord) -> None:
        """Keep the outcome of a poll of `url` (ignored for a url no longer subscribed)."""
        with self.transaction() as c:
            c.execute(
                "UPDATE subscriptions SET last_poll=?, last_new=?, last_error=?, failures=?,"
                " next_try=?, backfilled=?, revisit=?, videos=? WHERE url=?",
                (record.when, record.new, record.error, record.failures, record.next_try,
                 int(record.backfilled), int(record.revisit), record.videos, url))

    def note_waiting(self, url: str, waiting: Mapping[str, str], now: str) -> None:
        """Remember videos still without captions (a video seen before keeps its first time)."""
        with self.transaction() as c:
            c.executemany(
                "INSERT INTO subscription_waiting VALUES (?, ?, ?, ?)"
                " ON CONFLICT(url, video_id) DO NOTHING",
                [(url, vid, key, now) for vid, key in waiting.items()])

    def forget_waiting(self, url: str, video_ids: Sequence[str]) -> None:
        """Videos that got their captions, or were given up."""
        with self.transaction() as c:
            c.executemany("DELETE FROM subscription_waiting WHERE url=? AND video_id=?",
                          [(url, vid) for vid in video_ids])

    def waiting_since(self, url: str, before: str) -> dict[str, str]:
        """Videos of `url` waiting for captions since before `before`: id → archive key."""
        rows = self._query(
            "SELECT video_id, archive_key FROM subscription_waiting"
            " WHERE url=? AND first_seen < ? ORDER BY first_seen", (url, before))
        return {str(r[0]): str(r[1]) for r in rows}

    def waiting_count(self, url: str) -> int:
        """Videos of `url` still waiting for captions."""
        return int(self._query(
            "SELECT count(*) FROM subscription_waiting WHERE url=?", (url,))[0][0])


def _row(r: tuple[object, ...]) -> SubscriptionRow:
    url, origin, added_at, last_poll, last_new, last_error, failures, next_try, *rest = r
    backfilled, revisit, videos = rest
    return SubscriptionRow(
        str(url), "config" if origin == "config" else "added", str(added_at),
        None if last_poll is None else str(last_poll), int(str(last_new)),
        None if last_error is None else str(last_error), int(str(failures)),
        None if next_try is None else str(next_try), bool(backfilled), bool(revisit),
        int(str(videos)))
