"""Sparse vectors: the stored form and the dot product the reranker relies on."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from store.sparse import HashingSparseEncoder, SparseVector, dots

weights_st = st.dictionaries(
    st.integers(0, 30_521), st.floats(0.01, 20.0, allow_nan=False), max_size=300
)


@given(weights_st)
def test_pack_round_trip_keeps_terms_and_weights(weights: dict[int, float]) -> None:
    v = SparseVector.from_dict(weights)
    back = SparseVector.unpack(v.pack())
    assert back.ids.tolist() == sorted(weights)
    # float16 storage: three significant digits survive.
    np.testing.assert_allclose(back.weights, [weights[i] for i in sorted(weights)], rtol=1e-3)


@given(weights_st, weights_st)
def test_dot_is_the_sum_over_shared_terms(a: dict[int, float], b: dict[int, float]) -> None:
    expected = sum(w * b[i] for i, w in a.items() if i in b)
    got = SparseVector.from_dict(a).dot(SparseVector.from_dict(b))
    assert abs(got - expected) <= 1e-3 * max(1.0, abs(expected))


@given(weights_st, st.lists(weights_st, max_size=6))
def test_dots_at_once_equal_each_dot_product(
    q: dict[int, float], vs: list[dict[int, float]]
) -> None:
    query = SparseVector.from_dict(q)
    vectors = [SparseVector.from_dict(v) for v in vs]
    expected = [query.dot(v) for v in vectors]
    np.testing.assert_allclose(dots(query, vectors), expected, rtol=1e-5, atol=1e-4)


def test_from_dense_keeps_only_non_zero_entries() -> None:
    row = np.zeros(10, dtype=np.float32)
    row[[2, 7]] = [0.5, 1.5]
    v = SparseVector.from_dense(row)
    assert v.ids.tolist() == [2, 7] and v.weights.tolist() == [0.5, 1.5]


def test_fake_encoder_weighs_repeated_words_more_and_shares_terms() -> None:
    enc = HashingSparseEncoder()
    q, once, twice = enc.encode(["floods", "the floods came", "floods and more floods"])
    assert q.dot(twice) > q.dot(once) > 0
