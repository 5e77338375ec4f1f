"""Query analysis stage: a question's content terms, their spelling variants and idf weights."""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass
from typing import Protocol

from store.fuzzy import Vocabulary
from store.quotes import stem
from store.text import content_terms, fts_or_query


@dataclass(frozen=True)
class QueryTerms:
    """A question's keyword side: FTS expression and per-stem weights for quoting."""

    terms: tuple[str, ...]
    match: str
    weights: dict[str, float]

    @property
    def total_weight(self) -> float:
        """Weight of the question's own terms (variants share their term's weight)."""
        return sum(self.weights.get(stem(t), 0.0) for t in self.terms)


@dataclass(frozen=True)
class SpellingParams:
    """How far spelling variants reach (tuned on the dev questions, see BENCHMARKS.md)."""

    fuzzy: bool = True
    fuzzy_max_share: float = 0.02  # a variant must be at most this common
    fuzzy_rare: float = 0.001  # a typed word this rare (share of chunks) gets variants
    fuzzy_max: int = 3


class TermStatistics(Protocol):
    """Corpus term statistics (the catalog's keyword index)."""

    def generation(self) -> tuple[int, int]:
        """Changes whenever the indexed text changes."""
        ...

    def chunk_count(self) -> int:
        """Searchable chunks."""
        ...

    def vocabulary(self, min_docs: int = 1) -> list[tuple[str, int]]:
        """Every indexed term with its chunk count."""
        ...

    def match_count(self, match: str) -> int:
        """Chunks an FTS5 MATCH expression matches."""
        ...


class QueryAnalyser:
    """Turns a question into weighted terms; caches the vocabulary until the catalog changes."""

    def __init__(self, stats: TermStatistics, params: SpellingParams | None = None) -> None:
        self.stats = stats
        self.params = params or SpellingParams()
        self._vocab: Vocabulary | None = None
        self._vocab_generation: tuple[int, int] | None = None
        self._df_cache: dict[str, int] = {}
        self._lock = threading.Lock()

    def vocabulary(self) -> Vocabulary:
        """The corpus vocabulary with chunk counts, reloaded after the catalog changed."""
        # chunk_count() on every search cost 8 ms at 100k and 90-130 ms at 1M chunks; the
        # catalog generation is a pragma read. (Reloading the vocabulary itself costs ~1.8 s at
        # 1M: after an ingest that lands once, on the next search.)
        generation = self.stats.generation()
        with self._lock:
            if self._vocab is None or generation != self._vocab_generation:
                n = self.stats.chunk_count()
                self._vocab = Vocabulary(self.stats.vocabulary(), n)
                self._vocab_generation = self.stats.generation()
                self._df_cache.clear()
            return self._vocab

    def _doc_count(self, term: str) -> int:
        if term not in self._df_cache:
            # A count, not a ranked search: 4 ms instead of 380 ms for a common word at 1M.
            self._df_cache[term] = self.stats.match_count(fts_or_query([term]))
        return self._df_cache[term]

    def analyse(self, question: str) -> QueryTerms:
        """Content terms of a question, their spelling variants and idf weights."""
        p = self.params
        vocab = self.vocabulary()
        n = max(1, vocab.n_chunks)
        rare = max(2, n * p.fuzzy_rare)
        terms: list[str] = []
        weights: dict[str, float] = {}
        match_terms: list[str] = []
        for typed in content_terms(question):
            t, df = typed, self._doc_count(typed)
            if df == 0 and p.fuzzy:
                # A word no transcript has, one edit from one they use often, is a typo of that
                # word. (A rare neighbour is more likely another garbling: left to `variants`.)
                fixed = vocab.correction(typed)
                if fixed and vocab.doc_count[fixed] > rare:
                    t, df = fixed, vocab.doc_count[fixed]
            idf = math.log(1 + (n - df + 0.5) / (df + 0.5))
            terms.append(t)
            weights[stem(t)] = max(weights.get(stem(t), 0.0), idf)
            match_terms.append(t)
            # Only a word the transcripts (almost) never spell as typed is looked up by sound:
            # that is a name speech recognition garbled, not a word to broaden.
            if p.fuzzy and len(t) >= 4 and df <= rare:
                for v in vocab.variants(t, p.fuzzy_max_share)[: p.fuzzy_max]:
                    match_terms.append(v.term)
                    weights.setdefault(stem(v.term), idf)
        return QueryTerms(tuple(terms), fts_or_query(match_terms), weights)
