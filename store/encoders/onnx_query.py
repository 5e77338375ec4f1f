"""Query encoders on ONNX Runtime: a model exported once from torch, then run without torch.

A question is one short text. torch spends more on dispatching a 12-token forward pass than on
the arithmetic, and loading it costs 5–10 s per process; ONNX Runtime runs the same graph in
about half the time and starts in well under a second. Documents (ingest's large batches) stay
on torch, where batching and bfloat16 pay.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import tempfile
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

log = logging.getLogger(__name__)

EXPORT_FORMAT = 1  # bump when the exported graph or its files change meaning
QUERY_BATCH = 8  # texts per call up to which a model runs here rather than on torch
MIN_AGREEMENT = 0.999  # least cosine between torch's and the export's output on the probes
PROBES = (
    "what did the met police say about mandelson",
    "Zelenskyy’s café: 1,200 troops, the EU & NATO — who’s next?",
)

Rows = npt.NDArray[np.float32]

# torch's exporter keeps global state: two exports at once (a first question encodes with both
# models side by side) make one of them fail. One export at a time, whatever the model.
_EXPORTING = threading.Lock()
# Said once per process, before the first export (the second model's follows within seconds).
# The CLI shows it as a plain line, the bot's log and --debug as a log line (app.logs).
EXPORT_NOTICE = "preparing the question encoders, once per machine, ~10 s"
_announced = False  # guarded by _EXPORTING


def cache_root() -> Path:
    """Where exports are kept: $NEWSREEL_MODEL_CACHE, else the user's cache folder
    ($XDG_CACHE_HOME or ~/.cache)/newsreel/onnx. Shared by every data folder on the machine."""
    explicit = os.environ.get("NEWSREEL_MODEL_CACHE")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "newsreel" / "onnx"


def export_key(kind: str, model_path: str) -> str:
    """A folder name for one model's export: `kind`-hash of the model's files (names, sizes,
    modification times) and the exporting libraries' versions. A changed model gets a new one."""
    h = hashlib.sha256(f"{kind}|{EXPORT_FORMAT}|{model_path}".encode())
    folder = Path(model_path)
    if folder.is_dir():
        for f in sorted(p for p in folder.rglob("*") if p.is_file()):
            st = f.stat()
            h.update(f"{f.relative_to(folder)}|{st.st_size}|{st.st_mtime_ns}".encode())
    for package in ("torch", "onnx", "onnxruntime", "transformers", "sentence-transformers"):
        try:
            h.update(f"{package}={version(package)}".encode())
        except PackageNotFoundError:
            h.update(f"{package}=none".encode())
    return f"{kind}-{h.hexdigest()[:16]}"


@dataclass(frozen=True)
class ExportSpec:
    """What a runner needs besides the graph: the inputs it takes and how texts are cut."""

    input_names: tuple[str, ...]
    max_length: int  # tokens; longer texts are truncated, as torch's side does

    def to_json(self) -> dict[str, Any]:
        return {"format": EXPORT_FORMAT, "inputs": list(self.input_names), "max": self.max_length}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ExportSpec:
        """The inverse of `to_json`; raises ValueError for another format."""
        if data.get("format") != EXPORT_FORMAT:
            raise ValueError(f"export format {data.get('format')!r}, not {EXPORT_FORMAT}")
        return cls(tuple(str(n) for n in data["inputs"]), int(data["max"]))


class OnnxQueryModel:
    """An exported model (`model.onnx`, `tokenizer.json`, `export.json` in one folder) run by
    ONNX Runtime: `run(texts)` gives one output row per text."""

    def __init__(self, folder: Path, threads: int = 2) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        self.folder = folder
        self.spec = ExportSpec.from_json(json.loads((folder / "export.json").read_text("utf-8")))
        tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        tokenizer.enable_truncation(self.spec.max_length)
        pad = tokenizer.padding or {}
        tokenizer.enable_padding(
            pad_id=pad.get("pad_id", 0), pad_token=pad.get("pad_token", "[PAD]")
        )
        self.tokenizer = tokenizer
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        # Spinning worker threads starve the other model's and Chroma's threads on two cores:
        # measured 17 ms for both query encoders in turn with spinning, 11 ms without.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self._session = ort.InferenceSession(
            str(folder / "model.onnx"), options, providers=["CPUExecutionProvider"]
        )

    def run(self, texts: Sequence[str]) -> Rows:
        """Output rows (n × the model's output size, float32) for n texts."""
        encodings = self.tokenizer.encode_batch(list(texts))
        feed = {}
        for name in self.spec.input_names:
            attr = {"input_ids": "ids", "attention_mask": "attention_mask"}.get(name, "type_ids")
            feed[name] = np.array([getattr(e, attr) for e in encodings], dtype=np.int64)
        out = self._session.run(None, feed)[0]
        return np.asarray(out, dtype=np.float32)


def agreement(a: Rows, b: Rows) -> float:
    """The least cosine between matching rows of two output matrices (1.0 = same directions)."""
    na = np.linalg.norm(a, axis=1)
    nb = np.linalg.norm(b, axis=1)
    both_zero = (na == 0) & (nb == 0)
    cos = (a * b).sum(axis=1) / np.maximum(na * nb, 1e-12)
    return float(np.where(both_zero, 1.0, cos).min())


class QueryRuntime:
    """Finds or makes the ONNX export of one model and opens it, once, on first use.

    `export(folder)` writes `model.onnx`, `tokenizer.json` and `export.json` into an empty
    folder and returns the torch side's output for PROBES (it needs torch). Any failure —
    no writable cache, an export that does not agree with torch — is logged once and `model()`
    then returns None, so callers stay on torch.
    """

    def __init__(
        self,
        kind: str,
        model_path: str,
        export: Callable[[Path], Rows],
        root: Path | None = None,
    ) -> None:
        self.kind = kind
        self.model_path = model_path
        self._export = export
        self._root = root
        self._model: OnnxQueryModel | None = None
        self._failed = False
        self._lock = threading.Lock()

    def model(self) -> OnnxQueryModel | None:
        """The opened export, exporting it first if the cache has none; None if impossible."""
        if self._model is not None or self._failed:
            return self._model
        with self._lock:
            if self._model is None and not self._failed:
                try:
                    self._model = self._open()
                except Exception as exc:  # any failure means: stay on torch
                    self._failed = True
                    log.warning(
                        "%s: question encoding stays on torch (%s: %s)",
                        self.kind, type(exc).__name__, exc,
                    )
        return self._model

    def _open(self) -> OnnxQueryModel:
        root = self._root or cache_root()
        folder = root / export_key(self.kind, self.model_path)
        if not (folder / "export.json").exists():
            with _EXPORTING:
                if not (folder / "export.json").exists():  # not made while this one waited
                    self._make(folder)
        return OnnxQueryModel(folder)

    def _make(self, folder: Path) -> None:
        # Several silent seconds before a first answer look like a hang: say what happens.
        global _announced
        if not _announced:
            _announced = True
            log.info(EXPORT_NOTICE)
        folder.parent.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix=f".{folder.name}-", dir=folder.parent))
        work.chmod(0o755)  # mkdtemp's 0700 would hide a shared cache from other users
        try:
            expected = self._export(work)
            got = OnnxQueryModel(work, threads=1).run(PROBES)
            fit = agreement(expected, got)
            if fit < MIN_AGREEMENT:
                raise ValueError(f"the export disagrees with torch (cosine {fit:.4f})")
            try:
                os.replace(work, folder)  # atomic: a reader sees no half-written export
            except OSError:
                if not (folder / "export.json").exists():
                    raise  # not another process's finished export: a real failure
            log.debug("exported %s for question encoding to %s", self.kind, folder)
        finally:
            shutil.rmtree(work, ignore_errors=True)
