"""Exact cosine ranking over a few stored vectors: the filtered-search path that costs what it
filters. Vectors are stored as unit-length float16 (2 bytes a dimension), as Chroma's cosine
space would compare them."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from store.embedder import Vectors

_STORED = np.dtype("<f2")


def pack_vector(vector: npt.NDArray[np.floating]) -> bytes:
    """A vector as stored in the catalog: normalised to unit length, then float16 bytes."""
    v = np.asarray(vector, dtype=np.float32)
    norm = float(np.linalg.norm(v))
    return (v / norm if norm else v).astype(_STORED).tobytes()


def unpack_matrix(blobs: Sequence[bytes], dimension: int) -> Vectors:
    """Stored vectors as a float32 matrix, one row per blob; ValueError on a wrong size."""
    joined = b"".join(blobs)
    if len(joined) != len(blobs) * dimension * _STORED.itemsize:
        raise ValueError(f"stored vectors are not {dimension}-d float16")
    return np.frombuffer(joined, dtype=_STORED).reshape(len(blobs), dimension).astype(np.float32)


def exact_top(
    query: npt.NDArray[np.floating], ids: Sequence[str], matrix: Vectors, k: int
) -> list[tuple[str, float]]:
    """(id, cosine similarity) of the k rows nearest `query`, best first (ties by id).

    Rows are renormalised after the float16 round trip, so the scores are the cosines HNSW in
    cosine space reports (1 − distance), to about 1e-3.
    """
    if not len(ids) or k <= 0:
        return []
    q = np.asarray(query, dtype=np.float32)
    q = q / (float(np.linalg.norm(q)) or 1.0)
    norms = np.linalg.norm(matrix, axis=1)
    sims = (matrix @ q) / np.where(norms > 0, norms, 1.0)
    keep = np.argpartition(-sims, k - 1)[:k] if k < len(ids) else np.arange(len(ids))
    order = sorted(keep.tolist(), key=lambda i: (-float(sims[i]), ids[i]))
    return [(ids[i], float(sims[i])) for i in order]
