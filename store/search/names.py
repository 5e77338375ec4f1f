"""Name check: a passage answers only from a video that names what the question names.

A question about a story the corpus never covered still has close neighbours: "how many homes
were flooded by the river danube" lands on the Mozambique floods. Its most distinctive names
(places, people, organisations: rare words, mostly capitalised where the transcripts say them,
or said nowhere at all) are absent from that video, and no closeness of meaning makes up for it.
Captions garble names, so a word that sounds like the name, or the name split in two ("tik
tok" for "tiktok"), counts as the name.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise

from rapidfuzz import process
from rapidfuzz.distance import OSA

from store.search.fuzzy import phonetic_key
from store.search.quotes import stem

# Videos are checked word by word against a name's sound: the same few thousand words come back
# search after search (each key is a dozen regular expressions).
sound = lru_cache(maxsize=1 << 16)(phonetic_key)


@dataclass(frozen=True)
class NameParams:
    """What makes a question's word a distinctive name (see BENCHMARKS.md)."""

    enabled: bool = True
    rare_share: float = 0.005  # distinctive: in at most this share of chunks (~22 of 4.5k)
    capitalised: float = 0.6  # capitalised in at least this share of its corpus occurrences
    min_length: int = 3
    unknown_min_length: int = 4  # a word the corpus never says: "utd" is no name, "sindh" is
    # A word never said is taken for a name only in a corpus this big (windows): in a small one
    # everyday words are missing too ("record" from 8 videos); the shared corpus has ~4.5k.
    unknown_min_chunks: int = 1000


def capitalised_share(word: str, texts: Sequence[str]) -> float | None:
    """Share (0–1) of the occurrences of `word` (by stem) in `texts` that start with a capital,
    or None when it occurs in none of them."""
    key = stem(word)
    seen = upper = 0
    for text in texts:
        for w in text.split():
            if stem(w) == key:
                seen += 1
                upper += w.lstrip("\"'(“‘")[:1].isupper()
    return upper / seen if seen else None


def question_names(
    terms: Sequence[str],
    doc_count: Callable[[str], int],
    capitals: Callable[[str], float | None],
    n_chunks: int,
    params: NameParams,
) -> list[str]:
    """The question's names, when it has a distinctive one ([] otherwise): its terms that are
    either said nowhere in the corpus or mostly capitalised where said; distinctive when in at
    most `rare_share` of the chunks.

    A video that says any of them (a distinctive one or a commoner one beside it: "pakistan"
    beside "sindh") is about what the question asks; one that says none answers another story.
    """
    if not params.enabled:
        return []
    names, distinctive = [], False
    for term in terms:
        if len(term) < params.min_length or not term.isalpha():
            continue  # numbers and short tokens are not names
        df = doc_count(term)
        if df == 0 and (
            len(term) < params.unknown_min_length or n_chunks < params.unknown_min_chunks
        ):
            continue
        share = capitals(term) if df else None
        if df == 0 or (share is not None and share >= params.capitalised):
            names.append(term)
            distinctive = distinctive or df <= params.rare_share * n_chunks
    return names if distinctive else []


@dataclass(frozen=True)
class SaidWords:
    """A video's words as the name check reads them: in order, distinct in lower case, their
    stems, and by sound (built once a video, then kept with its other cached readings)."""

    words: Sequence[str]
    vocabulary: frozenset[str]
    stems: frozenset[str]
    by_sound: Mapping[str, tuple[str, ...]]

    @classmethod
    def of(cls, words: Sequence[str]) -> SaidWords:
        """The reading of a video's words."""
        vocabulary = frozenset(w.lower() for w in words)
        by_sound: dict[str, list[str]] = {}
        for w in vocabulary:
            by_sound.setdefault(sound(w), []).append(w)
        return cls(
            words,
            vocabulary,
            frozenset(stem(w) for w in vocabulary),
            {k: tuple(v) for k, v in by_sound.items()},
        )


def says_name(name: str, said: SaidWords, variants: Collection[str] = ()) -> bool:
    """Whether a video says `name`: the word itself (or its stem), a corpus variant of it
    (`variants`: sound-alikes the vocabulary knows), a word spelt one or two edits from it that
    starts or sounds the same, a longer word that sounds the same, or two neighbouring words
    that run together into it."""
    low = name.lower().replace("'", "")
    vocabulary = said.vocabulary
    if low in vocabulary or stem(low) in said.stems or any(v in vocabulary for v in variants):
        return True
    limit = 1 if len(low) < 6 else 2
    key = sound(low)
    near = process.extract(
        low, vocabulary, scorer=OSA.distance, score_cutoff=limit, limit=None
    )
    if any(w[:1] == low[:1] or sound(w) == key for w, _, _ in near):
        return True
    # Same sound however spelt ("phalanx", "fallanks"), when the sound is long enough to tell
    # names apart.
    if len(key) >= 3 and any(
        abs(len(w) - len(low)) <= 3 and w[:1] in low[:2] + key[:1]
        for w in said.by_sound.get(key, ())
    ):
        return True
    # Two words that run together: only worth a pass over the video when both halves are in it.
    if not any(
        low[:i] in vocabulary and low[i:] in vocabulary for i in range(2, len(low) - 1)
    ):
        return False
    return any((a + b).lower() == low for a, b in pairwise(said.words))


def names_absent(
    names: Sequence[str],
    said: SaidWords,
    variants: Mapping[str, Collection[str]] | None = None,
) -> bool:
    """True when the question has distinctive names and the video says none of them
    (`variants`: each name's sound-alikes)."""
    variants = variants or {}
    return bool(names) and not any(says_name(n, said, variants.get(n, ())) for n in names)
