"""yt-dlp output: `<name>.info.json` (metadata) beside `<name>[.<lang>].vtt|.srt` (captions)."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from store.errors import TranscriptError
from store.models import Transcript
from store.parsing.captions import CAPTION_SUFFIXES, flatten_cues, read_caption_bytes
from store.parsing.seed import decode_text, is_plausible_video_id, iso_date, read_checked

INFO_SUFFIX = ".info.json"
_LANG_RE = re.compile(r"[a-z]{2,3}(?:[-_][a-z0-9]{1,8})*")  # en, en-GB, en-orig, pt-BR


def info_json_stem(path: Path) -> str:
    """'<name>' of '<name>.info.json'."""
    return path.name[: -len(INFO_SUFFIX)] if path.name.endswith(INFO_SUFFIX) else path.stem


DEFAULT_LANGUAGES = ("en",)


def caption_language(name: str) -> str:
    """The language tag of a caption file name: 'x [ID].en-orig.vtt' → 'en-orig', else ''."""
    stem = re.sub(r"\.(?:vtt|srt)$", "", name, flags=re.IGNORECASE)
    head, dot, tag = stem.rpartition(".")
    return tag if dot and head and _LANG_RE.fullmatch(tag.lower()) else ""


def track_rank(path: Path, languages: Sequence[str] = DEFAULT_LANGUAGES) -> tuple[int, int, str]:
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


def _beside(stem: str, name: str) -> bool:
    """True when caption file `name` belongs to the info.json named `<stem>.info.json`."""
    lower = name.lower()
    if not name.startswith(stem + ".") or not lower.endswith(CAPTION_SUFFIXES):
        return False
    middle = lower[len(stem) + 1 : -4]  # language tag between the stem and the extension
    return not middle or _LANG_RE.fullmatch(middle) is not None


def captions_beside(
    info_json_path: Path, languages: Sequence[str] = DEFAULT_LANGUAGES
) -> list[Path]:
    """Caption files yt-dlp wrote next to an info.json, best first (see `track_rank`)."""
    stem = info_json_stem(info_json_path)
    folder = info_json_path.parent
    try:
        names = [p.name for p in folder.iterdir() if p.is_file()]
    except OSError:
        return []
    # Plain string matching: yt-dlp names hold '[ID]', which glob would read as a pattern.
    found = [folder / n for n in names if _beside(stem, n)]
    return sorted(found, key=lambda p: track_rank(p, languages))


def requested_captions(info: dict[str, object], info_json_path: Path) -> list[Path]:
    """Caption files an info.json names (`requested_subtitles[lang].filepath`, as written by
    `-P subtitle:DIR`) that exist: where it says, else under the info.json's folder."""
    requested = info.get("requested_subtitles")
    if not isinstance(requested, dict):
        return []
    out: list[Path] = []
    for track in requested.values():
        where = track.get("filepath") if isinstance(track, dict) else None
        if not isinstance(where, str) or not where.lower().endswith(CAPTION_SUFFIXES):
            continue
        given = Path(where)
        if not given.is_absolute():
            given = info_json_path.parent / given
        for candidate in (given, info_json_path.parent / given.name):
            if candidate.is_file():
                out.append(candidate)
                break
    return out


def read_info(info_json_path: Path) -> tuple[dict[str, object], bytes]:
    """The info.json as a dict and its bytes; unreadable or non-video JSON raises."""
    path = str(info_json_path)
    info_bytes = read_checked(info_json_path)
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
    return info, info_bytes


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
        return url
    extractor = _text_field(info, "extractor_key", "extractor", "ie_key").lower()
    if extractor in ("", "youtube"):
        return ""
    raise TranscriptError(path, f"no webpage_url for a video from {extractor} (its link)")


def parse_ytdlp(info_json_path: Path) -> Transcript:
    """Transcript of a yt-dlp download: metadata from the info.json, words from its captions."""
    return load_ytdlp(info_json_path).transcript


@dataclass(frozen=True)
class YtdlpLoad:
    """A yt-dlp download as loaded: transcript, bytes read, caption file used, warnings."""

    transcript: Transcript
    parts: tuple[bytes, ...]  # info.json bytes, then the caption file's
    captions: Path
    warnings: tuple[str, ...]


def load_ytdlp(
    info_json_path: Path,
    languages: Sequence[str] = DEFAULT_LANGUAGES,
    captions: Sequence[Path] | None = None,
) -> YtdlpLoad:
    """Like parse_ytdlp, with what ingest needs besides. `captions`: candidate caption files,
    best first (default: those beside it and those its `requested_subtitles` name)."""
    path = str(info_json_path)
    info, info_bytes = read_info(info_json_path)
    video_id = info.get("id")
    if not isinstance(video_id, str) or not is_plausible_video_id(video_id):
        raise TranscriptError(path, f"implausible video id {video_id!r}")
    published = _published(info, path)
    url = page_url(info, path)
    if captions is None:
        found = captions_beside(info_json_path) + requested_captions(info, info_json_path)
        captions = sorted(dict.fromkeys(found), key=lambda p: track_rank(p, languages))
    if not captions:
        stem = info_json_stem(info_json_path)
        raise TranscriptError(path, f"no caption file found ({stem}.en.vtt, .vtt or .srt)")
    caption_bytes = read_checked(captions[0])
    parsed = read_caption_bytes(caption_bytes, captions[0])
    words, starts = flatten_cues(parsed.cues)
    if not words:
        raise TranscriptError(str(captions[0]), "captions contain no words")
    transcript = Transcript(
        video_id=video_id,
        title=_text_field(info, "title", "fulltitle") or info_json_stem(info_json_path),
        channel=_text_field(info, "channel", "uploader") or "Unknown",
        published=published,
        words=tuple(words),
        word_starts=tuple(starts),
        source=path,
        thumbnail=_text_field(info, "thumbnail"),
        url=url,
    )
    return YtdlpLoad(transcript, (info_bytes, caption_bytes), captions[0], parsed.warnings)
