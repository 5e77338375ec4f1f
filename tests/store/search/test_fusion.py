from store.search.fusion import fuse


def test_a_chunk_found_by_both_sides_beats_one_found_by_either():
    dense = [("a", 0.60), ("b", 0.55), ("c", 0.30)]
    keyword = [("d", 12.0), ("b", 10.0), ("e", 2.0)]
    ranked = [c.id for c in fuse(dense, keyword)]
    assert ranked[0] == "b"


def test_weak_keyword_list_is_not_stretched():
    # One keyword hit whose BM25 is tiny relative to... itself: divided by the max it stays 1,
    # but the dense side's scale is min-max, so weights decide. Zero keyword weight = dense order.
    dense = [("a", 0.9), ("b", 0.5)]
    keyword = [("b", 3.0)]
    assert [c.id for c in fuse(dense, keyword, 1.0, 0.0)] == ["a", "b"]
    assert fuse(dense, keyword, 0.0, 1.0)[0].id == "b"


def test_raw_scores_are_kept_for_abstention():
    out = {c.id: c for c in fuse([("a", 0.42)], [("a", 7.5)])}
    assert out["a"].dense == 0.42 and out["a"].keyword == 7.5


def test_empty_inputs():
    assert fuse([], []) == []
    assert [c.id for c in fuse([], [("x", 1.0)])] == ["x"]
