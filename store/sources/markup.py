"""Cue text markup: each caption format's own tags and SubStation override blocks removed, so
that what is left is what a player shows. Anything else between angle brackets is text."""

from __future__ import annotations

import re

# SubRip's tags, as players (and pysubs2) know them: b, i, u, s and font, any case. A tag
# never spans a line break.
_S = r"[^\S\n]*"  # spaces inside a tag, as pysubs2 allows: '< / i >'
_SRT_TAG_RE = re.compile(
    rf"<{_S}/?{_S}[bius]{_S}>|<{_S}font(?:[^\S\n][^<>\n]*)?>|<{_S}/{_S}font{_S}>",
    re.IGNORECASE,
)
# WebVTT's fixed set: c, i, b, u, ruby and rt with .classes, v and lang with classes and an
# annotation (the speaker of <v Name>, the language of <lang en>; players show neither), the
# end tags, and <[hh:]mm:ss.ttt> timestamps. An annotation on another tag ('<b Mary>') is not
# WebVTT: that stays text, like every other bracketed text.
_CLASSES = r"(?:\.[^\s.<>/]+)*"  # <c.yellow.bg_blue>
_VTT_TAG_RE = re.compile(
    rf"<(?:c|i|b|u|ruby){_CLASSES}>"
    rf"|<(?:v|lang){_CLASSES}(?:[ \t][^<>\n]*)?>"
    r"|</(?:c|i|b|u|ruby|v|lang)[ \t]*>"
    r"|<[ \t]*(?:\d+:)?\d{2}:\d{2}\.\d{3}[ \t]*>",
    re.IGNORECASE,
)
# Ruby text is shown apart from the base it annotates: each is a word of its own.
_RUBY_TEXT_RE = re.compile(rf"<rt{_CLASSES}>|</rt[ \t]*>", re.IGNORECASE)
_OVERRIDE_RE = re.compile(r"\{\\[^{}]*\}")  # SubStation override blocks: {\an8}, {\i1}, {\pos(…)}
_SSA_SPACE = "\\h"  # SubStation's hard space; \N and \n are its line breaks
_SSA_BREAK_RE = re.compile(r"\\[Nn]")
# WebVTT reads a NUL as U+FFFD: structure (a timing line, a header) it breaks; in text it is
# no word, and is dropped.
_NUL = "\x00"


def strip_markup(text: str, vtt: bool) -> str:
    """Cue text without the tags of its format (WebVTT when `vtt`, else SubRip) and without
    SubStation override blocks; NULs dropped, line breaks kept as '\\n'."""
    if "{" in text:
        text = _OVERRIDE_RE.sub("", text)
    if "\\" in text:
        text = _SSA_BREAK_RE.sub("\n", text.replace(_SSA_SPACE, " "))
    if "<" in text:
        if vtt:
            text = _VTT_TAG_RE.sub("", _RUBY_TEXT_RE.sub(" ", text))
        else:
            text = _SRT_TAG_RE.sub("", text)
    return text.replace(_NUL, "")
