"""The rerank stage, with a fake vector store: order, blend and the untouched tail."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from store.search.fusion import Candidate
from store.search.rerank import IdentityReranker, SparseReranker
from store.sparse import SparseVector


class FakeStore:
    def __init__(self, vectors: dict[str, SparseVector]) -> None:
        self.vectors = vectors

    def sparse_vectors(self, chunk_ids: Sequence[str]) -> Mapping[str, SparseVector]:
        return {i: self.vectors[i] for i in chunk_ids if i in self.vectors}


QUERY = SparseVector.from_dict({1: 1.0, 2: 1.0})
CANDS = [
    Candidate("v:0", 0.9, 0.6, 10.0),  # fused first, shares little with the question
    Candidate("v:90", 0.8, 0.5, 8.0),  # shares the question's terms strongly
    Candidate("w:0", 0.7, 0.4, 6.0),  # no stored vector
    Candidate("x:0", 0.1, 0.1, 1.0),  # beyond the rerank depth
]
STORE = FakeStore(
    {
        "v:0": SparseVector.from_dict({1: 0.5, 9: 3.0}),
        "v:90": SparseVector.from_dict({1: 2.0, 2: 2.0}),
        "x:0": SparseVector.from_dict({1: 9.0, 2: 9.0}),
    }
)


def test_identity_keeps_the_fused_order() -> None:
    assert [c.id for c in IdentityReranker().rerank(QUERY, CANDS)] == ["v:0", "v:90", "w:0", "x:0"]


def test_relevance_reorders_the_head_and_leaves_the_tail_behind() -> None:
    out = SparseReranker(STORE, depth=3, fused_weight=0.25).rerank(QUERY, CANDS)
    assert [c.id for c in out] == ["v:90", "v:0", "w:0", "x:0"]
    assert out[0].relevance == 4.0 and out[1].relevance == 0.5 and out[2].relevance == 0.0
    # x:0 would win on relevance but was beyond the depth: it stays last, below everything.
    assert out[-1].score < min(c.score for c in out[:-1])


def test_fused_score_breaks_a_relevance_tie() -> None:
    tie = FakeStore(
        {"v:0": SparseVector.from_dict({1: 1.0}), "v:90": SparseVector.from_dict({2: 1.0})}
    )
    out = SparseReranker(tie, depth=2).rerank(QUERY, CANDS[:2])
    assert [c.id for c in out] == ["v:0", "v:90"]


def test_no_query_vector_means_no_change() -> None:
    assert SparseReranker(STORE).rerank(None, CANDS) == CANDS
