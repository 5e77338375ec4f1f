"""The catalog's index-term counts: the keyword statistics searchers replay or reload."""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping

from store.index.catalog_schema import TERM_LOG_ROWS, CatalogState, context_text

# The index terms of a text (store.index.keyword_terms.index_terms): what term counts are kept of.
TermFn = Callable[[str], Iterable[str]]


class TermCounts(CatalogState):
    """Per-term chunk counts kept in step with the chunks, and a log of their changes."""

    _terms: TermFn

    def _video_terms(self, c: sqlite3.Connection, video_id: str) -> Counter[str]:
        """Term counts of a video's chunks as the catalog holds them now (none when pending)."""
        rows = c.execute(
            "SELECT t.text FROM chunks ch JOIN videos v USING (video_id)"
            " JOIN chunk_text t ON t.rowid = ch.rowid WHERE ch.video_id = ? AND v.state = 'done'",
            (video_id,),
        ).fetchall()
        if not rows:
            return Counter()
        counts = Counter(t for r in rows for t in set(self._terms(str(r[0]))))
        counts[""] = len(rows)
        return counts

    @staticmethod
    def _count_terms(c: sqlite3.Connection, delta: Mapping[str, int]) -> None:
        changed = {t: d for t, d in delta.items() if d}
        if not changed:
            return
        c.executemany(
            "INSERT INTO term_docs VALUES (?, ?)"
            " ON CONFLICT(term) DO UPDATE SET docs = docs + excluded.docs",
            changed.items(),
        )
        gone = [(t,) for t, d in changed.items() if d < 0]
        c.executemany("DELETE FROM term_docs WHERE term = ? AND docs <= 0", gone)
        cur = c.execute("INSERT INTO term_log (delta) VALUES (?)", (json.dumps(changed),))
        c.execute("DELETE FROM term_log WHERE seq <= ?", (int(cur.lastrowid or 0) - TERM_LOG_ROWS,))

    def term_counts(self) -> tuple[int, dict[str, int]]:
        """(log position, {index term: chunks holding it}); term '' counts every chunk."""
        with self._lock:
            seq = self._conn.execute("SELECT coalesce(max(seq), 0) FROM term_log").fetchone()[0]
            rows = self._conn.execute("SELECT term, docs FROM term_docs").fetchall()
        return int(seq), {str(r[0]): int(r[1]) for r in rows}

    def term_changes(self, since: int) -> tuple[int, list[dict[str, int]]] | None:
        """(log position, term-count changes after position `since`, oldest first), or None
        when they cannot be replayed (the log was cut or recounted): reload `term_counts`."""
        with self._lock:
            lo, hi = self._conn.execute("SELECT min(seq), max(seq) FROM term_log").fetchone()
            if hi is None or hi == since:
                return (since, []) if (hi is None and since == 0) or hi == since else None
            if hi < since or lo > since + 1:
                return None
            rows = self._conn.execute(
                "SELECT seq, delta FROM term_log WHERE seq > ? ORDER BY seq", (since,)
            ).fetchall()
        deltas = [json.loads(r[1]) for r in rows]
        if any(d is None for d in deltas):  # a recount: nothing to replay
            return None
        return int(rows[-1][0]), deltas

    def keyword_docs(self, batch: int = 20_000) -> Iterator[list[tuple[str, ...]]]:
        """Every chunk as (chunk id, video id, channel, published, text, context), in batches
        read one at a time: what the keyword index is refilled from."""
        after = -1
        while rows := self._query(
            "SELECT c.rowid, c.id, c.video_id, v.channel, v.published, t.text, v.title"
            " FROM chunks c JOIN videos v ON v.video_id = c.video_id"
            " JOIN chunk_text t ON t.rowid = c.rowid WHERE c.rowid > ? ORDER BY c.rowid LIMIT ?",
            (after, batch),
        ):
            after = int(rows[-1][0])
            yield [
                (str(r[1]), str(r[2]), str(r[3]), str(r[4]), str(r[5]), context_text(r[6], r[3]))
                for r in rows
            ]

    def recount_terms(self) -> int:
        """Recompute every term count from the chunk text (slow: a check, or a repair)."""
        counts: Counter[str] = Counter()
        for docs in self.keyword_docs():
            for doc in docs:
                counts.update(set(self._terms(doc[4])))
            counts[""] += len(docs)
        self.set_term_counts(counts)
        return counts[""]

    def set_term_counts(self, counts: Mapping[str, int]) -> None:
        """Replace every term count ('' = chunks); searchers reload them whole."""
        with self.transaction() as c:
            c.execute("DELETE FROM term_docs")
            c.executemany("INSERT INTO term_docs VALUES (?, ?)", counts.items())
            # Readers cannot replay a reset: its log row ('null') makes them reload.
            c.execute("DELETE FROM term_log")
            c.execute("INSERT INTO term_log (delta) VALUES ('null')")
