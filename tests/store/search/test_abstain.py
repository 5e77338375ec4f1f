"""The abstention rule: which passages are too weak to quote."""

from __future__ import annotations

from store.search.abstain import AbstainParams, answer_confidence

P = AbstainParams()


def abstains(
    dense: float, coverage: float, relevance: float | None, norm_sq: float = 100.0
) -> bool:
    confidence, threshold = answer_confidence(dense, coverage, relevance, norm_sq, P)
    return confidence < threshold


def test_a_close_passage_from_a_video_with_the_questions_words_is_quoted() -> None:
    assert not abstains(0.6, 0.9, 8.0)
    assert not abstains(0.6, 0.9, None)


def test_a_nearest_neighbour_without_the_questions_words_is_not() -> None:
    assert abstains(0.4, 0.3, 3.0)
    assert abstains(0.4, 0.3, None)


def test_relevance_counts_relative_to_the_questions_own_weight() -> None:
    # The same dot product means less for a question with more (or heavier) terms.
    assert not abstains(0.5, 0.5, 10.0, norm_sq=25.0)
    assert abstains(0.5, 0.5, 10.0, norm_sq=10_000.0)
