"""Files to `Transcript` and `Chunk`: the seed format, WebVTT/SRT captions and yt-dlp output,
caption alignment and chunking. Pure: no index, encoder, search, SQLite or model imports (the
yt-dlp fetcher at its edge aside); parsers raise only `store.errors.TranscriptError`."""

from typing import TYPE_CHECKING

from store.public_names import lazy_exports
from store.sources.captions import (
    Cue,
    flatten_cues,
    parse_srt,
    parse_vtt,
    video_id_from_caption,
)
from store.sources.chunking import DEFAULT_OVERLAP, DEFAULT_WINDOW, chunk_transcript
from store.sources.loader import discover, load_transcript
from store.sources.seed import MAX_TRANSCRIPT_BYTES, parse_seed
from store.sources.ytdlp import parse_download, parse_info

if TYPE_CHECKING:
    from store.sources.fetched import Fetcher, FetchResult, ItemFailure
    from store.sources.fetcher import YtdlpFetcher

# The fetcher loads yt-dlp (1,700 extractor classes): only on first use.
_PUBLIC = {
    "FetchResult": "store.sources.fetched",
    "Fetcher": "store.sources.fetched",
    "ItemFailure": "store.sources.fetched",
    "YtdlpFetcher": "store.sources.fetcher",
}

__all__ = [
    "DEFAULT_OVERLAP",
    "DEFAULT_WINDOW",
    "MAX_TRANSCRIPT_BYTES",
    "Cue",
    "FetchResult",
    "Fetcher",
    "ItemFailure",
    "YtdlpFetcher",
    "chunk_transcript",
    "discover",
    "flatten_cues",
    "load_transcript",
    "parse_download",
    "parse_info",
    "parse_seed",
    "parse_srt",
    "parse_vtt",
    "video_id_from_caption",
]
__getattr__ = lazy_exports(__name__, _PUBLIC)
