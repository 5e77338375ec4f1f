"""Exporting the two query encoders from torch to ONNX (torch's TorchScript-based exporter).

Each function writes `model.onnx`, `tokenizer.json` and `export.json` into a folder and returns
what the float32 torch model gives for `PROBES`, which the caller compares with the export.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

import numpy as np

from store.encoders.onnx_query import PROBES, ExportSpec, Rows

OPSET = 17
_DYNAMIC = {0: "texts", 1: "tokens"}


def _write(folder: Path, module: Any, batch: dict[str, Any], spec: ExportSpec, tok: Any) -> None:
    import torch

    inputs = tuple(batch[n] for n in spec.input_names)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # tracer notes about shapes that the dynamic axes cover
        torch.onnx.export(
            module,
            inputs,
            str(folder / "model.onnx"),
            input_names=list(spec.input_names),
            output_names=["rows"],
            dynamic_axes={**{n: _DYNAMIC for n in spec.input_names}, "rows": {0: "texts"}},
            opset_version=OPSET,
            dynamo=False,
        )
    tok.backend_tokenizer.save(str(folder / "tokenizer.json"))
    (folder / "export.json").write_text(json.dumps(spec.to_json()), encoding="utf-8")


def _input_names(batch: dict[str, Any]) -> tuple[str, ...]:
    known = ("input_ids", "attention_mask", "token_type_ids")
    return tuple(n for n in known if n in batch)


def export_sentence_transformer(model_path: str, folder: Path) -> Rows:
    """Export a sentence-transformers model's unit-length sentence embedding (float32)."""
    import torch
    from sentence_transformers import SentenceTransformer

    st = SentenceTransformer(model_path, device="cpu")
    batch = dict(st.tokenizer(list(PROBES), padding=True, return_tensors="pt"))
    spec = ExportSpec(_input_names(batch), int(st.max_seq_length or 512))

    class SentenceEmbedding(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.st = st

        def forward(self, *inputs: Any) -> Any:
            out = self.st(dict(zip(spec.input_names, inputs, strict=True)))
            return torch.nn.functional.normalize(out["sentence_embedding"], dim=-1)

    module = SentenceEmbedding().eval()
    _write(folder, module, batch, spec, st.tokenizer)
    expected = st.encode(list(PROBES), normalize_embeddings=True, convert_to_numpy=True)
    return np.asarray(expected, dtype=np.float32)


def export_splade(model_path: str, folder: Path, max_tokens: int) -> Rows:
    """Export a SPLADE masked-LM model's max-pooled log(1 + ReLU(logits)) rows (float32)."""
    import torch
    from transformers import AutoModelForMaskedLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(model_path)
    model = AutoModelForMaskedLM.from_pretrained(model_path).eval()
    batch = dict(
        tokenizer(list(PROBES), padding=True, return_tensors="pt", return_token_type_ids=False)
    )
    spec = ExportSpec(_input_names(batch), max_tokens)

    class Splade(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.model = model

        def forward(self, *inputs: Any) -> Any:
            feed = dict(zip(spec.input_names, inputs, strict=True))
            logits = self.model(**feed).logits
            padding = ~feed["attention_mask"].bool().unsqueeze(-1)
            pooled = logits.masked_fill(padding, float("-inf")).amax(dim=1)
            return torch.log1p(torch.relu(pooled))

    module = Splade().eval()
    with torch.inference_mode():
        expected = module(*(batch[n] for n in spec.input_names)).numpy()
    _write(folder, module, batch, spec, tokenizer)
    return np.asarray(expected, dtype=np.float32)
