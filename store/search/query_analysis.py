"""Query analysis stage: a question's content terms, their spelling variants and idf weights."""

from __future__ import annotations

import math
import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from store.index.keyword_terms import index_terms
from store.search.fuzzy import (
    Vocabulary,
    apostrophes_like,
    bare,
    name_apostrophe,
    other_spelling,
)
from store.search.quotes import stem
from store.text import content_terms


@dataclass(frozen=True)
class QueryTerms:
    """A question's keyword side: words for the keyword index and per-stem weights for quoting."""

    terms: tuple[str, ...]
    keywords: tuple[str, ...]  # the terms and their spelling variants; () = nothing to look up
    weights: dict[str, float]
    corrections: tuple[tuple[str, str], ...] = ()  # (typed word, the term it was a typo of)

    @property
    def total_weight(self) -> float:
        """Weight of the question's own terms (variants share their term's weight)."""
        return sum(self.weights.get(stem(t), 0.0) for t in self.terms)


def spelled(question: str, corrections: Sequence[tuple[str, str]]) -> str:
    """The question with each typed word that was a typo replaced by its correction (whole
    words, any case); a word not found as typed (e.g. folded accents) is left as it was."""
    for typed, fixed in corrections:
        word = re.compile(rf"(?<!\w){re.escape(typed)}(?!\w)", re.IGNORECASE)
        # Corrections are letters and apostrophes only (Vocabulary): no escapes to expand.
        question = word.sub(fixed, question)
    return question


@dataclass(frozen=True)
class SpellingParams:
    """How far spelling variants reach (tuned on the dev questions, see BENCHMARKS.md)."""

    fuzzy: bool = True
    fuzzy_max_share: float = 0.02  # a variant must be at most this common
    fuzzy_rare: float = 0.001  # a typed word this rare (share of chunks) gets variants
    fuzzy_max: int = 3


class TermStatistics(Protocol):
    """Corpus term statistics: chunks per index term, kept by the catalog."""

    def generation(self) -> tuple[int, int]:
        """Changes whenever the catalog changes."""
        ...

    def term_counts(self) -> tuple[int, dict[str, int]]:
        """(log position, {index term: chunks holding it}); '' counts every chunk."""
        ...

    def term_changes(self, since: int) -> tuple[int, list[dict[str, int]]] | None:
        """(log position, changes after `since`), or None when they cannot be replayed."""
        ...


class QueryAnalyser:
    """Turns a question into weighted terms. The vocabulary is loaded once, then follows the
    catalog's term-count changes (a committed video costs a few thousand dict updates, where
    reloading cost ~1.8 s at 1M chunks)."""

    def __init__(
        self,
        stats: TermStatistics,
        params: SpellingParams | None = None,
        is_word: Callable[[str], bool] | None = None,
    ) -> None:
        """`is_word(w)`: True for a word of the language (never taken for a typo), e.g. one the
        models' tokenizer holds whole; without it any word the transcripts lack may be one."""
        self.stats = stats
        self.params = params or SpellingParams()
        self.is_word = is_word
        self._vocab: Vocabulary | None = None
        self._generation: tuple[int, int] | None = None
        self._seq = 0
        self._lock = threading.Lock()

    def vocabulary(self) -> Vocabulary:
        """The corpus vocabulary with chunk counts, as of the catalog's last commit."""
        # The catalog generation is a pragma read: cheap enough to check on every search.
        generation = self.stats.generation()
        with self._lock:
            if self._vocab is not None and generation == self._generation:
                return self._vocab
            changes = None if self._vocab is None else self.stats.term_changes(self._seq)
            if self._vocab is None or changes is None:
                self._seq, counts = self.stats.term_counts()
                self._vocab = Vocabulary(counts.items(), counts.get("", 0))
            else:
                self._seq, deltas = changes
                for delta in deltas:
                    self._vocab.apply(delta)
            self._generation = generation
            return self._vocab

    @staticmethod
    def _doc_count(vocab: Vocabulary, word: str) -> int:
        term = index_terms(word)
        return vocab.doc_count.get(term[0], 0) if term else 0

    def _apostrophe_spelling(self, vocab: Vocabulary, typed: str) -> str | None:
        """The typed word as the transcripts spell it, when that differs only by an apostrophe
        inside a name: "ohara" → "o'hara", "oneill" → "o'neill", and "o'hara" → "ohara" where
        only that is said; None otherwise."""
        if name_apostrophe(typed):
            plain = bare(typed)
            return plain if self._doc_count(vocab, plain) else None
        term = index_terms(typed)
        named = vocab.with_apostrophe(term[0]) if term else None
        return apostrophes_like(typed, named) if named else None

    def analyse(self, question: str) -> QueryTerms:
        """Content terms of a question, their spelling variants and idf weights."""
        p = self.params
        vocab = self.vocabulary()
        n = max(1, vocab.n_chunks)
        rare = max(2, n * p.fuzzy_rare)
        terms: list[str] = []
        weights: dict[str, float] = {}
        match_terms: list[str] = []
        corrections: list[tuple[str, str]] = []
        for typed in content_terms(question):
            t, df = typed, self._doc_count(vocab, typed)
            other = other_spelling(typed)
            other_df = self._doc_count(vocab, other) if other else 0
            if df == 0 and other and other_df:
                t, df = other, other_df  # "defence" typed, "defense" in the captions
            elif df == 0 and (named := self._apostrophe_spelling(vocab, typed)):
                # The same word: people type names the way their keyboard makes easy. The
                # models read it as the transcripts spell it too.
                t, df = named, self._doc_count(vocab, named)
                corrections.append((typed, named))
            elif df == 0 and p.fuzzy and not (self.is_word and self.is_word(typed)):
                # A word no transcript has, one edit from one they use often, is a typo of that
                # word. (A rare neighbour is more likely another garbling: left to `variants`.)
                # A real word the transcripts lack ("thames", "chile", "greta") is not: it is
                # news they do not cover, and "that", "child" or "great" would answer wrongly.
                fixed = vocab.correction(typed)
                if fixed and vocab.doc_count[fixed] > rare:
                    t, df = fixed, vocab.doc_count[fixed]
                    corrections.append((typed, fixed))
            idf = math.log(1 + (n - df + 0.5) / (df + 0.5))
            terms.append(t)
            weights[stem(t)] = max(weights.get(stem(t), 0.0), idf)
            match_terms.append(t)
            if other and other_df and other != t:
                # Both spellings in use ("labour", "labor"): the keyword side looks for both.
                match_terms.append(other)
                weights.setdefault(stem(other), idf)
            # Only a word the transcripts (almost) never spell as typed is looked up by sound:
            # that is a name speech recognition garbled, not a word to broaden.
            if p.fuzzy and len(t) >= 4 and df <= rare:
                for v in vocab.variants(t, p.fuzzy_max_share)[: p.fuzzy_max]:
                    match_terms.append(v.term)
                    weights.setdefault(stem(v.term), idf)
        return QueryTerms(
            tuple(terms), tuple(dict.fromkeys(match_terms)), weights, tuple(corrections)
        )
