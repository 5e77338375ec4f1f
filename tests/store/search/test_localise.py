"""Localisation inside one video: the window with the detail beats the one naming the story."""

from __future__ import annotations

from store.search.localise import Window, localise, pick_windows
from store.sparse import HashingSparseEncoder

ENC = HashingSparseEncoder()
VIDEO = [
    # The opening summary names the story and outscores the detail on raw relevance, as the
    # real model does ("Mozambique is facing its worst flooding…" 11.6 vs 10.5).
    "the mozambique floods in mozambique are the worst floods mozambique has seen",
    "the president visited mozambique as the floods spread across the south of mozambique",
    "officials say more than ten thousand homes have been destroyed in mozambique",
    "aid agencies in mozambique warn of cholera after the floods",
]
QUESTION = "how many homes have been destroyed in the mozambique floods"


def windows() -> list[Window]:
    vecs = ENC.encode(VIDEO)
    return [Window(f"v:{i * 90}", i * 90, i * 90 + 120, v) for i, v in enumerate(vecs)]


def test_the_detail_window_beats_the_summary_that_scores_higher_on_raw_relevance() -> None:
    q = ENC.encode([QUESTION])[0]
    ws = windows()
    raw = [q.dot(w.vector) for w in ws if w.vector is not None]
    assert raw[0] > raw[2], "the hand-made summary must win on raw relevance for this test"
    ranked = localise(q, ws, relevance_scale=max(raw))
    assert ranked[0][0].start_word == 180
    # Without the in-video weighing the summary would win: the local term is what decides.
    assert localise(q, ws, relevance_scale=max(raw), local_weight=0)[0][0].start_word == 0


def test_a_candidate_window_keeps_its_reranked_score_as_the_base() -> None:
    q = ENC.encode([QUESTION])[0]
    ranked = localise(q, windows(), relevance_scale=1.0, reranked={"v:90": 100.0})
    assert ranked[0][0].id == "v:90"


def test_windows_without_vectors_rank_last_and_picks_never_overlap() -> None:
    q = ENC.encode([QUESTION])[0]
    ws = [*windows(), Window("v:360", 360, 480, None)]
    ranked = localise(q, ws, relevance_scale=10.0)
    assert ranked[-1][0].id == "v:360"
    overlapping = [
        (Window("a", 0, 120, None), 3.0),
        (Window("b", 60, 180, None), 2.0),
        (Window("c", 120, 240, None), 1.0),
    ]
    assert [w.id for w in pick_windows(overlapping, 2)] == ["a", "c"]
