"""The seed transcript format: five tags (<video_id>, <video_title>, <thumbnail_path>,
<publish_date>, <doc>) around one line of caption words. Also the small text helpers the
other parsers share (size limit, strict UTF-8 decoding, video id and date checks)."""

from __future__ import annotations

import datetime as dt
import re

import charset_normalizer

from store.errors import TranscriptError
from store.records import Transcript

MAX_TRANSCRIPT_BYTES = 20 * 1024 * 1024  # 20 MiB: ~3M words, far beyond any real video

SEED_TAGS = ("video_id", "video_title", "thumbnail_path", "publish_date", "doc")

# Channel codes seen (or expected) as the first part of a seed thumbnail_path.
CHANNEL_CODES: dict[str, str] = {
    "en_dw": "DW News",
    "en_bbc": "BBC News",
    "en_alj": "Al Jazeera English",
    "en_aje": "Al Jazeera English",
    "en_f24": "France 24",
    "en_sky": "Sky News",
    "en_cnn": "CNN",
    "en_nbc": "NBC News",
    "en_abc": "ABC News",
    "en_cbs": "CBS News",
    "en_fox": "Fox News",
    "en_pbs": "PBS NewsHour",
    "en_cbc": "CBC News",
    "en_reu": "Reuters",
    "en_ap": "Associated Press",
    "en_trt": "TRT World",
    "en_wion": "WION",
    "en_cna": "CNA",
    "en_nhk": "NHK WORLD-JAPAN",
    "en_euronews": "euronews",
    "en_gdn": "The Guardian",
}

_VIDEO_ID_RE = re.compile(r"[A-Za-z0-9_-]{6,20}")
_DATE_RE = re.compile(r"\d{8}")


def is_plausible_video_id(video_id: str) -> bool:
    """True for a string shaped like a YouTube id (letters, digits, '-', '_'; 6–20 chars)."""
    return _VIDEO_ID_RE.fullmatch(video_id) is not None


def check_size(n_bytes: int, path: str) -> None:
    """Raise TranscriptError when a file of `n_bytes` exceeds MAX_TRANSCRIPT_BYTES."""
    if n_bytes > MAX_TRANSCRIPT_BYTES:
        raise TranscriptError(
            path, f"file too large ({n_bytes} bytes; limit {MAX_TRANSCRIPT_BYTES} bytes)"
        )


# Control characters (C0 but tab, line feed, vertical tab, form feed and carriage return):
# text files may hold a stray one (a NUL inside a caption's text is read past by players),
# binary data is full of them.
_CONTROL_RE = re.compile(r"[\x00-\x08\x0e-\x1f]")
_MAX_CONTROL_SHARE = 0.05  # random bytes hold ~11%, zero-filled or UTF-16 data 50-100%


def looks_binary(text: str) -> bool:
    """True when more than 5% of the characters of decoded `text` are control characters."""
    return len(_CONTROL_RE.findall(text)) > _MAX_CONTROL_SHARE * len(text)


def decode_text(data: bytes, path: str, nul: str | None = None) -> str:
    """Decode strict UTF-8 (a leading BOM is dropped); binary or other encodings raise. A NUL
    raises too, unless `nul` is given: then NULs of text are replaced by it."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        bad = data[exc.start]
        raise TranscriptError(
            path, f"not UTF-8 text (byte 0x{bad:02x} at offset {exc.start})"
        ) from None
    at = data.find(b"\x00")
    if at >= 0:
        # Valid UTF-8 can still be binary (e.g. a zero-filled file).
        if nul is None or looks_binary(text):
            raise TranscriptError(path, f"binary data (NUL byte at offset {at})")
        text = text.replace("\x00", nul)
    return text.removeprefix("\ufeff")


def decode_guessing(data: bytes, path: str) -> tuple[str, str | None]:
    """Text of caption bytes: UTF-8 (a BOM dropped), else the encoding charset-normalizer finds,
    Windows-1252 preferred among equally good guesses (it is what subtitle editors write).
    A stray NUL is kept (the caption parser reads it). Returns (text, the guessed encoding or
    None for UTF-8); binary data (see `looks_binary`) raises TranscriptError."""
    try:
        text, guessed = data.decode("utf-8"), None
    except UnicodeDecodeError:
        matches = charset_normalizer.from_bytes(data)
        best = matches.best()
        if best is None:
            raise TranscriptError(path, "not text (no character encoding fits it)") from None
        for m in matches:
            # Short Western text fits cp1250 and cp1252 equally; cp1250 would turn ñ into ń.
            if m.encoding == "cp1252" and m.chaos <= best.chaos and m.coherence >= best.coherence:
                best = m
        text, guessed = str(best), best.encoding
    nul = text.find("\x00")
    if nul >= 0 and looks_binary(text):
        raise TranscriptError(path, f"binary data (NUL character at offset {nul})")
    return text.removeprefix("\ufeff"), guessed


def iso_date(yyyymmdd: str, path: str, field: str = "publish_date") -> str:
    """Turn a valid YYYYMMDD into YYYY-MM-DD; anything else raises TranscriptError."""
    value = yyyymmdd.strip()
    if _DATE_RE.fullmatch(value):
        try:
            return dt.date(int(value[:4]), int(value[4:6]), int(value[6:])).isoformat()
        except ValueError:
            pass
    shown = value if len(value) <= 40 else value[:40] + "…"
    raise TranscriptError(path, f"bad {field} '{shown}'")


def channel_from(thumbnail_path: str, title: str) -> str:
    """Channel from the thumbnail's code (en_DW → DW News), else the title's '| X' suffix."""
    code = re.split(r"[\\/]", thumbnail_path.strip(), maxsplit=1)[0].strip()
    if "\\" in thumbnail_path or "/" in thumbnail_path:
        known = CHANNEL_CODES.get(code.lower())
        if known:
            return known
    head, sep, tail = title.rpartition("|")
    if sep and head.strip() and tail.strip():
        return tail.strip()
    return "Unknown"


def _tag_content(text: str, tag: str, path: str) -> str:
    """The text between <tag> and </tag>; missing, doubled or unclosed tags raise."""
    opening, closing = f"<{tag}>", f"</{tag}>"
    n_open = text.count(opening)
    if n_open == 0:
        raise TranscriptError(path, f"missing <{tag}> tag")
    if n_open > 1 or text.count(closing) > 1:
        raise TranscriptError(path, f"duplicated <{tag}> tag")
    start = text.index(opening) + len(opening)
    end = text.find(closing, start)
    if end < 0:
        raise TranscriptError(path, f"unterminated <{tag}> tag")
    return text[start:end]


def parse_seed(data: bytes, path: str) -> Transcript:
    """Parse one seed-format transcript file strictly; any defect raises TranscriptError."""
    check_size(len(data), path)
    if not data.strip():
        raise TranscriptError(path, "empty file")
    text = decode_text(data, path, nul="")  # a stray NUL in text is read past
    fields = {tag: _tag_content(text, tag, path) for tag in SEED_TAGS}

    video_id = fields["video_id"].strip()
    if not is_plausible_video_id(video_id):
        shown = video_id if len(video_id) <= 40 else video_id[:40] + "…"
        raise TranscriptError(path, f"implausible video id '{shown}'")
    title = " ".join(fields["video_title"].split())
    if not title:
        raise TranscriptError(path, "empty <video_title>")
    published = iso_date(fields["publish_date"], path)
    words = tuple(fields["doc"].split())
    if not words:
        raise TranscriptError(path, "empty <doc>")
    thumbnail = fields["thumbnail_path"].strip()
    return Transcript(
        video_id=video_id,
        title=title,
        channel=channel_from(thumbnail, title),
        published=published,
        words=words,
        word_starts=None,
        source=path,
        thumbnail=thumbnail,
    )
