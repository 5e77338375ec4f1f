"""Keyword engines side by side on one store: SQLite FTS5 (as main queried it, and its best
other plan) against tantivy, on the dev questions' terms, unfiltered and filtered.

`python -m bench.keyword_compare STORE_DIR [--channel C] [--since D --until D]` where STORE_DIR
holds a catalog with the FTS5 table `chunks_fts` (a store from before the switch). The tantivy
index is built into STORE_DIR/keyword-compare from the catalog's chunk text.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sqlite3
import time
from collections.abc import Callable, Iterator, Sequence
from functools import partial
from pathlib import Path

from bench.measure import p50_p95, rss_mb
from bench.query_bench import load_questions
from bench.run import DEFAULT_QUESTIONS
from store.index import KeywordDoc, TantivyKeywordIndex, filter_sql
from store.records import SearchFilters
from store.text import content_terms

DEPTH = 50
BATCH = 20_000


def fts_or_query(terms: Sequence[str]) -> str:
    """An FTS5 MATCH expression that matches any of the terms (each quoted, as main built it)."""
    return " OR ".join(f'"{t.replace(chr(34), "")}"' for t in terms if t.replace('"', ""))


def fts_docs(db: sqlite3.Connection) -> Iterator[list[KeywordDoc]]:
    """Every chunk of an FTS5 catalog as keyword documents, in batches."""
    cur = db.execute(
        "SELECT c.id, c.video_id, v.channel, v.published, f.text, f.context FROM chunks c"
        " JOIN videos v ON v.video_id = c.video_id JOIN chunks_fts f ON f.rowid = c.rowid"
    )
    while rows := cur.fetchmany(BATCH):
        yield [KeywordDoc(*map(str, r)) for r in rows]


def fts_main(db: sqlite3.Connection, match: str, filters: SearchFilters) -> list[tuple[str, float]]:
    """Main's FTS5 plan: rank inside FTS5, join the top rows (unfiltered); join then rank."""
    if not filters.active:
        sql = (
            "SELECT c.id, s.score FROM (SELECT rowid, -bm25(chunks_fts, 1.0, 0.3) AS score"
            " FROM chunks_fts WHERE chunks_fts MATCH ? ORDER BY score DESC LIMIT ?) s"
            " CROSS JOIN chunks c ON c.rowid = s.rowid"
            " CROSS JOIN videos v ON v.video_id = c.video_id"
            " WHERE v.state = 'done' ORDER BY s.score DESC LIMIT ?"
        )
        return db.execute(sql, [match, DEPTH + 20, DEPTH]).fetchall()
    cond, params = filter_sql(filters)
    sql = (
        "SELECT c.id, -bm25(chunks_fts, 1.0, 0.3) AS score FROM chunks_fts"
        " JOIN chunks c ON c.rowid = chunks_fts.rowid JOIN videos v ON v.video_id = c.video_id"
        f" WHERE chunks_fts MATCH ? AND {cond} ORDER BY score DESC LIMIT ?"
    )
    return db.execute(sql, [match, *params, DEPTH]).fetchall()


def fts_rank(db: sqlite3.Connection, match: str) -> list[tuple[str, float]]:
    """FTS5's own `rank` column with the bm25 weights set once (`ORDER BY rank` lets FTS5
    sort internally). Unfiltered only: its filtered forms (allowed rowids first, then MATCH)
    did not finish 72 questions in 15 minutes at 100k chunks."""
    sql = (
        "SELECT c.id, -s.rank FROM (SELECT rowid, rank FROM chunks_fts WHERE chunks_fts"
        " MATCH ? ORDER BY rank LIMIT ?) s CROSS JOIN chunks c ON c.rowid = s.rowid"
    )
    return db.execute(sql, [match, DEPTH]).fetchall()


def fts_scores(db: sqlite3.Connection, match: str, ids: Sequence[str]) -> object:
    """Main's keyword scores of given chunks (the dense candidates)."""
    marks = ",".join("?" * len(ids))
    return db.execute(
        "SELECT c.id, -bm25(chunks_fts, 1.0, 0.3) FROM chunks_fts"
        " JOIN chunks c ON c.rowid = chunks_fts.rowid"
        f" WHERE chunks_fts MATCH ? AND c.id IN ({marks})",
        [match, *ids],
    ).fetchall()


def timed(fn: Callable[[], object], rounds: int = 2) -> list[float]:
    """Milliseconds of each of `rounds` calls."""
    out = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000)
    return out


def main(argv: Sequence[str] | None = None) -> int:
    """Build the tantivy index from the store's catalog, then time both engines."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("store", type=Path)
    ap.add_argument("--channel")
    ap.add_argument("--since")
    ap.add_argument("--until")
    ap.add_argument("--questions", type=Path, default=DEFAULT_QUESTIONS)
    ap.add_argument("--skip-fts", action="store_true")
    args = ap.parse_args(argv)
    db = sqlite3.connect(args.store / "catalog.sqlite3")
    out: dict[str, object] = {"rss_before_mb": rss_mb()}
    folder = args.store / "keyword-compare"
    if not (folder / "meta.json").exists():
        shutil.rmtree(folder, ignore_errors=True)
        t0 = time.perf_counter()
        TantivyKeywordIndex(folder).add_all(fts_docs(db))
        out["tantivy_build_s"] = round(time.perf_counter() - t0, 1)
    kw = TantivyKeywordIndex(folder)
    out["tantivy_disk_mb"] = round(sum(p.stat().st_size for p in folder.iterdir()) / 1e6, 1)
    out["catalog_disk_mb"] = round((args.store / "catalog.sqlite3").stat().st_size / 1e6, 1)
    questions = [content_terms(q) for q in load_questions(args.questions)]
    questions = [q for q in questions if q]
    filt = {
        "plain": SearchFilters(),
        "channel": SearchFilters(channel=args.channel),
        "date": SearchFilters(since=args.since, until=args.until),
    }
    Engine = Callable[[list[str], SearchFilters], object]
    engines: dict[str, Engine] = {"tantivy": lambda t, f: kw.search(t, f, DEPTH)}
    if not args.skip_fts:
        engines["fts5_main"] = lambda t, f: fts_main(db, fts_or_query(t), f)
        engines["fts5_rank"] = lambda t, f: fts_rank(db, fts_or_query(t))
        db.execute("INSERT INTO chunks_fts(chunks_fts, rank) VALUES('rank', 'bm25(1.0, 0.3)')")
    for name, fn in engines.items():
        for fname, f in filt.items():
            if fname != "plain" and (name == "fts5_rank" or not (f.channel or f.since)):
                continue
            ms = [x for t in questions for x in timed(partial(fn, t, f))]
            p50, p95 = p50_p95(ms)
            out[f"{name}_{fname}_p50_ms"], out[f"{name}_{fname}_p95_ms"] = p50, p95
            print(name, fname, p50, p95, flush=True)
    # The second keyword call of a search: scores of the dense side's 50 candidates.
    ids_of = [[cid for cid, _ in kw.search(t, SearchFilters(), DEPTH)][::-1] for t in questions]
    Scorer = Callable[[list[str], list[str]], object]
    scorers: dict[str, Scorer] = {"tantivy": lambda t, ids: kw.scores(t, ids)}
    if not args.skip_fts:
        scorers["fts5"] = lambda t, ids: fts_scores(db, fts_or_query(t), ids)
    for name, sc in scorers.items():
        ms = [
            x
            for t, ids in zip(questions, ids_of, strict=True)
            for x in timed(partial(sc, t, ids))
        ]
        out[f"{name}_scores_p50_ms"], out[f"{name}_scores_p95_ms"] = p50_p95(ms)
        print(name, "scores", *p50_p95(ms), flush=True)
    out["rss_after_mb"] = rss_mb()
    print(json.dumps(out, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
