"""yt-dlp output: `<name>.info.json` (metadata) beside `<name>[.<lang>].vtt|.srt` (captions).

Pure: bytes in, Transcript out. Finding and reading the files is `store.sources.reading`.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PurePath

from store.errors import TranscriptError
from store.records import Transcript
from store.sources.captions import CAPTION_SUFFIXES, flatten_cues, read_caption_bytes
from store.sources.seed import decode_text, is_plausible_video_id, iso_date

INFO_SUFFIX = ".info.json"
_LANG_RE = re.compile(r"[a-z]{2,3}(?:[-_][a-z0-9]{1,8})*")  # en, en-GB, en-orig, pt-BR


def info_json_stem(path: PurePath) -> str:
    """'<name>' of '<name>.info.json'."""
    return path.name[: -len(INFO_SUFFIX)] if path.name.endswith(INFO_SUFFIX) else path.stem


DEFAULT_LANGUAGES = ("en",)


def caption_language(name: str) -> str:
    """The language tag of a caption file name: 'x [ID].en-orig.vtt' → 'en-orig', else ''."""
    stem = re.sub(r"\.(?:vtt|srt)$", "", name, flags=re.IGNORECASE)
    head, dot, tag = stem.rpartition(".")
    return tag if dot and head and _LANG_RE.fullmatch(tag.lower()) else ""


def track_rank(
    path: PurePath, languages: Sequence[str] = DEFAULT_LANGUAGES
) -> tuple[int, int, str]:
    """Preference of a caption track (lower is better): the languages in order (exact tag, then
    a regional or '-orig' variant), an untagged track right after the first language, then
    the rest; .vtt before .srt (YouTube's .vtt has the word timings)."""
    lang = caption_language(path.name).lower()
    srt = int(path.suffix.lower() == ".srt")
    for i, want in enumerate(w.lower() for w in languages):
        if lang == want:
            return (4 * i + srt, 0, path.name)
        if lang.startswith(want + "-") or lang.startswith(want + "_"):
            return (4 * i + 2 + srt, 0, path.name)
    if not lang:
        return (2 + srt, 1, path.name)
    return (4 * len(languages), srt, path.name)


def is_beside(stem: str, name: str) -> bool:
    """True when caption file `name` belongs to the info.json named `<stem>.info.json`."""
    lower = name.lower()
    if not name.startswith(stem + ".") or not lower.endswith(CAPTION_SUFFIXES):
        return False
    middle = lower[len(stem) + 1 : -4]  # language tag between the stem and the extension
    return not middle or _LANG_RE.fullmatch(middle) is not None


def _published(info: dict[str, object], path: str) -> str:
    """Upload day as YYYY-MM-DD from upload_date, release_date, timestamp or release_timestamp
    (a finished live stream has only the last); '' when the info.json has none."""
    for key in ("upload_date", "release_date"):
        value = info.get(key)
        if isinstance(value, str) and value:
            return iso_date(value, path, key)
    for key in ("timestamp", "release_timestamp"):
        stamp = info.get(key)
        if isinstance(stamp, int | float) and not isinstance(stamp, bool):
            try:
                return dt.datetime.fromtimestamp(stamp, tz=dt.UTC).date().isoformat()
            except (OverflowError, OSError, ValueError):
                continue
    return ""


def _text_field(info: dict[str, object], *keys: str) -> str:
    """First non-empty string among `keys`, whitespace collapsed."""
    for key in keys:
        value = info.get(key)
        if isinstance(value, str) and value.strip():
            return " ".join(value.split())
    return ""


def page_url(info: dict[str, object], path: str) -> str:
    """The video's page: `webpage_url` (or `original_url`); '' for YouTube without one (the
    link is built from the id). Another site without a page url raises: its id means nothing
    on YouTube."""
    url = _text_field(info, "webpage_url", "original_url")
    if url:
        # yt-dlp's data smuggled into a feed item's link (from its <guid>) is not part of it.
        return url.split("#__youtubedl_smuggle", 1)[0]
    extractor = _text_field(info, "extractor_key", "extractor", "ie_key").lower()
    if extractor in ("", "youtube"):
        return ""
    raise TranscriptError(path, f"no webpage_url for a video from {extractor} (its link)")


def parse_info(info_bytes: bytes, path: str) -> dict[str, object]:
    """An info.json's bytes as a dict; bad or non-video JSON raises TranscriptError."""
    try:
        info = json.loads(decode_text(info_bytes, path))
    except json.JSONDecodeError as exc:
        raise TranscriptError(path, f"bad JSON ({exc.msg} at line {exc.lineno})") from None
    except RecursionError:
        raise TranscriptError(path, "bad JSON (nested too deeply)") from None
    if not isinstance(info, dict):
        raise TranscriptError(path, "info.json is not a JSON object")
    if info.get("_type") not in (None, "video"):
        raise TranscriptError(path, f"info.json describes a {info.get('_type')}, not a video")
    return info


@dataclass(frozen=True)
class InfoFields:
    """What an info.json says of its video, checked."""

    video_id: str
    published: str  # YYYY-MM-DD, '' when unknown
    url: str  # the page, '' for YouTube (built from the id)


def info_fields(info: dict[str, object], path: str) -> InfoFields:
    """The video id, upload day and page of an info.json; a bad one raises TranscriptError."""
    video_id = info.get("id")
    if not isinstance(video_id, str) or not is_plausible_video_id(video_id):
        raise TranscriptError(path, f"implausible video id {video_id!r}")
    return InfoFields(video_id, _published(info, path), page_url(info, path))


@dataclass(frozen=True)
class YtdlpParse:
    """A yt-dlp download's transcript and the caption parser's warnings."""

    transcript: Transcript
    warnings: tuple[str, ...]


def parse_download(
    info: dict[str, object], info_json_path: PurePath, caption_bytes: bytes, captions: PurePath
) -> YtdlpParse:
    """Transcript of a download: metadata from its info.json, words from its caption file."""
    path = str(info_json_path)
    fields = info_fields(info, path)
    parsed = read_caption_bytes(caption_bytes, captions)
    words, starts = flatten_cues(parsed.cues)
    if not words:
        raise TranscriptError(str(captions), "captions contain no words")
    transcript = Transcript(
        video_id=fields.video_id,
        title=_text_field(info, "title", "fulltitle") or info_json_stem(info_json_path),
        # A feed read by the generic extractor names only itself: the feed's title.
        channel=_text_field(info, "channel", "uploader", "playlist_title") or "Unknown",
        published=fields.published,
        words=tuple(words),
        word_starts=tuple(starts),
        source=path,
        thumbnail=_text_field(info, "thumbnail"),
        url=fields.url,
    )
    return YtdlpParse(transcript, parsed.warnings)
