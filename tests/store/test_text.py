"""Unicode text: keyword search, weights and quote matching fold every script the same way."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from app.wiring import Library
from store.index.catalog import Catalog
from store.links import video_url
from store.records import SearchFilters, Transcript
from store.search.quote_finder import find_exact
from store.search.quotes import stem
from store.sources.loader import LoadedTranscript
from store.text import fold, tokens

# (as typed, as spoken): each pair must meet on every side of matching.
PAIRS = [
    ("Orban", "Orbán"),
    ("Erdogan", "Erdoğan"),
    ("Zurich", "Zürich"),
    ("ελληνικη", "Ελληνική"),  # Greek without its accent, in lower case
    ("елка", "Ёлка"),  # Cyrillic ё typed as е
    ("محمد", "مُحَمَّد"),  # Arabic without its vowel marks
    ("finance", "ﬁnance"),  # a ligature
]


@pytest.mark.parametrize(("typed", "spoken"), PAIRS)
def test_both_sides_fold_the_same(typed: str, spoken: str) -> None:
    assert tokens(typed) == tokens(spoken) == [fold(typed)]
    assert stem(typed) == stem(spoken)
    assert find_exact(["said", spoken, "today"], [typed]) == (1, 2)


def test_tokens_of_every_spaced_script() -> None:
    assert tokens("Orbán’s ally, Ερντογάν & Путин: 90% of £10,000!") == [
        "orban's", "ally", "ερντογαν", "путин", "90", "of", "10", "000"
    ]


def test_keyword_index_finds_what_is_typed(make_library: Callable[..., Library]) -> None:
    lib = make_library()
    words = " ".join(spoken for _, spoken in PAIRS) + " spoke in parliament"
    t = Transcript("ZOlktUrAg0k", "T", "C", "2026-01-01", tuple(words.split()))
    report = lib.ingestor.ingest_loaded([LoadedTranscript(t, "hash")])
    assert report.ingested == ["ZOlktUrAg0k"]
    everywhere = SearchFilters()
    for typed, spoken in PAIRS:
        for query in (typed, spoken):
            found = lib.keyword.search(tokens(query), everywhere, 5)
            assert [cid for cid, _ in found] == ["ZOlktUrAg0k:0"], query
    assert len(lib.keyword.phrase(tokens("Orban erdogan"), everywhere, 5)) == 1
    assert lib.keyword.phrase(tokens("erdogan Orban"), everywhere, 5) == []
    # Quotes stay verbatim: the stored words keep their accents.
    vt = lib.catalog.video_text("ZOlktUrAg0k")
    assert vt is not None and vt.words[:2] == ("Orbán", "Erdoğan")


def test_catalog_without_url_column_is_migrated(tmp_path: Path) -> None:
    db = tmp_path / "catalog.sqlite3"
    old = sqlite3.connect(db)
    # The videos table as catalogs before page urls had it.
    old.executescript(
        """CREATE TABLE videos (video_id TEXT PRIMARY KEY, title TEXT NOT NULL,
        channel TEXT NOT NULL, published TEXT NOT NULL, n_words INTEGER NOT NULL,
        timed INTEGER NOT NULL, content_hash TEXT NOT NULL, state TEXT NOT NULL,
        source TEXT NOT NULL, ingested_at TEXT NOT NULL, text TEXT NOT NULL, word_starts BLOB);
        INSERT INTO videos VALUES ('CSWiKMIF53g', 'T', 'DW News', '2024-08-13', 2, 0, 'h',
        'done', 's', '2026-01-01T00:00:00+00:00', 'hello world', NULL);"""
    )
    old.close()
    catalog = Catalog(db)
    info = catalog.video("CSWiKMIF53g")
    assert info is not None and info.url == ""
    assert video_url(info.video_id, info.url, 65) == (
        "https://www.youtube.com/watch?v=CSWiKMIF53g&t=63s"
    )
    catalog.close()
    Catalog(db).close()  # a second open finds the column there


@pytest.mark.parametrize(
    ("page", "start", "link"),
    [
        ("https://www.bbc.co.uk/news/videos/c0000000000o", 65.0,
         "https://www.bbc.co.uk/news/videos/c0000000000o"),
        ("https://www.youtube.com/watch?v=abc", 65.0, "https://www.youtube.com/watch?v=abc&t=63s"),
        ("https://youtu.be/abc", 65.0, "https://youtu.be/abc?t=63s"),
        ("https://www.youtube.com/watch?v=abc&list=PLx", None,
         "https://www.youtube.com/watch?v=abc&list=PLx"),
        ("", 65.0, "https://www.youtube.com/watch?v=abc&t=63s"),
    ],
)
def test_links_come_from_the_page(page: str, start: float | None, link: str) -> None:
    assert video_url("abc", page, start) == link
