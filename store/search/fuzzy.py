"""Spelling-robust keyword terms: map what people type to what speech recognition wrote."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from breame.data.spelling_constants import (
    AMERICAN_ENGLISH_SPELLINGS,
    BRITISH_ENGLISH_SPELLINGS,
)
from rapidfuzz.distance import OSA

from store.search.quotes import stem as light_stem

_VOWELS = set("aeiou")
# What follows the apostrophe of a contraction or possessive: "she'll" without it is "shell",
# "we'd" is "wed", "it's" is "its", another word. Inside a name ("O'Hara", "D'Alessandro",
# "Qur'an") the apostrophe is a spelling detail people leave out when typing.
_CLITICS = frozenset({"s", "t", "d", "ll", "re", "ve", "m"})


def bare(term: str) -> str:
    """A term without its apostrophes ("o'hara" → "ohara")."""
    return term.replace("'", "")


def name_apostrophe(term: str) -> bool:
    """Whether the term has an apostrophe inside a name rather than a contraction's: "o'hara",
    "d'alessandro" yes; "she'll", "don't", "macron's" no."""
    head, apostrophe, tail = term.rpartition("'")
    return bool(apostrophe and head and tail) and tail not in _CLITICS


def apostrophes_like(word: str, term: str) -> str:
    """`word` with apostrophes where `term` has them: ("oneill", "o'neil") → "o'neill" (index
    terms are stems; the word typed keeps its own ending)."""
    pieces, start, at = [], 0, 0
    for ch in term:
        if ch == "'":
            pieces.append(word[start:at])
            start = at
        else:
            at += 1
    return "'".join([*pieces, word[start:]])


def phonetic_key(word: str) -> str:
    """A coarse sound-alike key (Metaphone-like): 'gnome' and 'noem' both give 'nm'."""
    w = re.sub(r"[^a-z]", "", word.lower())
    if not w:
        return ""
    for pre, rep in (("kn", "n"), ("gn", "n"), ("pn", "n"), ("wr", "r"), ("wh", "w"), ("x", "s")):
        if w.startswith(pre):
            w = rep + w[len(pre) :]
    for pat, rep in (
        (r"ph", "f"),
        (r"ck", "k"),
        (r"sch", "sk"),
        (r"chr", "kr"),
        (r"ch", "x"),
        (r"sh", "x"),
        (r"th", "0"),
        (r"dg(?=[eiy])", "j"),
        (r"c(?=[eiy])", "s"),
        (r"c", "k"),
        (r"q", "k"),
        (r"x", "ks"),
        (r"z", "s"),
        (r"v", "f"),
        (r"g(?=[eiy])", "j"),
        (r"gh", "g"),
        (r"(?<=[a-z])[wyh]", ""),
        (r"d", "t"),
        (r"b", "p"),
    ):
        w = re.sub(pat, rep, w)
    first, rest = w[0], w[1:]
    rest = "".join(ch for ch in rest if ch not in _VOWELS)
    key = ("a" if first in _VOWELS else first) + rest
    return re.sub(r"(.)\1+", r"\1", key)


def edit_distance(a: str, b: str, limit: int = 3) -> int:
    """Edit distance counting a swap of neighbours as one edit, or limit+1 once over `limit`."""
    # Optimal string alignment: typed words swap letters ('greenalnd') as often as they drop one.
    # rapidfuzz's C++ version: a question's spelling variants took ~0.4 ms in Python.
    return int(OSA.distance(a, b, score_cutoff=limit))


def other_spelling(word: str) -> str | None:
    """The word as spelt on the other side of the Atlantic ("defence" ↔ "defense", "centre" ↔
    "center"), or None when it has one spelling (breame's lists, ~1,700 pairs)."""
    # YouTube's captions spell American ("defense" 93 times in the shared corpus, "defence"
    # never) while a BBC audience types British.
    w = word.lower()
    return BRITISH_ENGLISH_SPELLINGS.get(w) or AMERICAN_ENGLISH_SPELLINGS.get(w)


@dataclass(frozen=True)
class Variant:
    """A corpus term that probably spells a query term differently."""

    term: str
    doc_count: int
    distance: int  # edits from the typed word
    sounds_alike: bool


class Vocabulary:
    """Corpus terms with their chunk counts, indexed by sound for variant lookup; updated in
    place as videos are committed or deleted (`apply`)."""

    def __init__(self, terms: Iterable[tuple[str, int]], n_chunks: int) -> None:
        self.doc_count: dict[str, int] = {}  # every term, for document frequencies
        # Only words (letters, 3 or more) are candidate variants; a name with an apostrophe is
        # found by its spelling without it.
        self._by_key: dict[str, set[str]] = defaultdict(set)
        self._by_prefix: dict[str, set[str]] = defaultdict(set)
        self._by_bare: dict[str, set[str]] = defaultdict(set)  # "ohara" → {"o'hara"}
        for term, count in terms:
            if term and count > 0:
                self.doc_count[term] = count
                self._add(term)
        self.chunks = n_chunks

    @property
    def n_chunks(self) -> int:
        """Chunks counted (at least 1, so shares can be taken)."""
        return max(1, self.chunks)

    @staticmethod
    def _spelling(term: str) -> str | None:
        """How a term is matched against typed words (a name without its apostrophes), or None
        when it is no candidate variant."""
        if name_apostrophe(term):
            term = bare(term)
        return term if term.isalpha() and len(term) >= 3 else None

    def _add(self, term: str) -> None:
        spelling = self._spelling(term)
        if spelling:
            self._by_key[phonetic_key(spelling)].add(term)
            self._by_prefix[spelling[:2]].add(term)
            if spelling != term:
                self._by_bare[spelling].add(term)

    def _remove(self, term: str) -> None:
        spelling = self._spelling(term)
        if spelling:
            self._by_key[phonetic_key(spelling)].discard(term)
            self._by_prefix[spelling[:2]].discard(term)
            self._by_bare[spelling].discard(term)

    def apply(self, delta: Mapping[str, int]) -> None:
        """Add changes of chunk counts ({term: ±chunks}, '' for the chunk total); a term whose
        count reaches 0 leaves the vocabulary."""
        for term, d in delta.items():
            if not term:
                self.chunks += d
                continue
            n = self.doc_count.get(term, 0) + d
            if n > 0:
                if term not in self.doc_count:
                    self._add(term)
                self.doc_count[term] = n
            elif term in self.doc_count:
                del self.doc_count[term]
                self._remove(term)

    def with_apostrophe(self, term: str) -> str | None:
        """The commonest corpus term that is `term` with an apostrophe inside a name ("ohara" →
        "o'hara"), or None."""
        found = self._by_bare.get(term)
        return max(found, key=lambda t: (self.doc_count[t], t)) if found else None

    def variants(self, word: str, max_share: float = 0.02) -> list[Variant]:
        """Rare corpus terms that sound like `word` or are one or two edits from it."""
        w = word.lower()
        if len(w) < 4 or not w.isalpha():
            return []
        limit = 1 if len(w) < 8 else 2
        rare = self.n_chunks * max_share
        found: dict[str, Variant] = {}
        key = phonetic_key(w)
        if len(key) >= 2:
            # Same sound and not too far in spelling: 'noem'→'gnome', not 'sloppy'→'sleep'.
            sound_limit = min(3, max(2, len(w) // 2))
            for term in self._by_key.get(key, ()):
                d = edit_distance(w, bare(term), 3)
                if self.doc_count[term] <= rare and d <= sound_limit:
                    found[term] = Variant(term, self.doc_count[term], d, True)
        # Edit-distance neighbours are looked for among terms with the same first two letters:
        # a sound-alike with another start is the phonetic key's job.
        for term in self._by_prefix.get(w[:2], ()):
            if term in found or self.doc_count[term] > rare:
                continue
            d = edit_distance(w, bare(term), limit)
            if d <= limit:
                found[term] = Variant(term, self.doc_count[term], d, False)
        # The index stores stems: a term that is a prefix of the word (or the reverse) is the
        # word itself, which the keyword index already matches.
        kept = [v for v in found.values() if not (w.startswith(v.term) or v.term.startswith(w))]
        # Sound-alikes first: speech recognition garbles names by sound, not by keyboard slips.
        return sorted(kept, key=lambda v: (not v.sounds_alike, v.distance, -v.doc_count, v.term))

    def correction(self, word: str) -> str | None:
        """The commonest corpus term one edit from a word the corpus never has: a typo's fix.

        Unlike `variants`, common terms qualify: 'greenalnd' means 'greenland' however often the
        transcripts say it. Terms are index stems, so the word's own stem is tried as well.
        """
        w = word.lower()
        if len(w) < 5 or not w.isalpha():
            return None
        best: tuple[int, str] | None = None
        for form in dict.fromkeys((w, light_stem(w))):
            for term in self._by_prefix.get(form[:2], ()):
                spelling = bare(term)
                near = spelling != form and edit_distance(form, spelling, 1) <= 1
                if near and (best is None or (self.doc_count[term], term) > best):
                    best = (self.doc_count[term], term)
        return None if best is None else best[1]
