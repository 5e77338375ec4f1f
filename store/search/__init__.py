"""A question's pipeline, one module a stage: query analysis, candidates, fusion, rerank,
localise, diversify, abstain, quotes, hits; `Searcher` composes them. Imports from
`store.index` and `store.encoders`, never from `store.sources`."""

# Loaded on first use, so that importing one pure stage (`store.search.fusion`) does not load
# the Searcher's adapters (SQLite, Chroma, tantivy) with it.
from __future__ import annotations

from typing import TYPE_CHECKING

from store.public_names import lazy_exports

if TYPE_CHECKING:
    from store.search.abstain import AbstainParams
    from store.search.names import NameParams
    from store.search.quotes import ELLIPSIS, is_verbatim, stem
    from store.search.rerank import IdentityReranker, Reranker, SparseReranker
    from store.search.searcher import QuoteMatch, Searcher, SearchParams, chroma_where
    from store.search.topic_candidates import video_closeness

_PUBLIC = {
    "AbstainParams": "store.search.abstain",
    "ELLIPSIS": "store.search.quotes",
    "IdentityReranker": "store.search.rerank",
    "NameParams": "store.search.names",
    "QuoteMatch": "store.search.searcher",
    "Reranker": "store.search.rerank",
    "SearchParams": "store.search.searcher",
    "Searcher": "store.search.searcher",
    "SparseReranker": "store.search.rerank",
    "chroma_where": "store.search.searcher",
    "is_verbatim": "store.search.quotes",
    "stem": "store.search.quotes",
    "video_closeness": "store.search.topic_candidates",
}
__all__ = [
    "ELLIPSIS",
    "AbstainParams",
    "IdentityReranker",
    "NameParams",
    "QuoteMatch",
    "Reranker",
    "SearchParams",
    "Searcher",
    "SparseReranker",
    "chroma_where",
    "is_verbatim",
    "stem",
    "video_closeness",
]
__getattr__ = lazy_exports(__name__, _PUBLIC)
