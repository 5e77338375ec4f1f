"""Alignment of untimed seed words with timed caption words: behaviour, accuracy, speed."""

from __future__ import annotations

import random
import time
from pathlib import Path

import pytest

from store.sources.align import align_with_coverage, align_word_starts
from store.sources.captions import Cue, flatten_cues, parse_vtt
from store.sources.seed import parse_seed
from store.text import norm_word, strip_word

DATA = Path(__file__).resolve().parents[2] / "data"
SHARED = Path(__file__).resolve().parents[4] / "shared"
PAIRS = [
    ("101_e4b1773efc433d5e.txt", "8Rljxrp47Dw.vtt"),
    ("178_e4e6f6a25ee90d0c.txt", "mtgqmRTK0O4.vtt"),
    ("004_f8ceefe28b082c07.txt", "XFH8aGBjA6U.vtt"),
    ("000_e9cb18f8e30853e4.txt", "BASNGHKO3Qw.vtt"),
]
TOLERANCE_S = 5.0


def test_identical_texts_take_the_caption_times() -> None:
    assert align_word_starts(["a", "b"], ["a", "b"], [1, 2.5]) == (1.0, 2.5)


def test_case_punctuation_and_small_differences() -> None:
    words = str.split("Well Prime Minister welcome to the program How much trouble")
    timed = str.split("well, prime minister - welcome to the the program. how much trouble?")
    starts = [float(i) for i in range(len(timed))]
    got = align_word_starts(words, timed, starts)
    assert got[:5] == (0.0, 1.0, 2.0, 4.0, 5.0)
    assert got[5] in (6.0, 7.0)  # either "the" of "the the"
    assert got[6:] == (8.0, 9.0, 10.0, 11.0)


def test_unmatched_words_are_interpolated_and_clamped() -> None:
    words = ["intro", "one", "x", "y", "z", "five", "outro", "end"]
    got = align_word_starts(words, ["one", "five"], [10.0, 14.0])
    assert got == (10.0, 10.0, 11.0, 12.0, 13.0, 14.0, 14.0, 14.0)


def test_nothing_matches_or_nothing_to_align() -> None:
    assert align_word_starts(["a", "b"], ["c"], [1.0]) == (None, None)
    assert align_word_starts(["a"], [], []) == (None,)
    assert align_word_starts([], ["a"], [1.0]) == ()
    with pytest.raises(ValueError):
        align_word_starts(["a"], ["a"], [])


def test_repeated_phrases_keep_their_order() -> None:
    # Each phrase occurs twice: only order (not uniqueness) tells them apart.
    phrase = ["the", "prime", "minister", "said"]
    words = [*phrase, "first", *phrase, "second"]
    timed = [*phrase, "first", *phrase, "second"]
    starts = [float(i) for i in range(len(timed))]
    assert align_word_starts(words, timed, starts)[5:9] == (5.0, 6.0, 7.0, 8.0)


def test_small_vocabulary_falls_back_to_ngram_anchors() -> None:
    # No word is unique here, so word anchors fail; unique 2-4-grams still place everything.
    rng = random.Random(3)
    words = [f"w{rng.randrange(40)}" for _ in range(8000)]
    timed = list(words)
    for k in range(0, len(timed), 97):
        timed[k] = "noise"
    times, coverage = align_with_coverage(words, timed, [float(i) for i in range(len(timed))])
    assert coverage > 0.98
    assert all(t is not None and abs(t - i) <= 1 for i, t in enumerate(times))


def test_coverage_tells_the_right_captions_from_another_video() -> None:
    pairs = []
    for seed_name, vtt_name in PAIRS:
        seed = parse_seed((DATA / "corpus_excerpt" / seed_name).read_bytes(), seed_name)
        cues = parse_vtt((DATA / "timed_excerpt" / vtt_name).read_text(encoding="utf-8"), "x")
        pairs.append((seed.words, *flatten_cues(cues)))
    for k, (words, timed, starts) in enumerate(pairs):
        assert align_with_coverage(words, timed, starts)[1] > 0.95
        _, other_timed, other_starts = pairs[(k + 1) % len(pairs)]
        assert align_with_coverage(words, other_timed, other_starts)[1] < 0.4


def _reference_spans(cues: list[Cue]) -> dict[tuple[str, ...], tuple[float, float] | None]:
    """Each 4-gram of the cues -> span of the first cue holding it (None if said again later)."""
    ref: dict[tuple[str, ...], tuple[float, float] | None] = {}
    for cue in cues:
        toks = [norm_word(w) for w in (strip_word(t) for t in cue.text.split()) if w]
        for i in range(len(toks) - 3):
            gram = tuple(toks[i : i + 4])
            if gram not in ref:
                ref[gram] = (cue.start, cue.end)
            elif (span := ref[gram]) is not None and cue.start - span[0] > 15:
                ref[gram] = None  # said twice: no single true moment
    return ref


def _errors(
    seed_words: tuple[str, ...],
    cues: list[Cue],
    times: tuple[float | None, ...],
    n: int,
    rng: random.Random,
) -> list[float]:
    """Distance of the aligned time of random seed 4-grams from the cue where they are said."""
    ref = _reference_spans(cues)
    toks = [norm_word(w) for w in seed_words]
    grams = [tuple(toks[i : i + 4]) for i in range(len(toks) - 3)]
    counts: dict[tuple[str, ...], int] = {}
    for g in grams:
        counts[g] = counts.get(g, 0) + 1
    errors = []
    for i in rng.sample(range(len(grams)), min(n, len(grams))):
        span = ref.get(grams[i])
        if counts[grams[i]] != 1 or span is None:
            continue  # not a single identifiable moment
        t = times[i]
        assert t is not None
        errors.append(max(0.0, span[0] - t, t - span[1]))
    return errors


def _perturb(
    words: list[str], starts: list[float], rng: random.Random
) -> tuple[list[str], list[float]]:
    """Caption words as another converter might give them: drops, junk, repeats, case."""
    out_w: list[str] = []
    out_s: list[float] = []
    for w, s in zip(words, starts, strict=True):
        r = rng.random()
        if r < 0.05:
            continue
        if r < 0.08:
            out_w += ["[noise]", w]
            out_s += [s, s]
        elif r < 0.11:
            out_w += [w, w]
            out_s += [s, s]
        else:
            out_w.append(w.upper() if r < 0.2 else w + ",")
            out_s.append(s)
    return out_w, out_s


def _raw_words(cues: list[Cue]) -> tuple[list[str], list[float]]:
    """Every cue word, rolling duplicates left in (a converter that de-duplicates nothing)."""
    words: list[str] = []
    starts: list[float] = []
    for cue in cues:
        ws = cue.text.split()
        for k, w in enumerate(ws):
            words.append(w)
            starts.append(cue.start + (cue.end - cue.start) * k / len(ws))
    return words, starts


@pytest.mark.parametrize("variant", ["flattened", "perturbed", "not_deduplicated"])
def test_aligned_times_are_within_5s_of_the_spoken_moment(variant: str) -> None:
    rng = random.Random(7)
    errors: list[float] = []
    for seed_name, vtt_name in PAIRS:
        seed = parse_seed((DATA / "corpus_excerpt" / seed_name).read_bytes(), seed_name)
        cues = parse_vtt((DATA / "timed_excerpt" / vtt_name).read_text(encoding="utf-8"), vtt_name)
        words, starts = flatten_cues(cues)
        if variant == "perturbed":
            words, starts = _perturb(words, starts, rng)
        elif variant == "not_deduplicated":
            words, starts = _raw_words(cues)
        times = align_word_starts(seed.words, words, starts)
        assert len(times) == len(seed.words)
        errors += _errors(seed.words, cues, times, 150, rng)
    assert len(errors) > 400
    within = sum(e <= TOLERANCE_S for e in errors) / len(errors)
    print(
        f"\n{variant}: {len(errors)} positions, {within:.1%} within ±{TOLERANCE_S:g} s,"
        f" max {max(errors):.2f} s"
    )
    assert within >= 0.99
    assert max(errors) <= 2 * TOLERANCE_S


@pytest.mark.skipif(not (SHARED / "corpus_timed").is_dir(), reason="shared corpus not present")
def test_whole_corpus_alignment_speed_and_accuracy() -> None:
    """Prints the alignment time over the whole corpus (no timing assert: machines differ)."""
    rng = random.Random(11)
    jobs = []
    for path in sorted((SHARED / "corpus").glob("[0-9][0-9][0-9]_*.txt")):
        seed = parse_seed(path.read_bytes(), str(path))
        vtt = SHARED / "corpus_timed" / f"{seed.video_id}.vtt"
        if vtt.is_file():
            cues = parse_vtt(vtt.read_text(encoding="utf-8"), str(vtt))
            jobs.append((seed, cues, *_perturb(*flatten_cues(cues), rng)))
    elapsed = 0.0
    errors: list[float] = []
    n_words = 0
    for seed, cues, words, starts in jobs:
        t0 = time.perf_counter()
        times = align_word_starts(seed.words, words, starts)
        elapsed += time.perf_counter() - t0
        n_words += len(seed.words)
        errors += _errors(seed.words, cues, times, 40, rng)
    within = sum(e <= TOLERANCE_S for e in errors) / len(errors)
    print(
        f"\naligned {len(jobs)} files / {n_words} words (perturbed captions) in {elapsed:.3f} s; "
        f"{within:.2%} of {len(errors)} positions within ±{TOLERANCE_S:g} s"
    )
    assert within >= 0.99
