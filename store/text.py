"""Word normalisation and keyword-query building shared by search, quotes and alerts."""

from __future__ import annotations

import re
from collections.abc import Iterable

WORD_RE = re.compile(r"[a-z0-9]+(?:['’][a-z]+)?")

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


def normalise(word: str) -> str:
    """Lower-case a word and strip punctuation at its edges (apostrophes unified)."""
    return word.lower().replace("’", "'").strip(".,!?;:\"()[]{}…-–—'")


def tokens(text: str) -> list[str]:
    """Lower-case word tokens of a text, punctuation dropped, apostrophes kept inside words."""
    return WORD_RE.findall(text.lower().replace("’", "'"))


def content_terms(text: str) -> list[str]:
    """Distinct topic-bearing tokens of a question, in order."""
    seen: dict[str, None] = {}
    for tok in tokens(text):
        if tok not in STOPWORDS and (len(tok) > 1 or tok.isdigit()):
            seen.setdefault(tok, None)
    return list(seen)


def fts_or_query(terms: Iterable[str]) -> str:
    """An FTS5 MATCH expression that matches any of the terms (each quoted, so no syntax leaks)."""
    quoted = [f'"{t.replace(chr(34), "")}"' for t in terms if t.replace('"', "")]
    return " OR ".join(quoted)


def fts_phrase_query(words: Iterable[str]) -> str:
    """An FTS5 MATCH expression for an exact phrase."""
    clean = [w.replace('"', "") for w in words]
    return '"' + " ".join(w for w in clean if w) + '"'
