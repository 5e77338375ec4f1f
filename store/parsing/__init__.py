"""Transcript parsers: the seed format, WebVTT/SRT captions and yt-dlp output. Pure functions
of bytes or text that raise only `store.errors.TranscriptError` on bad input; reading the
files is `store.reading`."""

from store.parsing.captions import (
    Cue,
    flatten_cues,
    parse_srt,
    parse_vtt,
    video_id_from_caption,
)
from store.parsing.seed import MAX_TRANSCRIPT_BYTES, parse_seed
from store.parsing.ytdlp import parse_download, parse_info

__all__ = [
    "MAX_TRANSCRIPT_BYTES",
    "Cue",
    "flatten_cues",
    "parse_download",
    "parse_info",
    "parse_seed",
    "parse_srt",
    "parse_vtt",
    "video_id_from_caption",
]
