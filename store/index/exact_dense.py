"""Exact cosine ranking over a few stored vectors: the filtered-search path that costs what it
filters. Vectors are stored as unit-length bfloat16 (2 bytes a dimension): the top half of a
float32, so reading them back is a shift (float16 would need a 5× slower conversion, measured in
BENCHMARKS.md), and a cosine of 384 such components is off by about 1e-4."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from store.encoders.embedder import Vectors

_STORED = np.dtype("<u2")  # bfloat16 bits


def pack_matrix(vectors: npt.NDArray[np.floating]) -> bytes:
    """Vectors (one per row) as stored in the catalog: rows normalised, bfloat16 bytes."""
    m = np.asarray(vectors, dtype=np.float32).reshape(len(vectors), -1)
    norms = np.linalg.norm(m, axis=1, keepdims=True)
    bits = (m / np.where(norms > 0, norms, 1.0)).astype("<f4").view("<u4")
    # Round to nearest, ties to even, rather than cutting the low half off.
    rounded = (bits + 0x7FFF + ((bits >> 16) & 1)) >> 16
    return rounded.astype(_STORED).tobytes()


def unpack_matrix(blob: bytes, rows: int, dimension: int) -> Vectors:
    """Stored vectors as a float32 matrix of `rows` rows; ValueError on a wrong size."""
    if len(blob) != rows * dimension * _STORED.itemsize:
        raise ValueError(f"stored vectors are not {rows} x {dimension}-d bfloat16")
    bits = np.frombuffer(blob, dtype=_STORED).astype("<u4") << 16
    return bits.view("<f4").astype(np.float32, copy=False).reshape(rows, dimension)


def exact_top(
    query: npt.NDArray[np.floating], ids: Sequence[str], matrix: Vectors, k: int
) -> list[tuple[str, float]]:
    """(id, cosine similarity) of the k rows nearest `query`, best first (ties by id).

    Rows are unit vectors rounded to bfloat16, so the scores are the cosines HNSW in cosine
    space reports (1 − distance) to about 1e-4.
    """
    if not len(ids) or k <= 0:
        return []
    q = np.asarray(query, dtype=np.float32)
    # einsum's own loop, not BLAS: a matrix-vector product this small gains nothing from
    # BLAS threads, and on a busy machine they made it 10-20 ms instead of under 1.
    sims = np.einsum("ij,j->i", matrix, q / (float(np.linalg.norm(q)) or 1.0))
    keep = np.argpartition(-sims, k - 1)[:k] if k < len(ids) else np.arange(len(ids))
    order = sorted(keep.tolist(), key=lambda i: (-float(sims[i]), ids[i]))
    return [(ids[i], float(sims[i])) for i in order]
