"""Which videos of a date range may cover a topic: each video's closest chunk to the topic.

A video covers a topic only if one of its passages is close to it in meaning (the follow test,
`service.alerts.matching`, never accepts a passage under 0.4); the chunk vectors stored at ingest
say which videos have such a passage, without a model run per video. The range's chunks are
ranked exactly from the catalog's copies when there are few enough (a 90-day range of one
channel mix is a few thousand), else the HNSW neighbours are fetched, deeper while the last
ones are still close.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from store.encoders.embedder import Vectors
from store.index.catalog import Catalog
from store.index.vector_index import ChromaIndex
from store.records import SearchFilters

SCAN_MAX = 60_000  # chunks ranked exactly (~45 MB of bfloat16 copies read, ~40 ms)
HNSW_DEPTH = 500  # first neighbours fetched beyond that
HNSW_MAX_DEPTH = 20_000


def video_closeness(
    catalog: Catalog,
    index: ChromaIndex,
    vector: Vectors,
    filters: SearchFilters,
    floor: float,
    scan_max: int = SCAN_MAX,
) -> dict[str, float]:
    """{video id: highest cosine of `vector` to one of its chunks} for the videos passing
    `filters` whose closest chunk reaches `floor`, closest first."""
    size = catalog.filtered_size(filters, scan_max)
    scan = None
    if size is not None and size <= scan_max:
        scan = catalog.filtered_vectors(filters, index.dimension)
    if scan is not None:
        ids, matrix = scan
        q = np.asarray(vector, dtype=np.float32)
        sims = np.einsum("ij,j->i", matrix, q / (float(np.linalg.norm(q)) or 1.0))
        keep = np.flatnonzero(sims >= floor)
        pairs = [(ids[i], float(sims[i])) for i in keep.tolist()]
    else:
        pairs = _neighbours(catalog, index, vector, filters, floor)
    return best_per_video(pairs)


def _neighbours(
    catalog: Catalog, index: ChromaIndex, vector: Vectors, filters: SearchFilters, floor: float
) -> list[tuple[str, float]]:
    """HNSW neighbours at or above `floor` that pass the filters, fetched deeper (×4) while the
    farthest one fetched is still above it."""
    allowed = catalog.video_filter_ids(filters) if filters.active else None
    depth = HNSW_DEPTH
    while True:
        got = index.query(vector, depth)
        if len(got) < depth or got[-1][1] < floor or depth >= HNSW_MAX_DEPTH:
            break
        depth *= 4
    return [
        (cid, s) for cid, s in got
        if s >= floor and (allowed is None or cid.rsplit(":", 1)[0] in allowed)
    ]


def best_per_video(pairs: Sequence[tuple[str, float]]) -> dict[str, float]:
    """{video id: best score} from (chunk id, score) pairs, best first (ties by id)."""
    best: dict[str, float] = {}
    for cid, score in pairs:
        vid = cid.rsplit(":", 1)[0]
        if score > best.get(vid, -2.0):
            best[vid] = score
    return dict(sorted(best.items(), key=lambda kv: (-kv[1], kv[0])))
