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
from itertools import pairwise

from store.search.fuzzy import edit_distance, phonetic_key
from store.search.quotes import stem


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


def says_name(
    name: str,
    video_words: Sequence[str],
    vocabulary: Collection[str],
    variants: Collection[str] = (),
) -> bool:
    """Whether a video says `name`: the word itself, a corpus variant of it (`variants`:
    sound-alikes the vocabulary knows), a word spelt one or two edits from it that starts or
    sounds the same, or two neighbouring words that run together into it. `vocabulary`: the
    video's distinct lower-case words."""
    low = name.lower().replace("'", "")
    if low in vocabulary or any(v in vocabulary for v in variants):
        return True
    if any(stem(w) == stem(low) for w in vocabulary if w[:3] == low[:3]):
        return True
    limit = 1 if len(low) < 6 else 2
    key = phonetic_key(low)
    for s in vocabulary:
        if abs(len(s) - len(low)) > 3:
            continue
        if edit_distance(low, s, limit) <= limit and (s[:1] == low[:1] or phonetic_key(s) == key):
            return True
        # Same sound however spelt ("phalanx", "fallanks"), when the sound is long enough to
        # tell names apart.
        if len(key) >= 3 and s[:1] in low[:2] + key[:1] and phonetic_key(s) == key:
            return True
    return any((a + b).lower() == low for a, b in pairwise(video_words))


def names_absent(
    names: Sequence[str],
    video_words: Sequence[str],
    vocabulary: Collection[str],
    variants: Mapping[str, Collection[str]] | None = None,
) -> bool:
    """True when the question has distinctive names and the video says none of them
    (`vocabulary`: its distinct lower-case words; `variants`: each name's sound-alikes)."""
    variants = variants or {}
    return bool(names) and not any(
        says_name(n, video_words, vocabulary, variants.get(n, ())) for n in names
    )
