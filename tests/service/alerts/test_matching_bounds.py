"""The follow rule's lowest bar, and the one-passage-at-a-time match that trends use."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from hypothesis import given
from hypothesis import strategies as st

from service.alerts.matching import TopicMatcher, decide, lowest_bar
from store.records import Hit

unit = st.floats(min_value=0.0, max_value=1.0)
similarity = st.floats(min_value=-1.0, max_value=1.0)


@given(similarity, unit, unit, st.floats(min_value=0.2, max_value=0.8))
def test_no_passage_under_its_bar_is_accepted(sim: float, share: float, video_share: float,
                                              threshold: float) -> None:
    # A passage's key-term share is at most its video's: the video's bar bounds the passage's.
    share = min(share, video_share)
    if decide(sim, share, threshold):
        assert sim >= lowest_bar(video_share, threshold) - 1e-9


def test_each_bar_is_reachable() -> None:
    for share, sim in ((1.0, 0.4), (0.5, 0.5), (0.0, 0.6)):
        assert lowest_bar(share) == sim and decide(sim, share)
        assert not decide(sim - 0.01, share)


class ThreePassages:
    """Passages with given similarities; "greenland" the only key term."""

    def __init__(self, sims: Mapping[str, list[tuple[str, float]]]) -> None:
        self.sims = sims
        self.embedded: list[str] = []

    def passages(self, topic: str, video_id: str, k: int) -> list[Hit]:
        return [Hit(video_id, "T", "C", "2026-01-01", text, 0.0, "u", 1.0, i * 10, i * 10 + 5)
                for i, (text, _) in enumerate(self.sims[video_id][:k])]

    def similarities(self, topic: str, texts: Sequence[str]) -> list[float]:
        self.embedded += texts
        table = {f"T. {t}": s for pairs in self.sims.values() for t, s in pairs}
        return [table[t] for t in texts]

    def key_weights(self, topic: str) -> Mapping[str, float]:
        return {"greenland": 1.0}


SIMS = {
    "first": [("greenland talks", 0.55), ("other", 0.3), ("more greenland", 0.7)],
    "third": [("weather", 0.2), ("sport", 0.1), ("the greenland deal", 0.52)],
    "none": [("weather", 0.45), ("sport", 0.1), ("markets", 0.2)],
}


def test_first_match_decides_as_match_and_embeds_less() -> None:
    for video in SIMS:
        full = TopicMatcher(ThreePassages(SIMS)).match("Greenland", video)
        evidence = ThreePassages(SIMS)
        lazy = TopicMatcher(evidence).first_match("Greenland", video)
        assert lazy.matched == full.matched, video
        assert len(evidence.embedded) == {"first": 1, "third": 3, "none": 3}[video]
    # A passage `worth` turns away is not embedded and does not match.
    evidence = ThreePassages(SIMS)
    skipped = TopicMatcher(evidence).first_match("Greenland", "first",
                                                 lambda hit, share: hit.start_word > 0)
    assert skipped.matched and skipped.hit is not None and skipped.hit.quote == "more greenland"
    assert evidence.embedded == ["T. other", "T. more greenland"]


class FocusedPassages(ThreePassages):
    """Passages shown whole around a focus: only the focus is what the follow test judges."""

    def passages(self, topic: str, video_id: str, k: int) -> list[Hit]:
        return [replace(h, quote=f"{h.quote} and a long story around it", focus=h.quote)
                for h in super().passages(topic, video_id, k)]


def test_first_match_judges_the_focus_as_match_does() -> None:
    # A trend (first_match) and /compare or a follow (match) must count the same videos; with
    # passages shown whole, judging the whole passage instead of its focus made them disagree.
    for video in SIMS:
        full = TopicMatcher(FocusedPassages(SIMS)).match("Greenland", video)
        lazy = TopicMatcher(FocusedPassages(SIMS)).first_match("Greenland", video)
        assert lazy.matched == full.matched, video
    assert TopicMatcher(FocusedPassages(SIMS)).first_match("Greenland", "third").matched
