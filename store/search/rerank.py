"""Rerank stage: rescore the fused candidates with a learned relevance model's stored vectors."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Protocol

from store.search.fusion import Candidate
from store.sparse import SparseVector, dots


class Reranker(Protocol):
    """Reorders fused candidates for a question; may set each candidate's `relevance`."""

    def rerank(
        self, query: SparseVector | None, candidates: Sequence[Candidate]
    ) -> list[Candidate]:
        """The same candidates, best first."""
        ...


class SparseVectorStore(Protocol):
    """Where chunks' sparse vectors are kept (the catalog)."""

    def sparse_vectors(self, chunk_ids: Sequence[str]) -> Mapping[str, SparseVector]:
        """Stored vectors of the given chunks; chunks without one are left out."""
        ...


class IdentityReranker:
    """Keeps the fused order (the method without a relevance model; unit tests)."""

    def rerank(
        self, query: SparseVector | None, candidates: Sequence[Candidate]
    ) -> list[Candidate]:
        """The candidates unchanged."""
        return list(candidates)


class SparseReranker:
    """Rescores the first `depth` candidates by SPLADE dot product blended with the fused score.

    The sparse model reads the question and the passage's terms (with learned expansion), which
    separates a passage that answers from one that only shares the topic better than cosine and
    BM25 do. The fused score stays in the blend as a smaller term: it carries the dense side.
    """

    def __init__(
        self, store: SparseVectorStore, depth: int = 40, fused_weight: float = 0.25
    ) -> None:
        self.store = store
        self.depth = depth
        self.fused_weight = fused_weight

    def rerank(
        self, query: SparseVector | None, candidates: Sequence[Candidate]
    ) -> list[Candidate]:
        """Top `depth` candidates rescored (score = sparse/best sparse + w·fused/best fused)."""
        head, tail = list(candidates[: self.depth]), list(candidates[self.depth :])
        if query is None or not len(query) or not head:
            return [*head, *tail]
        vectors = self.store.sparse_vectors([c.id for c in head])
        stored = [c.id for c in head if c.id in vectors]
        relevance = dict.fromkeys((c.id for c in head), 0.0)
        relevance.update(
            zip(stored, dots(query, [vectors[i] for i in stored]).tolist(), strict=True)
        )
        best_sparse = max(relevance.values()) or 1.0
        best_fused = max(c.score for c in head) or 1.0
        rescored = [
            replace(
                c,
                score=relevance[c.id] / best_sparse + self.fused_weight * c.score / best_fused,
                relevance=relevance[c.id],
            )
            for c in head
        ]
        rescored.sort(key=lambda c: (-c.score, c.id))
        # What was not reranked stays behind everything that was, in its fused order.
        floor = min((c.score for c in rescored), default=0.0)
        return [*rescored, *(replace(c, score=floor - 1.0 - i) for i, c in enumerate(tail))]
