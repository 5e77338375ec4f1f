"""Find transcript files and load any supported format into a Transcript, with timings.

Formats: the seed `.txt` (timed by aligning it with `<video_id>.vtt|.srt` found in a timings
folder or beside it), yt-dlp `<name>.info.json` + captions, and standalone `.vtt` / `.srt`.
`load_transcript` returns a `LoadedTranscript`: the transcript, a content hash of every byte
it was built from (so a changed timings file re-ingests) and warnings that did not stop it
(e.g. a broken timings file: the transcript is then loaded untimed).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from store.align import align_with_coverage
from store.errors import TranscriptError
from store.models import Transcript
from store.parsing.captions import (
    Cue,
    caption_stem,
    flatten_cues,
    parse_srt,
    parse_vtt,
    video_id_from_caption,
)
from store.parsing.seed import (
    MAX_TRANSCRIPT_BYTES,
    SEED_TAGS,
    decode_text,
    parse_seed,
    read_checked,
)
from store.parsing.ytdlp import INFO_SUFFIX, captions_beside, load_ytdlp

NOT_A_TRANSCRIPT = "not a transcript (expected <video_id>… seed format, .vtt, .srt or .info.json)"
CAPTION_SUFFIXES = (".vtt", ".srt")
_MIN_COVERAGE = 0.5  # on the corpus: right captions match >= 97% of words, wrong ones <= 23%
_SEED_ID_RE = re.compile(rb"<video_id>\s*([^<\s]*)\s*</video_id>")
_SRT_TIMING_RE = re.compile(r"^\s*\d{1,2}:\d{2}:\d{2}[,.]\d{1,3}\s*-->", re.MULTILINE)
_HEAD_BYTES = 64 * 1024  # enough to hold the metadata tags / a NOTE block


@dataclass(frozen=True)
class LoadedTranscript:
    """A transcript as loaded from disk, with what ingestion needs to know about its files."""

    transcript: Transcript
    content_hash: str  # sha256 over the file and every timings / caption file read with it
    warnings: tuple[str, ...] = ()  # problems that did not stop the load, one line each
    timings_path: str | None = None  # caption file whose times the words carry, if any


def content_hash(data: bytes, *extra: bytes) -> str:
    """sha256 hex of a file's bytes, then of each extra file's bytes (timings, captions)."""
    h = hashlib.sha256(data)
    for part in extra:
        # A separator with the length, so moving bytes between the parts changes the hash.
        h.update(b"\x00%d\x00" % len(part))
        h.update(part)
    return h.hexdigest()


# ---------------------------------------------------------------- discovery


def _ignored(name: str) -> bool:
    """Names never picked up inside folders: hidden files, READMEs, notes and indexes."""
    lower = name.lower()
    return name.startswith(".") or lower.startswith("readme") or lower.endswith((".md", ".tsv"))


def _seed_video_id(path: Path) -> str | None:
    """The <video_id> of a seed file, read from its head only."""
    try:
        with open(path, "rb") as fh:
            m = _SEED_ID_RE.search(fh.read(_HEAD_BYTES))
    except OSError:
        return None
    return m.group(1).decode("utf-8", "replace") if m else None


def _caption_video_id(path: Path) -> str | None:
    """The video id a caption file names (NOTE block or file name), from its head only."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(_HEAD_BYTES).decode("utf-8", "replace")
    except OSError:
        head = ""
    return video_id_from_caption(head, str(path))


def _candidates_in(folder: Path, names: list[str]) -> list[Path]:
    """Transcript files among the file names of one folder (see `discover`)."""
    names = [n for n in names if not _ignored(n)]
    infos = [n for n in names if n.lower().endswith(INFO_SUFFIX)]
    seeds = [n for n in names if n.lower().endswith(".txt")]
    captions = [n for n in names if n.lower().endswith(CAPTION_SUFFIXES)]
    consumed = {p.name for n in infos for p in captions_beside(folder / n)}
    seed_ids = {i for n in seeds if (i := _seed_video_id(folder / n))} if captions else set()
    out = [folder / n for n in infos + seeds]
    for name in captions:
        if name in consumed:
            continue  # read with its info.json
        if seed_ids and _caption_video_id(folder / name) in seed_ids:
            continue  # the timings of a seed transcript beside it
        out.append(folder / name)
    return out


def discover(paths: Sequence[Path]) -> list[Path]:
    """Transcript files under `paths`, sorted: files given are always kept; folders are
    searched recursively for .txt, .info.json and the .vtt/.srt that are not another
    file's captions or timings (READMEs, .md, .tsv and hidden files are skipped)."""
    found: set[Path] = set()
    for path in paths:
        if not path.is_dir():
            found.add(path)  # a missing file is kept so that loading names the problem
            continue
        for root, dirs, files in os.walk(path):
            dirs[:] = [d for d in dirs if not d.startswith(".")]
            folder = Path(root)
            found.update(_candidates_in(folder, [f for f in files if (folder / f).is_file()]))
    return sorted(found, key=lambda p: (str(p.parent), p.name))


# ---------------------------------------------------------------- loading


def _parse_captions(data: bytes, path: Path) -> list[Cue]:
    """Cues of caption bytes, VTT or SRT by file name, else by content."""
    text = decode_text(data, str(path))
    if path.suffix.lower() == ".srt" or (
        path.suffix.lower() != ".vtt"
        and not text.lstrip().startswith("WEBVTT")
        and _SRT_TIMING_RE.search(text)
    ):
        return parse_srt(text, str(path))
    return parse_vtt(text, str(path))


def _standalone_title(path: Path, video_id: str) -> str:
    """A caption file's name as a title: language tag and a trailing ' [ID]' removed."""
    stem = caption_stem(path.name)
    stem = re.sub(rf"\s*\[{re.escape(video_id)}\]$", "", stem).strip()
    return stem or video_id


def _load_captions(path: Path, data: bytes) -> LoadedTranscript:
    """A standalone caption file: id from its NOTE block or name, title from its name."""
    cues = _parse_captions(data, path)
    video_id = video_id_from_caption(decode_text(data, str(path)), str(path))
    if video_id is None:
        raise TranscriptError(
            str(path), "no video id (expected a 'NOTE video_id …' block or a name like 'ID.vtt')"
        )
    words, starts = flatten_cues(cues)
    if not words:
        raise TranscriptError(str(path), "captions contain no words")
    try:  # captions carry no date: the file's modification day stands in for it
        published = dt.date.fromtimestamp(os.stat(path).st_mtime).isoformat()
    except (OSError, OverflowError, ValueError) as exc:
        raise TranscriptError(str(path), f"cannot read its date ({exc})") from None
    transcript = Transcript(
        video_id=video_id,
        title=_standalone_title(path, video_id),
        channel="Unknown",
        published=published,
        words=tuple(words),
        word_starts=tuple(starts),
        source=str(path),
    )
    return LoadedTranscript(transcript, content_hash(data), timings_path=str(path))


def _timings_candidates(path: Path, video_id: str, timings_dirs: Sequence[Path]) -> list[Path]:
    """Existing `<video_id>.vtt|.srt` files in the timings folders, then beside the file."""
    out: list[Path] = []
    for folder in [*timings_dirs, path.parent]:
        for suffix in CAPTION_SUFFIXES:
            candidate = folder / f"{video_id}{suffix}"
            if candidate.is_file() and candidate not in out:
                out.append(candidate)
    return out


def _timed(seed: Transcript, candidate: Path, data: bytes) -> tuple[float | None, ...] | str:
    """Word starts of `seed` from one timings file, or the reason it cannot give them."""
    try:
        cues = _parse_captions(data, candidate)
    except TranscriptError as exc:
        return exc.reason
    named = video_id_from_caption(decode_text(data, str(candidate)), "")
    if named is not None and named != seed.video_id:
        return f"it is for video {named}"
    words, starts = flatten_cues(cues)
    if not words:
        return "no words in it"
    times, coverage = align_with_coverage(seed.words, words, starts)
    if coverage < _MIN_COVERAGE:
        return f"its text does not match the transcript ({coverage:.0%} of words matched)"
    return times


def _timings_bytes(path: Path, video_id: str, timings_dirs: Sequence[Path]) -> list[bytes]:
    """Raw bytes of every timings candidate: all of them count in the content hash."""
    out: list[bytes] = []
    for candidate in _timings_candidates(path, video_id, timings_dirs):
        try:
            out.append(candidate.read_bytes())
        except OSError:
            continue
    return out


def fingerprint(path: Path, timings_dirs: Sequence[Path] = ()) -> str | None:
    """The content hash `load_transcript` gives a seed file, without parsing it (None: not seed).

    Re-ingest skips unchanged files by this, so it must stay cheap: read and hash only.
    """
    vid = _seed_video_id(path)
    if vid is None:
        return None
    try:
        data = path.read_bytes()
    except OSError:
        return None
    return content_hash(data, *_timings_bytes(path, vid, timings_dirs))


def _load_seed(path: Path, data: bytes, timings_dirs: Sequence[Path]) -> LoadedTranscript:
    """A seed transcript, timed from the first usable `<video_id>.vtt|.srt`."""
    seed = parse_seed(data, str(path))
    warnings: list[str] = []
    # Every candidate is hashed, even broken or unused ones: fixing or adding one must re-ingest.
    digest = content_hash(data, *_timings_bytes(path, seed.video_id, timings_dirs))
    for candidate in _timings_candidates(path, seed.video_id, timings_dirs):
        try:
            timing_data = read_checked(candidate)
        except TranscriptError as exc:
            warnings.append(f"timings {candidate} ignored: {exc.reason}")
            continue
        result = _timed(seed, candidate, timing_data)
        if isinstance(result, str):
            warnings.append(f"timings {candidate} ignored: {result}")
            continue
        return LoadedTranscript(
            replace(seed, word_starts=result), digest, tuple(warnings), timings_path=str(candidate)
        )
    return LoadedTranscript(seed, digest, tuple(warnings))


def _looks_like_captions(data: bytes) -> bool:
    """Caption content under another name: a WEBVTT header or SRT timing lines."""
    head = data[:_HEAD_BYTES].decode("utf-8", "replace").lstrip("\ufeff \t\r\n")
    return head.startswith("WEBVTT") or _SRT_TIMING_RE.search(head) is not None


def load_transcript(path: Path, timings_dirs: Sequence[Path] = ()) -> LoadedTranscript:
    """Load one transcript file of any supported format; problems raise TranscriptError."""
    name = path.name.lower()
    if name.endswith(INFO_SUFFIX):
        transcript, parts = load_ytdlp(path)
        captions = captions_beside(path)
        return LoadedTranscript(
            transcript,
            content_hash(*parts),
            timings_path=str(captions[0]) if captions else None,
        )
    data = read_checked(path)  # stats first: an oversized file is refused unread
    if not data.strip():
        raise TranscriptError(str(path), "empty file")
    if name.endswith(CAPTION_SUFFIXES):
        return _load_captions(path, data)
    if any(f"<{tag}>".encode() in data for tag in SEED_TAGS):
        return _load_seed(path, data, timings_dirs)
    if _looks_like_captions(data):
        return _load_captions(path, data)
    raise TranscriptError(str(path), NOT_A_TRANSCRIPT)


__all__ = [
    "MAX_TRANSCRIPT_BYTES",
    "NOT_A_TRANSCRIPT",
    "LoadedTranscript",
    "content_hash",
    "discover",
    "load_transcript",
]
