import itertools

from store.records import Transcript
from store.sources.chunking import chunk_transcript


def make(n: int, timed: bool = False) -> Transcript:
    words = tuple(f"w{i}" for i in range(n))
    starts = tuple(i * 0.5 for i in range(n)) if timed else None
    return Transcript("vid12345678", "T | BBC News", "BBC News", "2026-01-01", words, starts)


def test_windows_overlap_and_cover_every_word():
    chunks = chunk_transcript(make(500), window=120, overlap=30)
    assert chunks[0].start_word == 0 and chunks[-1].end_word == 500
    for a, b in itertools.pairwise(chunks):
        assert b.start_word == a.start_word + 90
        assert a.end_word - b.start_word == 30
    covered: set[int] = set()
    for c in chunks:
        covered.update(range(c.start_word, c.end_word))
        assert c.text.split() == [f"w{i}" for i in range(c.start_word, c.end_word)]
    assert covered == set(range(500))


def test_ids_are_deterministic_and_unique():
    a = chunk_transcript(make(400))
    b = chunk_transcript(make(400))
    assert [c.id for c in a] == [c.id for c in b]
    assert len({c.id for c in a}) == len(a)
    assert a[1].id == "vid12345678:90"


def test_short_tail_is_folded_not_left_as_scrap():
    chunks = chunk_transcript(make(215), window=120, overlap=30)
    assert chunks[-1].end_word == 215
    assert all(c.end_word - c.start_word >= 60 for c in chunks)


def test_short_transcript_is_one_chunk_and_start_time_is_kept():
    chunks = chunk_transcript(make(40, timed=True))
    assert len(chunks) == 1 and chunks[0].end_word == 40
    chunks = chunk_transcript(make(300, timed=True))
    assert chunks[1].start_s == 45.0
