"""The neural models that turn text into vectors (MiniLM dense, SPLADE sparse) and their
ONNX question runtimes. Imports nothing from `store.index`, `store.search` or `store.sources`."""

# Loaded on first use, so that a module needing a vector type does not load the models' runtimes.
from __future__ import annotations

from typing import TYPE_CHECKING

from store.public_names import lazy_exports

if TYPE_CHECKING:
    from store.encoders.embedder import (
        DEFAULT_MODEL,
        Embedder,
        MetadataOnlyEmbedder,
        SentenceTransformerEmbedder,
    )
    from store.encoders.splade import DEFAULT_SPARSE_MODEL, SpladeEncoder

_PUBLIC = {
    "DEFAULT_MODEL": "store.encoders.embedder",
    "DEFAULT_SPARSE_MODEL": "store.encoders.splade",
    "Embedder": "store.encoders.embedder",
    "MetadataOnlyEmbedder": "store.encoders.embedder",
    "SentenceTransformerEmbedder": "store.encoders.embedder",
    "SpladeEncoder": "store.encoders.splade",
}
__all__ = [
    "DEFAULT_MODEL",
    "DEFAULT_SPARSE_MODEL",
    "Embedder",
    "MetadataOnlyEmbedder",
    "SentenceTransformerEmbedder",
    "SpladeEncoder",
]
__getattr__ = lazy_exports(__name__, _PUBLIC)
