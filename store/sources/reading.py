"""Reading transcript files from disk for the pure parsers: size-checked reads, and a yt-dlp
download's info.json and caption files found and read. Parsing itself is `store.sources`."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from store.errors import TranscriptError
from store.records import Transcript
from store.sources.captions import CAPTION_SUFFIXES
from store.sources.seed import MAX_TRANSCRIPT_BYTES, check_size
from store.sources.ytdlp import (
    DEFAULT_LANGUAGES,
    info_fields,
    info_json_stem,
    is_beside,
    parse_download,
    parse_info,
    track_rank,
)


def read_checked(path: Path) -> bytes:
    """Bytes of a file, refusing before reading one that is over the limit or empty."""
    try:
        size = os.stat(path).st_size
        check_size(size, str(path))
        if size == 0:
            raise TranscriptError(str(path), "empty file")
        with open(path, "rb") as fh:
            # Read at most one byte past the limit: the file may grow after the stat.
            data = fh.read(MAX_TRANSCRIPT_BYTES + 1)
    except OSError as exc:
        raise TranscriptError(str(path), f"cannot read ({exc.strerror or exc})") from None
    check_size(len(data), str(path))
    if not data:
        raise TranscriptError(str(path), "empty file")
    return data


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
    found = [folder / n for n in names if is_beside(stem, n)]
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
    info_bytes = read_checked(info_json_path)
    return parse_info(info_bytes, str(info_json_path)), info_bytes


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
    info_fields(info, path)  # checked before looking for captions: the first problem is named
    if captions is None:
        found = captions_beside(info_json_path) + requested_captions(info, info_json_path)
        captions = sorted(dict.fromkeys(found), key=lambda p: track_rank(p, languages))
    if not captions:
        stem = info_json_stem(info_json_path)
        raise TranscriptError(path, f"no caption file found ({stem}.en.vtt, .vtt or .srt)")
    caption_bytes = read_checked(captions[0])
    parsed = parse_download(info, info_json_path, caption_bytes, captions[0])
    return YtdlpLoad(parsed.transcript, (info_bytes, caption_bytes), captions[0], parsed.warnings)
