"""Word normalisation and keyword-query building shared by search, quotes and alerts.

The word keys, one home: `normalise` and `tokens` (folded, for matching questions to speech),
`strip_word` and `norm_word` (not folded, for lining caption words up with transcript words);
`store.search.quotes.stem` builds on `normalise`.
"""

from __future__ import annotations

import re
import unicodedata

# Letters and digits of any script (what FTS5's unicode61 tokenizer keeps), an apostrophe
# joining two runs ("don't"). Text is folded first, so combining marks are already gone.
WORD_RE = re.compile(r"[^\W_]+(?:'[^\W_]+)?")

# Question words and fillers: they carry no topic, and ASR text is full of them.
STOPWORDS = frozenset(
    """a an the and or but if of to in on at by for with from as is are was were be been being
    am do does did doing have has had having i me my we our you your he him his she her it its
    they them their what which who whom whose when where why how that this these those there
    here than then so not no nor too very can could should would will shall may might must
    about into over under again further once all any both each few more most other some such
    only own same just also up down out off s t don't didn't uh um er erm like know yeah okay ok
    oh well get got say said says tell told think go going gone really quite lot lots thing things
    anything something someone anyone whats what's whos who's wheres where's hows how's any
    one ones two way ve ll re d m let let's did does
    quote line bit someone said mention mentioned talk talked talking talks about anyone
    bbc news video clip report reported reporting""".split()
) | frozenset(
    # Negated auxiliaries, typed with or without the apostrophe: as common as their positive
    # forms, and "cant" spelt without one otherwise looks like a rare (garbled) word.
    f"{aux}{apos}t"
    for aux in "can won don didn doesn isn aren wasn weren hasn haven hadn couldn shouldn wouldn"
    .split()
    for apos in ("'", "")
)


def fold(text: str) -> str:
    """Text as matching sees it: lower case, compatibility forms and diacritics removed
    ('Orbán' → 'orban', 'Erdoğan' → 'erdogan', 'ά' → 'α', 'ﬁ' → 'fi', Arabic harakat dropped).
    The keyword index is fed folded text too, so both sides agree; quotes never are."""
    lowered = text.lower()
    if lowered.isascii():
        return lowered
    return "".join(
        ch for ch in unicodedata.normalize("NFKD", lowered) if unicodedata.category(ch) != "Mn"
    )


def normalise(word: str) -> str:
    """A word folded (see `fold`), punctuation stripped at its edges, apostrophes unified."""
    return fold(word).replace("’", "'").strip(".,!?;:\"()[]{}…-–—'")


def tokens(text: str) -> list[str]:
    """Folded word tokens of a text (any script), punctuation dropped, apostrophes kept inside."""
    return WORD_RE.findall(fold(text).replace("’", "'"))


# Sentence punctuation stripped at word edges (corpus README "Conversion" step 4);
# apostrophes, $, %, £, ° and inner dots/commas/hyphens are part of words.
EDGE_PUNCT = '.,!?;:"()[]{}…-‐‑‒–—―“”„«»¡¿*'
_NON_ALNUM_RE = re.compile(r"[\W_]+")


def strip_word(word: str) -> str:
    """A caption word without sentence punctuation at its edges (seed `<doc>` style)."""
    return word.strip(EDGE_PUNCT)


_norm_cache: dict[str, str] = {}


def norm_word(word: str) -> str:
    """Case- and punctuation-insensitive key of a word (not folded), for comparing caption texts."""
    key = _norm_cache.get(word)
    if key is None:
        lowered = word.lower()
        key = _NON_ALNUM_RE.sub("", lowered) or lowered
        if len(_norm_cache) < 200_000:  # bounded: vocabularies are small, junk input is not
            _norm_cache[word] = key
    return key


# Scripts written without spaces between words: a word index cannot find words in them.
_UNSPACED = {
    "Japanese": "\u3040-\u30ff\u31f0-\u31ff",  # kana (kanji next to kana is Japanese too)
    "Chinese": "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff",
    "Thai": "\u0e00-\u0e7f",
    "Lao": "\u0e80-\u0eff",
    "Khmer": "\u1780-\u17ff",
    "Myanmar": "\u1000-\u109f",
}
_UNSPACED_RE = {name: re.compile(f"[{chars}]") for name, chars in _UNSPACED.items()}
_LETTER_RE = re.compile(r"[^\W\d_]")


def unspaced_script(text: str, share: float = 0.2) -> str | None:
    """Name of the space-less script (Japanese, Chinese, Thai, …) that writes at least `share`
    of the letters in `text` (its first 20,000 characters), else None."""
    sample = text[:20_000]
    if sample.isascii():
        return None
    counts = {name: len(rx.findall(sample)) for name, rx in _UNSPACED_RE.items()}
    if sum(counts.values()) < share * len(_LETTER_RE.findall(sample)) or not any(
        counts.values()
    ):
        return None
    if counts["Japanese"]:
        return "Japanese"
    return max(counts, key=lambda k: counts[k])


def content_terms(text: str) -> list[str]:
    """Distinct topic-bearing tokens of a question, in order."""
    seen: dict[str, None] = {}
    for tok in tokens(text):
        if tok not in STOPWORDS and (len(tok) > 1 or tok.isdigit()):
            seen.setdefault(tok, None)
    return list(seen)
