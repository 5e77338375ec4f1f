"""WebVTT / SRT caption files: cues, and the flat word list of a whole video with word times."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import PurePath

from store.errors import TranscriptError
from store.parsing.seed import is_plausible_video_id


@dataclass(frozen=True)
class Cue:
    """One caption cue: seconds from the start of the video and its cleaned text."""

    start: float
    end: float
    text: str


_TS = r"(?:(\d{1,6}):)?(\d{1,2}):(\d{1,2})(?:[.,](\d{1,3}))?"
_TIMING_RE = re.compile(rf"\s*{_TS}\s*-->\s*{_TS}(?:\s.*)?")
_TAG_RE = re.compile(r"<[^<>\n]*>")  # <c>, </c>, <i>, <v Name>, <00:00:01.000>
_NONSPEECH_RE = re.compile(r"\[[^\[\]\n]*\]|[♪♫]+")  # [music], [applause], ♪
_SPEAKER_RE = re.compile(r">>+|»")  # YouTube's speaker-change mark

# Sentence punctuation stripped at word edges (corpus README "Conversion" step 4);
# apostrophes, $, %, £, ° and inner dots/commas/hyphens are part of words.
EDGE_PUNCT = '.,!?;:"()[]{}…-‐‑‒–—―“”„«»¡¿*'
_NON_ALNUM_RE = re.compile(r"[\W_]+")

_DEDUP_MAX_RUN = 60  # longest repeated line we look for (a cue is ~10-20 words)
_REPEAT_MIN, _REPEAT_MAX = 3, 20  # second pass: immediate repeats of 3-20-word runs


def _seconds(h: str | None, m: str, s: str, frac: str | None) -> float:
    total = int(h or 0) * 3600 + int(m) * 60 + int(s)
    if frac:
        total += int(frac) / 10 ** len(frac)
    return float(total)


def clean_cue_text(text: str) -> str:
    """Drop markup, speaker marks and [non-speech] tags from a cue payload; unescape entities."""
    lines = []
    for line in text.split("\n"):
        line = html.unescape(_TAG_RE.sub("", line))
        line = _NONSPEECH_RE.sub(" ", _SPEAKER_RE.sub(" ", line))
        lines.append(" ".join(line.split()))
    return "\n".join(line for line in lines if line)


def _parse_cues(text: str, path: str) -> list[Cue]:
    """Cue blocks of VTT or SRT: a timing line, then payload lines up to a blank line."""
    cues: list[Cue] = []
    start = end = 0.0
    payload: list[str] | None = None

    def flush() -> None:
        if payload is not None:
            cues.append(Cue(start, max(start, end), clean_cue_text("\n".join(payload))))

    for lineno, line in enumerate(text.splitlines(), 1):
        if "-->" in line:
            m = _TIMING_RE.fullmatch(line)
            if m is None:
                shown = line.strip()[:60]
                raise TranscriptError(path, f"bad cue timing at line {lineno}: '{shown}'")
            if payload and payload[-1].strip().isdigit():
                payload.pop()  # an SRT cue number that lost its blank line
            flush()
            g = m.groups()
            start, end = _seconds(*g[:4]), _seconds(*g[4:])
            payload = []
        elif payload is None:
            continue  # header, NOTE / STYLE / REGION blocks, SRT cue numbers
        elif line:
            # Only a truly empty line ends a cue: YouTube puts a lone " " line in its cues.
            if line.strip():
                payload.append(line)
        else:
            flush()
            payload = None
    flush()
    if not cues:
        raise TranscriptError(path, "no caption cues found")
    return cues


def parse_vtt(text: str, path: str) -> list[Cue]:
    """Cues of a WebVTT file (YouTube's inline <c>/<time> tags, NOTE and STYLE tolerated)."""
    return _parse_cues(text.removeprefix("\ufeff"), path)


def parse_srt(text: str, path: str) -> list[Cue]:
    """Cues of a SubRip (.srt) file."""
    return _parse_cues(text.removeprefix("\ufeff"), path)


def strip_word(word: str) -> str:
    """A caption word without sentence punctuation at its edges (seed `<doc>` style)."""
    return word.strip(EDGE_PUNCT)


_norm_cache: dict[str, str] = {}


def norm_word(word: str) -> str:
    """Case- and punctuation-insensitive key of a word, for comparing caption texts."""
    key = _norm_cache.get(word)
    if key is None:
        lowered = word.lower()
        key = _NON_ALNUM_RE.sub("", lowered) or lowered
        if len(_norm_cache) < 200_000:  # bounded: vocabularies are small, junk input is not
            _norm_cache[word] = key
    return key


def _repeat_length(toks: Sequence[str], i: int, norms: list[str], min_run: int) -> int:
    """Longest k >= min_run with toks[i:i+k] equal to the last k emitted words, else 0."""
    longest = min(len(toks) - i, len(norms), _DEDUP_MAX_RUN)
    if longest < min_run or toks[i] not in norms[-longest:]:
        return 0
    first = toks[i]
    n = len(norms)
    for k in range(longest, min_run - 1, -1):
        if norms[n - k] == first and norms[n - k :] == toks[i : i + k]:
            return k
    return 0


def _drop_rolling_repeats(cues: Iterable[Cue]) -> tuple[list[str], list[str], list[float]]:
    """First pass: words each cue adds beyond what it repeats, with interpolated start times."""
    words: list[str] = []
    norms: list[str] = []
    starts: list[float] = []
    for cue in cues:
        raw = [w for w in (strip_word(t) for t in cue.text.split()) if w]
        toks = [norm_word(w) for w in raw]
        fresh: list[int] = []
        i = 0
        while i < len(toks):
            # A cue starts by repeating the line that ended the previous cue, so there even a
            # one-word repeat is a duplicate; later only runs of 2+ words are (speech does
            # repeat single words: "very very").
            k = _repeat_length(toks, i, norms, 1 if i == 0 else 2)
            if k:
                i += k
                continue
            fresh.append(i)
            norms.append(toks[i])
            words.append(raw[i])
            i += 1
        span = cue.end - cue.start
        for j in range(len(fresh)):
            starts.append(cue.start + span * j / len(fresh))
    return words, norms, starts


def _drop_immediate_repeats(
    words: list[str], norms: list[str], starts: list[float]
) -> tuple[list[str], list[float]]:
    """Second pass: delete any immediate repetition of a 3-20-word run left by the first."""
    out_w: list[str] = []
    out_n: list[str] = []
    out_s: list[float] = []
    for w, key, s in zip(words, norms, starts, strict=True):
        out_w.append(w)
        out_n.append(key)
        out_s.append(s)
        n = len(out_n)
        if n < 2 * _REPEAT_MIN or key not in out_n[-_REPEAT_MAX - 1 : -1]:
            continue
        for run in range(_REPEAT_MIN, min(_REPEAT_MAX, n // 2) + 1):
            if out_n[n - 1 - run] == key and out_n[n - run :] == out_n[n - 2 * run : n - run]:
                del out_w[-run:], out_n[-run:], out_s[-run:]
                break
    return out_w, out_s


def flatten_cues(cues: Sequence[Cue]) -> tuple[list[str], list[float]]:
    """Words of the whole video, rolling duplicates removed, and each word's start second."""
    words, norms, starts = _drop_rolling_repeats(cues)
    return _drop_immediate_repeats(words, norms, starts)


_NOTE_ID_RE = re.compile(r"(?m)^\s*(?:NOTE\s+)?video_id\s*[:=]?\s*([A-Za-z0-9_-]{6,20})\s*$")
_BRACKET_ID_RE = re.compile(r"\[([A-Za-z0-9_-]{6,20})\]$")
_LANG_SUFFIX_RE = re.compile(r"\.[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8})*$")
_BARE_ID_RE = re.compile(r"[A-Za-z0-9_-]{11}")  # a bare file stem must look like a real id


def caption_stem(name: str) -> str:
    """File name without .vtt/.srt and a yt-dlp language tag: 'x [ID].en.vtt' → 'x [ID]'."""
    stem = re.sub(r"\.(?:vtt|srt)$", "", name, flags=re.IGNORECASE)
    return _LANG_SUFFIX_RE.sub("", stem)


def video_id_from_caption(text: str, path: str) -> str | None:
    """Video id from a `NOTE video_id X` block, a `… [ID].en.vtt` name or an `ID.vtt` name."""
    head = text[: text.find("-->")] if "-->" in text else text[:10_000]
    for block in re.split(r"\n[ \t]*\n", head.replace("\r\n", "\n")):
        if block.lstrip().startswith("NOTE"):
            m = _NOTE_ID_RE.search(block)
            if m:
                return m.group(1)
    name = PurePath(path.replace("\\", "/")).name
    full_stem = re.sub(r"\.(?:vtt|srt)$", "", name, flags=re.IGNORECASE)
    for stem in (caption_stem(name), full_stem):
        m = _BRACKET_ID_RE.search(stem)
        if m:
            return m.group(1)
        if _BARE_ID_RE.fullmatch(stem) and is_plausible_video_id(stem):
            return stem
    return None
