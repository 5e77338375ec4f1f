"""Where chunks live and how they are looked up: the SQLite catalog, the tantivy keyword index,
the Chroma vector index and the exact scan, each an adapter behind a small Protocol. May import
`store.encoders` (vector types) and the shared value types; never `store.search`."""

# Loaded on first use, so that a module needing one adapter (the keyword analyzer) does not
# load the others (SQLite, Chroma) with it.
from __future__ import annotations

from typing import TYPE_CHECKING

from store.public_names import lazy_exports

if TYPE_CHECKING:
    from store.index.catalog import SCHEMA, Catalog, filter_sql, now_iso
    from store.index.consistency import store_problem
    from store.index.exact_dense import exact_top
    from store.index.keyword_index import KeywordDoc, KeywordIndex, TantivyKeywordIndex
    from store.index.sqlite_db import SqliteDatabase
    from store.index.subscriptions import PollRecord, SubscriptionRow, SubscriptionStore
    from store.index.vector_index import (
        COLLECTION,
        ChromaIndex,
        ChunkMeta,
        connect_embedded,
        connect_server,
    )
    from store.index.writable import write_problem

_PUBLIC = {
    "COLLECTION": "store.index.vector_index",
    "Catalog": "store.index.catalog",
    "ChromaIndex": "store.index.vector_index",
    "ChunkMeta": "store.index.vector_index",
    "KeywordDoc": "store.index.keyword_index",
    "KeywordIndex": "store.index.keyword_index",
    "SCHEMA": "store.index.catalog",
    "PollRecord": "store.index.subscriptions",
    "SqliteDatabase": "store.index.sqlite_db",
    "SubscriptionRow": "store.index.subscriptions",
    "SubscriptionStore": "store.index.subscriptions",
    "TantivyKeywordIndex": "store.index.keyword_index",
    "connect_embedded": "store.index.vector_index",
    "connect_server": "store.index.vector_index",
    "exact_top": "store.index.exact_dense",
    "filter_sql": "store.index.catalog",
    "now_iso": "store.index.catalog",
    "store_problem": "store.index.consistency",
    "write_problem": "store.index.writable",
}
__all__ = [
    "COLLECTION",
    "SCHEMA",
    "Catalog",
    "ChromaIndex",
    "ChunkMeta",
    "KeywordDoc",
    "KeywordIndex",
    "PollRecord",
    "SqliteDatabase",
    "SubscriptionRow",
    "SubscriptionStore",
    "TantivyKeywordIndex",
    "connect_embedded",
    "connect_server",
    "exact_top",
    "filter_sql",
    "now_iso",
    "store_problem",
    "write_problem",
]
__getattr__ = lazy_exports(__name__, _PUBLIC)
