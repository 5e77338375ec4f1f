"""yt-dlp output: `<name>.info.json` (metadata) beside `<name>[.<lang>].vtt|.srt` (captions)."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

from store.errors import TranscriptError
from store.models import Transcript
from store.parsing.captions import Cue, flatten_cues, parse_srt, parse_vtt
from store.parsing.seed import decode_text, is_plausible_video_id, iso_date, read_checked

INFO_SUFFIX = ".info.json"
CAPTION_SUFFIXES = (".vtt", ".srt")
_LANG_RE = re.compile(r"[a-z]{2,3}(?:[-_][a-z0-9]{1,8})*")  # en, en-GB, en-orig, pt-BR


def info_json_stem(path: Path) -> str:
    """'<name>' of '<name>.info.json'."""
    return path.name[: -len(INFO_SUFFIX)] if path.name.endswith(INFO_SUFFIX) else path.stem


def _caption_rank(stem: str, name: str) -> tuple[int, str] | None:
    """Preference of caption file `name` for info.json stem `stem` (lower is better), or None."""
    lower = name.lower()
    if not name.startswith(stem + ".") or not lower.endswith(CAPTION_SUFFIXES):
        return None
    middle = lower[len(stem) + 1 : -4]  # language tag between the stem and the extension
    if middle and not _LANG_RE.fullmatch(middle):
        return None  # another file that merely starts with the same name
    vtt = 0 if lower.endswith(".vtt") else 1
    if middle == "en":
        return (0 + vtt, name)
    if middle == "":
        return (2 + vtt, name)
    if middle.startswith("en"):  # en-GB, en-orig …
        return (4 + vtt, name)
    return (6 + vtt, name)


def captions_beside(info_json_path: Path) -> list[Path]:
    """Caption files yt-dlp wrote next to an info.json, best first (English, .vtt preferred)."""
    stem = info_json_stem(info_json_path)
    folder = info_json_path.parent
    try:
        names = [p.name for p in folder.iterdir() if p.is_file()]
    except OSError:
        return []
    # Plain string matching: yt-dlp names hold '[ID]', which glob would read as a pattern.
    ranked = sorted(r for n in names if (r := _caption_rank(stem, n)) is not None)
    return [folder / name for _, name in ranked]


def parse_caption_bytes(data: bytes, path: Path) -> list[Cue]:
    """Cues of the bytes of a .vtt or .srt file (the format follows the file name)."""
    text = decode_text(data, str(path))
    if path.suffix.lower() == ".srt":
        return parse_srt(text, str(path))
    return parse_vtt(text, str(path))


def _published(info: dict[str, object], path: str) -> str:
    """Upload day as YYYY-MM-DD from upload_date, release_date or a POSIX timestamp."""
    for key in ("upload_date", "release_date"):
        value = info.get(key)
        if isinstance(value, str) and value:
            return iso_date(value, path, key)
    stamp = info.get("timestamp")
    if isinstance(stamp, int | float) and not isinstance(stamp, bool):
        try:
            return dt.datetime.fromtimestamp(stamp, tz=dt.UTC).date().isoformat()
        except (OverflowError, OSError, ValueError):
            pass
    raise TranscriptError(path, "info.json has no upload_date")


def _text_field(info: dict[str, object], *keys: str) -> str:
    """First non-empty string among `keys`, whitespace collapsed."""
    for key in keys:
        value = info.get(key)
        if isinstance(value, str) and value.strip():
            return " ".join(value.split())
    return ""


def parse_ytdlp(info_json_path: Path) -> Transcript:
    """Transcript of a yt-dlp download: metadata from the info.json, words from its captions."""
    return load_ytdlp(info_json_path)[0]


def load_ytdlp(info_json_path: Path) -> tuple[Transcript, tuple[bytes, ...]]:
    """Like parse_ytdlp, also returning the bytes read (info.json, captions) for hashing."""
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
    video_id = info.get("id")
    if not isinstance(video_id, str) or not is_plausible_video_id(video_id):
        raise TranscriptError(path, f"implausible video id {video_id!r}")
    published = _published(info, path)

    captions = captions_beside(info_json_path)
    if not captions:
        stem = info_json_stem(info_json_path)
        raise TranscriptError(path, f"no caption file beside it ({stem}.en.vtt, .vtt or .srt)")
    caption_bytes = read_checked(captions[0])
    cues = parse_caption_bytes(caption_bytes, captions[0])
    words, starts = flatten_cues(cues)
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
    )
    return transcript, (info_bytes, caption_bytes)
