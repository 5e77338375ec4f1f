"""Index terms: the one analysis that the keyword index, its queries and the term counts share.

Folding and tokenising are ours (`store.text.tokens`: case and diacritics removed, any script,
apostrophes kept inside words); the engine only splits the space-joined tokens again and
stems them (Snowball English), so the indexed side and the query side cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Iterable

import tantivy

from store.text import tokens

ANALYZER_NAME = "newsreel"
# A "word" this long is a URL or junk in a caption; the engine's term limit is far above it.
MAX_TERM_CHARS = 64


def build_analyzer() -> tantivy.TextAnalyzer:
    """The engine-side analysis of pre-tokenised text: split on spaces, drop junk, stem."""
    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.whitespace())
        .filter(tantivy.Filter.remove_long(MAX_TERM_CHARS))
        .filter(tantivy.Filter.stemmer("english"))
        .build()
    )


_ANALYZER = build_analyzer()


def index_text(text: str) -> str:
    """The text handed to the engine: our folded tokens joined by single spaces."""
    return " ".join(tokens(text))


def index_terms(text: str) -> list[str]:
    """The stemmed terms of a text, in order ('Searched Orbán' → ['search', 'orban'])."""
    joined = index_text(text)
    return _ANALYZER.analyze(joined) if joined else []


def word_terms(words: Iterable[str]) -> list[str]:
    """The distinct stemmed terms of query words, in order of first appearance."""
    return list(dict.fromkeys(t for w in words for t in index_terms(w)))

