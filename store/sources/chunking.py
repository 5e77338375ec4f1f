"""Split a transcript into overlapping word windows."""

from __future__ import annotations

from store.records import Chunk, Transcript

DEFAULT_WINDOW = 120
DEFAULT_OVERLAP = 30


def chunk_transcript(
    transcript: Transcript, window: int = DEFAULT_WINDOW, overlap: int = DEFAULT_OVERLAP
) -> list[Chunk]:
    """Overlapping windows of `window` words advancing by `window - overlap`."""
    if window <= 0 or not 0 <= overlap < window:
        raise ValueError(f"bad chunking window={window} overlap={overlap}")
    words = transcript.words
    starts = transcript.word_starts
    step = window - overlap
    chunks: list[Chunk] = []
    n = len(words)
    first = 0
    while first < n:
        last = min(first + window, n)
        # A short tail is folded into the previous window rather than left as a scrap.
        if chunks and last - first < overlap + step // 3 and last == n:
            prev = chunks.pop()
            first = prev.start_word
        start_s = starts[first] if starts is not None else None
        chunks.append(
            Chunk(
                video_id=transcript.video_id,
                start_word=first,
                end_word=last,
                text=" ".join(words[first:last]),
                start_s=start_s,
            )
        )
        if last == n:
            break
        first += step
    return chunks
