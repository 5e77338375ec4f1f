"""Find transcript files and load any supported format into a Transcript, with timings.

Formats: the seed `.txt` (timed by aligning it with `<video_id>.vtt|.srt` found in a timings
folder or beside it), yt-dlp `<name>.info.json` + captions (one track per video, by language
preference), and standalone `.vtt` / `.srt`. Text in a script written without spaces between
words (Japanese, Chinese, Thai, …) is refused: the word index could not find anything in it.
`load_transcript` returns a `LoadedTranscript`: the transcript, a content hash of every byte
it was built from (so a changed timings file re-ingests) and warnings that did not stop it
(e.g. a broken timings file: the transcript is then loaded untimed).
"""

from __future__ import annotations

import hashlib
import os
import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TypeVar

from store.errors import TranscriptError
from store.records import Transcript
from store.sources.align import align_with_coverage
from store.sources.captions import (
    CAPTION_SUFFIXES,
    SRT_TIMING_RE,
    caption_stem,
    flatten_cues,
    read_caption_bytes,
    video_id_from_caption,
)
from store.sources.reading import (
    captions_beside,
    load_ytdlp,
    read_checked,
    read_info,
    requested_captions,
)
from store.sources.seed import MAX_TRANSCRIPT_BYTES, SEED_TAGS, parse_seed
from store.sources.ytdlp import DEFAULT_LANGUAGES, INFO_SUFFIX, track_rank
from store.text import unspaced_script

NOT_A_TRANSCRIPT = "not a transcript (expected <video_id>… seed format, .vtt, .srt or .info.json)"
_MIN_COVERAGE = 0.5  # on the corpus: right captions match >= 97% of words, wrong ones <= 23%
_SEED_ID_RE = re.compile(rb"<video_id>\s*([^<\s]*)\s*</video_id>")
K = TypeVar("K")
LIVE_CHAT_SUFFIX = ".live_chat.json"
UNKNOWN = "Unknown"  # title / channel of a caption file that comes with no metadata
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


@dataclass(frozen=True)
class Found:
    """What `find_transcripts` found: files to load, files left out on purpose (with why,
    e.g. another language's caption track) and each info.json's caption tracks."""

    files: list[Path]
    skipped: list[tuple[str, str]] = field(default_factory=list)
    captions: dict[Path, list[Path]] = field(default_factory=dict)  # best track first


def _walk(paths: Sequence[Path]) -> tuple[set[Path], set[Path]]:
    """(files given explicitly, files found in the folders given), hidden and notes skipped."""
    explicit: set[Path] = set()
    walked: set[Path] = set()
    for path in paths:
        if not path.is_dir():
            explicit.add(path)  # a missing file is kept so that loading names the problem
            continue
        for root, dirs, files in os.walk(path):
            dirs[:] = [d for d in dirs if not d.startswith(".")]
            folder = Path(root)
            walked.update(folder / f for f in files if not _ignored(f) and (folder / f).is_file())
    return explicit, walked - explicit


def _is_caption(path: Path) -> bool:
    return path.name.lower().endswith(CAPTION_SUFFIXES)


def _seed_timings(captions: Sequence[Path], seeds: Sequence[Path]) -> set[Path]:
    """Caption files that time a seed transcript of the same folder (same video id)."""
    by_folder: dict[Path, set[str]] = defaultdict(set)
    folders = {c.parent for c in captions}  # only seeds beside captions are read
    for seed in (s for s in seeds if s.parent in folders):
        if seed.suffix.lower() == ".txt" and (vid := _seed_video_id(seed)):
            by_folder[seed.parent].add(vid)
    return {c for c in captions if _caption_video_id(c) in by_folder.get(c.parent, ())}


def _one_track_each(
    groups: Mapping[K, Sequence[Path]], languages: Sequence[str]
) -> tuple[dict[K, list[Path]], list[tuple[str, str]]]:
    """Each video's caption tracks best first, and a skip line for every track but the first."""
    ranked: dict[K, list[Path]] = {}
    skipped: list[tuple[str, str]] = []
    for key, tracks in groups.items():
        ranked[key] = sorted(dict.fromkeys(tracks), key=lambda p: track_rank(p, languages))
        used = ranked[key][0]
        skipped += [
            (str(p), f"another caption track of the same video ({used.name} is used)")
            for p in ranked[key][1:]
        ]
    return ranked, skipped


def find_transcripts(
    paths: Sequence[Path], languages: Sequence[str] = DEFAULT_LANGUAGES
) -> Found:
    """Transcript files under `paths`, sorted: files given are kept (a caption track only if
    it is its video's preferred one); folders are searched recursively for .txt, .info.json
    and the .vtt/.srt that are not a seed's timings. One caption track per video, by
    `languages`: an info.json's tracks are those beside it, those its `requested_subtitles`
    name and any file named with its `[id]` under `paths`; the others are skipped."""
    explicit, walked = _walk(paths)
    everything = sorted(explicit | walked, key=lambda p: (str(p.parent), p.name))
    infos = [p for p in everything if p.name.lower().endswith(INFO_SUFFIX)]
    captions = [p for p in everything if _is_caption(p)]
    skipped = [
        (str(p), "a live chat replay, not captions")
        for p in everything
        if p.name.lower().endswith(LIVE_CHAT_SUFFIX)
    ]
    others = [
        p
        for p in everything
        if p not in infos and not _is_caption(p) and (p in explicit or p.suffix.lower() == ".txt")
    ]
    ids = {c: _caption_video_id(c) for c in captions}
    by_id: dict[str, list[Path]] = defaultdict(list)
    for c, vid in ids.items():
        if vid:
            by_id[vid].append(c)
    tracks_of: dict[Path, list[Path]] = {}
    for info in infos:
        tracks = captions_beside(info, languages)
        try:
            meta, _ = read_info(info)
        except TranscriptError:
            meta = {}  # loading it names the problem
        info_id = meta.get("id")
        tracks += requested_captions(meta, info)
        if isinstance(info_id, str):
            tracks += by_id.get(info_id, [])
        tracks_of[info] = tracks
    info_tracks, skipped_tracks = _one_track_each(
        {i: t for i, t in tracks_of.items() if t}, languages
    )
    claimed = {c for tracks in tracks_of.values() for c in tracks}
    claimed |= _seed_timings([c for c in captions if c not in claimed], others)
    standalone: dict[str, list[Path]] = defaultdict(list)
    for c in captions:
        if c not in claimed:
            standalone[ids[c] or str(c)].append(c)
    chosen, skipped_standalone = _one_track_each(standalone, languages)
    skipped += skipped_tracks + skipped_standalone
    files = infos + others + [tracks[0] for tracks in chosen.values()]
    return Found(
        sorted(files, key=lambda p: (str(p.parent), p.name)),
        sorted(skipped),
        info_tracks,
    )


def discover(paths: Sequence[Path]) -> list[Path]:
    """Transcript files under `paths`, sorted (see `find_transcripts`)."""
    return find_transcripts(paths).files


# ---------------------------------------------------------------- loading


def _standalone_title(path: Path, video_id: str) -> str:
    """A caption file's name as a title (language tag and ' [ID]' removed); when the name is
    only the id, the title is unknown."""
    stem = caption_stem(path.name)
    stem = re.sub(rf"\s*\[{re.escape(video_id)}\]$", "", stem).strip()
    return UNKNOWN if stem in ("", video_id) else stem


def _load_captions(path: Path, data: bytes) -> LoadedTranscript:
    """A standalone caption file: id from its NOTE block or name, title from its name; channel
    and date unknown (an info.json beside it gives them: see README)."""
    captions = read_caption_bytes(data, path)
    video_id = video_id_from_caption(data[:_HEAD_BYTES].decode("utf-8", "replace"), str(path))
    if video_id is None:
        raise TranscriptError(
            str(path), "no video id (expected a 'NOTE video_id …' block or a name like 'ID.vtt')"
        )
    words, starts = flatten_cues(captions.cues)
    if not words:
        raise TranscriptError(str(path), "captions contain no words")
    transcript = Transcript(
        video_id=video_id,
        title=_standalone_title(path, video_id),
        channel=UNKNOWN,
        published="",  # unknown: a stand-in date would put it in every --since range
        words=tuple(words),
        word_starts=tuple(starts),
        source=str(path),
    )
    return LoadedTranscript(
        transcript, content_hash(data), captions.warnings, timings_path=str(path)
    )


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
        captions = read_caption_bytes(data, candidate)
    except TranscriptError as exc:
        return exc.reason
    named = video_id_from_caption(data[:_HEAD_BYTES].decode("utf-8", "replace"), "")
    if named is not None and named != seed.video_id:
        return f"it is for video {named}"
    words, starts = flatten_cues(captions.cues)
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
    if timings_dirs and not warnings:
        warnings.append(
            f"{path}: no caption file for {seed.video_id} in the timings folders, so its links"
            " open at the start of the video"
        )
    return LoadedTranscript(seed, digest, tuple(warnings))


def _looks_like_captions(data: bytes) -> bool:
    """Caption content under another name: a WEBVTT header or SRT timing lines."""
    head = data[:_HEAD_BYTES].decode("utf-8", "replace").lstrip("\ufeff \t\r\n")
    return head.startswith("WEBVTT") or SRT_TIMING_RE.search(head) is not None


def _check_script(loaded: LoadedTranscript) -> LoadedTranscript:
    """Refuse text the word index cannot search: a script written without spaces."""
    t = loaded.transcript
    script = unspaced_script(" ".join(t.words[:5000]))
    if script is not None:
        raise TranscriptError(
            t.source,
            f"the text is in {script}, a script written without spaces between words;"
            " Newsreel's word search could not find anything in it, so it is not ingested",
        )
    return loaded


def load_transcript(
    path: Path,
    timings_dirs: Sequence[Path] = (),
    languages: Sequence[str] = DEFAULT_LANGUAGES,
    captions: Sequence[Path] | None = None,
) -> LoadedTranscript:
    """Load one transcript file of any supported format; problems raise TranscriptError.

    `languages`: caption language preference; `captions`: an info.json's caption tracks,
    best first, when discovery found them (see `find_transcripts`)."""
    name = path.name.lower()
    if name.endswith(INFO_SUFFIX):
        got = load_ytdlp(path, languages, captions)
        return _check_script(
            LoadedTranscript(
                got.transcript,
                content_hash(*got.parts),
                got.warnings,
                timings_path=str(got.captions),
            )
        )
    data = read_checked(path)  # stats first: an oversized file is refused unread
    if not data.strip():
        raise TranscriptError(str(path), "empty file")
    if name.endswith(CAPTION_SUFFIXES):
        return _check_script(_load_captions(path, data))
    if any(f"<{tag}>".encode() in data for tag in SEED_TAGS):
        return _check_script(_load_seed(path, data, timings_dirs))
    if _looks_like_captions(data):
        return _check_script(_load_captions(path, data))
    raise TranscriptError(str(path), NOT_A_TRANSCRIPT)


__all__ = [
    "MAX_TRANSCRIPT_BYTES",
    "NOT_A_TRANSCRIPT",
    "Found",
    "LoadedTranscript",
    "content_hash",
    "discover",
    "find_transcripts",
    "load_transcript",
]
