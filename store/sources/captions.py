"""WebVTT / SRT caption files: cues, and the flat word list of a whole video with word times."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import PurePath

from pysubs2.time import timestamp_to_ms

from store.errors import TranscriptError
from store.sources.markup import strip_markup
from store.sources.seed import decode_guessing, is_plausible_video_id
from store.text import norm_word, strip_word


@dataclass(frozen=True)
class Cue:
    """One caption cue: seconds from the start of the video and its cleaned text."""

    start: float
    end: float
    text: str


CAPTION_SUFFIXES = (".vtt", ".srt")  # caption files, told apart from transcripts by name


@dataclass(frozen=True)
class Captions:
    """The cues of one caption file, sorted by start, and what was wrong but did not stop it."""

    cues: tuple[Cue, ...]
    warnings: tuple[str, ...] = ()


# A time as players read it: hours of any length (WebVTT allows more than two digits), or
# WebVTT's short mm:ss.mmm form; a fraction of 1-3 digits (',04' is 40 ms). Hand-made SRT
# may leave one time's fraction out ('00:01:39 --> 00:01:41,04'); a line with no fraction
# at all is no SRT timing (pysrt and ffmpeg refuse it), nor is any time without one in
# WebVTT. What follows a time may be glued to it (WebVTT reads '00:01.000line:40%' as the
# time and a setting), but never a further digit or separator. A leading '-' is a negative
# time (clamped to 0).
_END = r"(?![\d.,])"
_TS = rf"\d+:\d{{1,2}}:\d{{1,2}}[.,]\d{{1,3}}{_END}"
_SRT_TS = rf"\d+:\d{{1,2}}:\d{{1,2}}(?:[.,]\d{{1,3}})?{_END}"
_SHORT_TS = rf"\d{{1,2}}:\d{{2}}[.,]\d{{1,3}}{_END}"
_ARROW = r"\s*(?:-+>|→)\s*"
_TIMING_RE = {
    srt: re.compile(rf"\s*(-?)\s*({ts}|{_SHORT_TS}){_ARROW}(-?)\s*({ts}|{_SHORT_TS}).*")
    for srt, ts in ((False, _TS), (True, _SRT_TS))
}
_TIME_PARTS_RE = re.compile(r"[:.,]")
_FRACTION_RE = re.compile(r"[.,]")
SRT_TIMING_RE = re.compile(r"^\s*\d+:\d{2}:\d{2}(?:[,.]\d{1,3})?\s*-->", re.MULTILINE)
_TIME_IN_TEXT_RE = re.compile(r"-?\d{1,2}:\d{1,2}:\d{1,2}[.,]\d{1,3}")  # junk in cue text
_LOOKS_TIMED_RE = re.compile(r"\s*-?\s*\d")  # where a timing line was meant, not text
_WORD_TIME_RE = re.compile(r"<[ \t]*\d+(?::\d{2}){1,2}[.,]\d{1,3}[ \t]*>")  # <00:00:01.000>
_HEADER_RE = re.compile(r"(?:WEBVTT|X-TIMESTAMP-MAP=)(?:\s|$)")  # stray headers of `cat`-joins
_VTT_BLOCK_RE = re.compile(r"(?:NOTE|STYLE|REGION)(?:\s|$)")
_NONSPEECH_RE = re.compile(r"\[[^\[\]\n]*\]|[♪♫]+|-->")  # [music], [applause], ♪
# YouTube's speaker-change mark; glued to a word ('down>>') it is text, not a mark.
_SPEAKER_RE = re.compile(r"(?<!\S)(?:>>+|»)")

_DEDUP_MAX_RUN = 60  # longest repeated line we look for (a cue is ~10-20 words)
_REPEAT_MIN, _REPEAT_MAX = 3, 20  # second pass: immediate repeats of 3-20-word runs
_ROLL_MIN = 3  # a cue "rolls" when it opens with at least this many words of the previous one


def clean_cue_text(text: str, vtt: bool = True) -> str:
    """Drop the format's markup (see `strip_markup`), speaker marks and [non-speech] tags from a
    cue payload; unescape entities."""
    lines = []
    for line in strip_markup(text, vtt).split("\n"):
        line = html.unescape(line)
        line = _NONSPEECH_RE.sub(" ", _SPEAKER_RE.sub(" ", line))
        lines.append(" ".join(line.split()))
    return "\n".join(line for line in lines if line)


@dataclass
class _RawCue:
    start: float  # seconds, clamped to 0
    end: float
    payload: list[str]


def _seconds(stamp: str) -> float:
    """Seconds of a time `_TIMING_RE` matched: [h:]mm:ss[.fff] (fraction scaled by pysubs2)."""
    parts = _TIME_PARTS_RE.split(stamp)
    return timestamp_to_ms(parts if stamp.count(":") == 2 else ["0", *parts]) / 1000


def _timing_line(line: str, vtt: bool) -> tuple[float, float] | None:
    """(start, end) seconds of a timing line (negative times clamped to 0), or None."""
    m = _TIMING_RE[not vtt].fullmatch(line)
    if m is None or not _FRACTION_RE.search(m.group(2) + " " + m.group(4)):
        return None
    start = 0.0 if m.group(1) else _seconds(m.group(2))
    end = 0.0 if m.group(3) else _seconds(m.group(4))
    return start, max(start, end)


def _cue_number(line: str) -> int | None:
    """The number of a line that is ASCII digits alone (a cue number), else None."""
    line = line.strip()
    return int(line) if line.isdecimal() and line.isascii() else None


def _cue_blocks(text: str, path: str, vtt: bool) -> tuple[list[_RawCue], list[str]]:
    """Cues as (times, payload lines), with headers, NOTE/STYLE/REGION blocks and cue ids
    dropped wherever they occur; a broken timing line's words go with the previous cue. A
    block opening with the next cue number (SRT's, or a WebVTT id of digits) and no timing
    line is a cue whose timing line is missing: its number is dropped, its words go with the
    previous cue."""
    cues: list[_RawCue] = []
    warnings: list[str] = []
    after_blank = True  # the previous line was empty (or this is the file's start)
    in_block = False  # inside a header / NOTE / STYLE / REGION block: skipped to a blank line
    id_line = False  # the previous line was text right after an empty line: maybe a cue id
    after_text = False  # the previous line was cue text (a cue number sits right before timing)
    number: int | None = None  # the last cue number (or WebVTT id of digits) seen
    last_text = ""  # the line before, when it was text (kept or, before any cue, not)
    numbered_at = 0  # line of a block-opening next cue number, not yet followed by timing

    def drop_number() -> None:
        """The line at `numbered_at` was a cue number with no timing line after it."""
        nonlocal number, numbered_at
        cues[-1].payload.pop()
        number = (number or 0) + 1
        warnings.append(
            f"{path} line {numbered_at}: cue {number} has no timing line; its words are read"
            " with the previous cue"
        )
        numbered_at = 0

    for lineno, raw in enumerate(text.splitlines(), 1):
        line = _WORD_TIME_RE.sub("", raw) if "<" in raw else raw
        stripped = line.strip()
        if not raw:
            if numbered_at:
                drop_number()
            after_blank, in_block, id_line, after_text = True, False, False, False
            last_text = ""
            continue
        if not stripped:
            continue  # YouTube's lone " " line inside a cue: not a cue boundary
        if in_block and "-->" not in line:
            continue
        in_block = False
        timing = _timing_line(line, vtt) if ">" in line or "→" in line else None
        if numbered_at and timing is None and not ("-->" in line and _LOOKS_TIMED_RE.match(line)):
            drop_number()
            after_text = False
        if "-->" not in line and (
            _HEADER_RE.match(stripped) or (vtt and after_blank and _VTT_BLOCK_RE.match(stripped))
        ):
            in_block, after_blank, id_line, after_text = True, False, False, False
            last_text = ""
            continue
        previous_text = cues[-1].payload[-1].strip() if after_text and cues[-1].payload else ""
        if timing is not None:
            # A cue number (SRT) or a cue identifier (WebVTT) before the timing line.
            if previous_text and (id_line or previous_text.isdigit()) and (
                vtt or previous_text.isdigit()
            ):
                cues[-1].payload.pop()
            if (n := _cue_number(last_text)) is not None:
                number = n
            numbered_at, last_text = 0, ""
            cues.append(_RawCue(*timing, []))
            after_blank = id_line = after_text = False
            continue
        shown = stripped if len(stripped) <= 60 else stripped[:60] + "…"
        if "-->" in line:
            if _LOOKS_TIMED_RE.match(line):  # a timing line that cannot be read
                fate = "its words are read with the previous cue" if cues else "cue skipped"
                warnings.append(f"{path} line {lineno}: unreadable cue timing '{shown}'; {fate}")
                if previous_text.isdigit():
                    cues[-1].payload.pop()  # the broken cue's number
                if (n := _cue_number(last_text)) is not None:
                    number = n
                numbered_at, last_text = 0, ""
                after_blank = id_line = after_text = False
                continue
            warnings.append(f"{path} line {lineno}: '-->' inside cue text '{shown}'")
        if ":" in line and _TIME_IN_TEXT_RE.search(line):
            warnings.append(f"{path} line {lineno}: a time inside cue text '{shown}' was dropped")
            line = _TIME_IN_TEXT_RE.sub(" ", line)
        if cues:
            cues[-1].payload.append(line)
            if after_blank and number is not None and _cue_number(stripped) == number + 1:
                numbered_at = lineno  # the next cue's number, if no speech follows it
        id_line = after_blank and bool(cues)
        after_blank, after_text, last_text = False, bool(cues), stripped
    if numbered_at:
        drop_number()
    return cues, warnings


def read_captions(text: str, path: str, vtt: bool) -> Captions:
    """Cues of a WebVTT (`vtt`) or SubRip file. What the file's structure means (blocks, ids,
    broken cues) is decided here, so that nothing spoken is dropped. Raises TranscriptError
    only when the file holds no cue at all."""
    text = text.removeprefix("\ufeff")
    blocks, warnings = _cue_blocks(text, path, vtt)
    if not blocks:
        raise TranscriptError(path, "no caption cues found")
    cues = [
        Cue(b.start, b.end, clean_cue_text("\n".join(p.strip() for p in b.payload).strip(), vtt))
        for b in blocks
    ]
    cues.sort(key=lambda c: c.start)  # stable: cues that start together keep their order
    return Captions(tuple(cues), tuple(warnings))


def read_caption_bytes(data: bytes, path: PurePath) -> Captions:
    """Cues of a caption file's bytes: SubRip when named .srt (or, under another name than
    .vtt, when it has SRT timings and no WEBVTT header), else WebVTT. A guessed (non-UTF-8)
    text encoding is noted first among the warnings."""
    text, guessed = decode_guessing(data, str(path))
    suffix = path.suffix.lower()
    srt = suffix == ".srt" or (
        suffix != ".vtt"
        and not text.lstrip().startswith("WEBVTT")
        and SRT_TIMING_RE.search(text) is not None
    )
    captions = read_captions(text, str(path), vtt=not srt)
    if guessed is None:
        return captions
    note = f"{path}: not UTF-8; read as {guessed} (detected by charset-normalizer)"
    return Captions(captions.cues, (note, *captions.warnings))


def parse_vtt(text: str, path: str) -> list[Cue]:
    """Cues of a WebVTT file (YouTube's inline <c>/<time> tags, NOTE and STYLE tolerated)."""
    return list(read_captions(text, path, vtt=True).cues)


def parse_srt(text: str, path: str) -> list[Cue]:
    """Cues of a SubRip (.srt) file."""
    return list(read_captions(text, path, vtt=False).cues)


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


def _cue_words(cues: Iterable[Cue]) -> list[tuple[Cue, list[str], list[str]]]:
    """Each cue with its words (edge punctuation stripped) and their comparison keys."""
    out = []
    for cue in cues:
        raw = [w for w in (strip_word(t) for t in cue.text.split()) if w]
        out.append((cue, raw, [norm_word(w) for w in raw]))
    return out


def _opening_repeat(prev: Sequence[str], cur: Sequence[str]) -> int:
    """Longest k with cur[:k] == prev[-k:]: how much of the cue before a cue opens with."""
    for k in range(min(len(prev), len(cur), _DEDUP_MAX_RUN), 0, -1):
        if cur[k - 1] == prev[-1] and cur[:k] == prev[-k:]:
            return k
    return 0


def is_rolling(keyed: Sequence[Sequence[str]]) -> bool:
    """True for YouTube's rolling auto-captions: most cues (at least two) open by repeating
    the last _ROLL_MIN or more words of the cue before. Ordinary captions never do that, so
    their repeated words are speech, never removed."""
    pairs = rolled = 0
    prev: Sequence[str] | None = None
    for toks in keyed:
        if not toks:
            continue
        if prev is not None:
            pairs += 1
            rolled += _opening_repeat(prev, toks) >= _ROLL_MIN
        prev = toks
    return rolled >= 2 and 2 * rolled >= pairs


def _drop_rolling_repeats(
    cues: Sequence[tuple[Cue, list[str], list[str]]], rolling: bool
) -> tuple[list[str], list[str], list[float]]:
    """First pass: words each cue adds beyond what it repeats (nothing is a repeat unless the
    captions roll), with start times interpolated across the cue."""
    words: list[str] = []
    norms: list[str] = []
    starts: list[float] = []
    for cue, raw, toks in cues:
        fresh: list[int] = []
        i = 0
        while i < len(toks):
            # A cue starts by repeating the line that ended the previous cue, so there even a
            # one-word repeat is a duplicate; later only runs of 2+ words are (speech does
            # repeat single words: "very very").
            k = _repeat_length(toks, i, norms, 1 if i == 0 else 2) if rolling else 0
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


def flatten_cues(
    cues: Sequence[Cue], rolling: bool | None = None
) -> tuple[list[str], list[float]]:
    """Words of the whole video and each word's start second. Rolling captions (detected by
    `is_rolling` unless `rolling` says) lose their repeated lines; other captions keep every
    word, repeats included."""
    keyed = _cue_words(cues)
    if rolling is None:
        rolling = is_rolling([toks for _, _, toks in keyed])
    words, norms, starts = _drop_rolling_repeats(keyed, rolling)
    if not rolling:
        return words, starts
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
