"""Detect a catalog and a vector index that no longer describe the same chunks."""

from __future__ import annotations

from store.index.catalog import Catalog
from store.index.vector_index import ChromaIndex


def store_problem(catalog: Catalog, index: ChromaIndex) -> str | None:
    """Why the two stores disagree, or None when they agree (or a rerun of ingest heals them).

    Counting is cheap at any size; comparing every id is left to `newsreel rebuild`.
    """
    chunks = catalog.chunk_rows()
    vectors = index.count()
    if chunks == vectors:
        return None
    if catalog.pending_videos() or catalog.stale_vector_ids():
        return None  # an interrupted ingest: the next ingest run completes it
    if chunks and not vectors:
        return (
            f"the vector index at {index.where} is empty but the catalog lists {chunks} chunks"
            " (deleted or replaced?)"
        )
    if vectors and not chunks:
        return (
            f"the catalog {catalog.path} is empty but the vector index holds {vectors} vectors"
            " (catalog deleted?)"
        )
    return f"the catalog lists {chunks} chunks but the vector index holds {vectors}"
