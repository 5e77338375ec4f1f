"""The yt-dlp fetcher: one pass over a list of videos (a channel, a playlist, a feed) writing
each new video's captions and `.info.json` into a folder, never the media.

The adapter at the edge of `store.sources`: it speaks yt-dlp, used as a library
(`yt_dlp.YoutubeDL`), and the network. A video is recorded in yt-dlp's download archive only
once its caption files are really on disk, so a video whose captions are not up yet, whose page
failed or whose caption download failed is tried again by a later pass.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yt_dlp
from yt_dlp.postprocessor.common import PostProcessor
from yt_dlp.utils import DownloadCancelled, DownloadError, unsmuggle_url

from store.sources.fetched import FetchResult, ItemFailure

NO_CAPTIONS = "no captions yet"
# Logged by the generic extractor for every page it opens: noise, not a warning.
GENERIC_FALLBACK = "[generic] Falling back on generic information extractor"
OUTPUT_TEMPLATE = "%(title).150B [%(id)s].%(ext)s"  # a longer title makes too long a file name
# A later pass that finds no known video in the list stops here rather than walk a channel's
# whole history (after a long outage, say).
LATER_PASS_LIMIT = 100
SOCKET_TIMEOUT_S = 20.0
_ITEM_PREFIX = re.compile(r"^\[[\w:.-]+\] (?P<id>[^:\s]+): ")
_CAUSE = re.compile(r" \(caused by .*\)$")
# urllib3's wording around a refused connection (yt-dlp with `requests` installed): its reason
# is what follows.
_CONNECTION = re.compile(r"\w*Connection(?:Pool)?\([^)]*\): (?:Failed to establish a new"
                         r" connection: )?")


def one_line(message: str) -> str:
    """yt-dlp's error text as one short line: no 'ERROR: ', carriage returns or cause tail."""
    text = " ".join(message.replace("\r", " ").split())
    text = text.removeprefix("ERROR: ").removeprefix("[download] ").removeprefix("Got error: ")
    return _CONNECTION.sub("", _CAUSE.sub("", text))


def item_failure(message: str, current: str | None) -> ItemFailure:
    """An error message as a failure of one video: its id from the message's
    '[extractor] ID: ' prefix, else the video being processed (`current`)."""
    text = one_line(message)
    found = _ITEM_PREFIX.match(text)
    if found:
        return ItemFailure(found["id"], text[found.end():])
    if current and text.startswith(f"{current}: "):
        return ItemFailure(current, text[len(current) + 2:])
    return ItemFailure(current, text)


class CollectingLogger:
    """yt-dlp's `logger`: its errors ('ERROR: …') reach `error()`, its warnings `warning()`
    (without a prefix) and everything it would print `debug()`; `info()` is never called."""

    def __init__(self) -> None:
        self.errors: list[tuple[str, str | None]] = []  # (message, video being processed)
        self.warnings: list[str] = []
        self.current: str | None = None

    def debug(self, msg: str) -> None:
        """Progress chatter: dropped."""

    def info(self, msg: str) -> None:
        """Not called by yt-dlp; dropped."""

    def warning(self, msg: str) -> None:
        """Kept, but for the generic extractor's note on every page."""
        if msg != GENERIC_FALLBACK:
            self.warnings.append(msg)

    def error(self, msg: str) -> None:
        """Kept with the id of the video then being processed."""
        self.errors.append((msg, self.current))


def _read_archive(path: Path) -> list[str]:
    try:
        return [line.strip() for line in path.read_text(encoding="utf-8").splitlines()
                if line.strip()]
    except FileNotFoundError:
        return []


def archive_key(info: dict[str, Any]) -> str:
    """The download-archive line of a video ('generic vid001'), as yt-dlp writes it."""
    return f"{str(info.get('extractor_key') or info.get('ie_key') or '').lower()} {info['id']}"


class YtdlpFetcher:
    """`Fetcher` over yt-dlp; one YoutubeDL per pass (it reads the archive when built)."""

    def __init__(self, languages: Sequence[str] = ("en",), backfill: int = 15,
                 socket_timeout: float = SOCKET_TIMEOUT_S) -> None:
        # yt-dlp matches each language as a whole regex: 'en' would never take 'en-US' or
        # YouTube's 'en-orig', so regional variants are asked for too.
        self.languages = [f"{re.escape(lang)}(?:-.+)?" for lang in languages]
        self.backfill = backfill
        self.socket_timeout = socket_timeout

    def options(self, folder: Path, archive: Path, logger: CollectingLogger, *, first: bool,
                revisit: bool, match_filter: Any) -> dict[str, Any]:
        """The YoutubeDL options of one pass (see README "Following channels")."""
        opts: dict[str, Any] = {
            "skip_download": True,
            "writesubtitles": True,  # a caption track of another site
            "writeautomaticsub": True,  # YouTube's auto-captions
            "subtitleslangs": self.languages,
            "subtitlesformat": "vtt",
            "writeinfojson": True,
            "allow_playlist_files": False,
            "download_archive": os.fspath(archive),
            # Without it a skip_download pass never writes the archive.
            "force_write_download_archive": True,
            "match_filter": match_filter,
            # True would archive a video whose caption download failed (never seen again),
            # False would stop the whole list at its first bad video.
            "ignoreerrors": "only_download",
            "logger": logger,
            "noprogress": True,
            "quiet": True,
            "socket_timeout": self.socket_timeout,
            "outtmpl": {"default": os.path.join(os.fspath(folder), OUTPUT_TEMPLATE)},
        }
        if first or revisit:
            opts["playlistend"] = self.backfill
        else:
            # Stops at the first video already archived: where the list carries ids (YouTube)
            # before opening its page, elsewhere after.
            opts["break_on_existing"] = True
            opts["playlistend"] = max(LATER_PASS_LIMIT, self.backfill)
        return opts

    def fetch(self, url: str, folder: Path, archive: Path, *, first: bool,
              revisit: bool) -> FetchResult:
        """One pass over `url` into `folder`; never raises for a network or site failure (they
        are in the result), only for a programming error."""
        folder.mkdir(parents=True, exist_ok=True)
        archive.parent.mkdir(parents=True, exist_ok=True)
        result = FetchResult(url)
        logger = CollectingLogger()

        def require_captions(info: dict[str, Any], *, incomplete: bool = False) -> str | None:
            # Called for the list (no 'requested_subtitles'), then for each video once its
            # caption tracks are known: `incomplete` is then a truthy set, so the key decides.
            if info.get("_type", "video") != "video" or "requested_subtitles" not in info:
                return None
            video_id = str(info.get("id"))
            logger.current = video_id
            if not info["requested_subtitles"]:
                # Not archived: auto-captions come minutes to hours after upload.
                result.waiting[video_id] = archive_key(info)
                return f"{video_id}: {NO_CAPTIONS}"
            result.waiting.pop(video_id, None)
            return None

        before = set(_read_archive(archive))
        started = time.perf_counter()
        info = None
        stopped = False
        opts = self.options(folder, archive, logger, first=first, revisit=revisit,
                            match_filter=require_captions)
        with yt_dlp.YoutubeDL(opts) as ydl:
            ydl.add_post_processor(CaptionFilesCheck(), when="before_dl")
            ydl.add_post_processor(CleanPageUrl(), when="pre_process")
            try:
                info = ydl.extract_info(url, download=True)
            except DownloadCancelled:  # ExistingVideoReached: the rest is known
                stopped = True
        result.seconds = time.perf_counter() - started
        result.new = [line.split(" ", 1)[-1] for line in _read_archive(archive)
                      if line not in before]
        messages = [(m, cur) for m, cur in logger.errors]
        if info is None and not stopped:
            # The list itself failed: yt-dlp returns None and its reason went to the logger.
            reason = one_line(messages[-1][0]) if messages else "could not read the list"
            result.error = _ITEM_PREFIX.sub("", reason)
            messages = messages[:-1]
        # One failure a video: a caption that answered 5xx is reported twice (the download,
        # then the check that keeps it unarchived).
        reasons: dict[str | None, list[str]] = {}
        for message, current in messages:
            failure = item_failure(message, current)
            if failure.video_id not in result.new:
                said = reasons.setdefault(failure.video_id, [])
                if failure.reason not in said:
                    said.append(failure.reason)
        result.failed = [ItemFailure(vid, "; ".join(said)) for vid, said in reasons.items()]
        return result


class CaptionFilesCheck(PostProcessor):
    """Fails a video (so it is not archived) unless every caption file it asked for is on disk:
    yt-dlp archives a video whose .vtt answered 5xx, because it ignores the downloader's answer.
    Raises DownloadError, not PostProcessingError, which yt-dlp would swallow and archive the
    video anyway."""

    def run(self, info: dict[str, Any]) -> tuple[list[str], dict[str, Any]]:
        """Check the caption files of one video (runs after they and its info.json were
        written, before it is archived)."""
        wanted = info.get("requested_subtitles") or {}
        missing = [lang for lang, sub in wanted.items() if not _non_empty(sub.get("filepath"))]
        if missing:
            infojson = info.get("infojson_filename")
            if infojson and os.path.isfile(infojson):
                os.remove(infojson)  # an info.json on disk means a complete video
            raise DownloadError(
                f"{info.get('id')}: caption download failed for {', '.join(missing)}")
        return [], info


class CleanPageUrl(PostProcessor):
    """Drops the `#__youtubedl_smuggle=…` tail a feed item's <guid> adds to webpage_url, before
    the .info.json is written (it would end up in every link)."""

    def run(self, info: dict[str, Any]) -> tuple[list[str], dict[str, Any]]:
        """Clean one video's page urls."""
        for key in ("webpage_url", "original_url"):
            if isinstance(info.get(key), str):
                info[key] = unsmuggle_url(info[key])[0]
        return [], info


def _non_empty(path: object) -> bool:
    return isinstance(path, str) and os.path.isfile(path) and os.path.getsize(path) > 0
