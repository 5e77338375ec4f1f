"""Question encoders on ONNX Runtime: the export cache, its checks, and agreement with torch."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import textwrap
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper
from tokenizers import Tokenizer, models, pre_tokenizers

from store.encoders.embedder import SentenceTransformerEmbedder
from store.encoders.onnx_query import (
    EXPORT_FORMAT,
    PROBES,
    ExportSpec,
    OnnxQueryModel,
    QueryRuntime,
    Rows,
    agreement,
    export_key,
)
from store.encoders.splade import SpladeEncoder

VOCAB = {"[PAD]": 0, "[UNK]": 1, "police": 2, "said": 3, "floods": 4}


def write_token_counter(folder: Path) -> None:
    """A tiny export with no torch: its one output per text is the sum of its token ids."""
    ids = helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["texts", "tokens"])
    mask = helper.make_tensor_value_info("attention_mask", TensorProto.INT64, ["texts", "tokens"])
    rows = helper.make_tensor_value_info("rows", TensorProto.FLOAT, ["texts", 1])
    axes = helper.make_tensor("axes", TensorProto.INT64, [1], [1])
    graph = helper.make_graph(
        [
            helper.make_node("Mul", ["input_ids", "attention_mask"], ["kept"]),
            helper.make_node("Cast", ["kept"], ["as_float"], to=TensorProto.FLOAT),
            helper.make_node("ReduceSum", ["as_float", "axes"], ["rows"], keepdims=1),
        ],
        "token_counter",
        [ids, mask],
        [rows],
        [axes],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8  # one every ONNX Runtime release reads
    onnx.save(model, str(folder / "model.onnx"))
    tokenizer = Tokenizer(models.WordLevel(VOCAB, unk_token="[UNK]"))
    tokenizer.pre_tokenizer = pre_tokenizers.Whitespace()
    tokenizer.save(str(folder / "tokenizer.json"))
    spec = ExportSpec(("input_ids", "attention_mask"), max_length=64)
    (folder / "export.json").write_text(json.dumps(spec.to_json()), encoding="utf-8")


def token_sums(texts: tuple[str, ...] | list[str]) -> Rows:
    """What `write_token_counter`'s graph gives for these texts."""
    words = [t.replace(",", " ").split() for t in texts]
    return np.array([[sum(VOCAB.get(w, 1) for w in ws)] for ws in words], dtype=np.float32)


class Exporter:
    """Counts its calls; `agree=False` makes it claim torch said something else."""

    def __init__(self, agree: bool = True) -> None:
        self.calls = 0
        self.agree = agree

    def __call__(self, folder: Path) -> Rows:
        self.calls += 1
        write_token_counter(folder)
        expected = token_sums(PROBES)
        return expected if self.agree else -expected


def test_an_export_is_made_once_and_then_found(tmp_path: Path) -> None:
    exporter = Exporter()
    first = QueryRuntime("counter", "some/model", exporter, tmp_path).model()
    assert first is not None
    np.testing.assert_array_equal(
        first.run(["police said", "floods floods"]), [[5.0], [8.0]]
    )
    again = QueryRuntime("counter", "some/model", exporter, tmp_path).model()
    assert again is not None and again.folder == first.folder
    assert exporter.calls == 1
    assert [p.name for p in tmp_path.iterdir()] == [first.folder.name]  # no work folder left


def test_two_models_first_used_at_once_are_exported_one_after_the_other(tmp_path: Path) -> None:
    # torch's exporter cannot run twice at once; a first question starts both models together.
    running, most = 0, 0
    guard = threading.Lock()

    def exporter(folder: Path) -> Rows:
        nonlocal running, most
        with guard:
            running += 1
            most = max(most, running)
        time.sleep(0.2)
        with guard:
            running -= 1
        write_token_counter(folder)
        return token_sums(PROBES)

    runtimes = [QueryRuntime(kind, "m", exporter, tmp_path) for kind in ("dense", "sparse")]
    with ThreadPoolExecutor(2) as pool:
        models = list(pool.map(lambda r: r.model(), runtimes))
    assert all(m is not None for m in models) and most == 1
    assert sorted(p.name.split("-")[0] for p in tmp_path.iterdir()) == ["dense", "sparse"]


def test_texts_of_different_lengths_in_one_call_are_padded_not_mixed(tmp_path: Path) -> None:
    runner = QueryRuntime("counter", "m", Exporter(), tmp_path).model()
    assert runner is not None
    texts = ["police", "police said floods police", "said"]
    np.testing.assert_array_equal(runner.run(texts), token_sums(texts))


def test_an_export_that_disagrees_with_torch_is_discarded(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    exporter = Exporter(agree=False)
    runtime = QueryRuntime("counter", "m", exporter, tmp_path)
    with caplog.at_level(logging.WARNING):
        assert runtime.model() is None
        assert runtime.model() is None
    assert exporter.calls == 1  # failed once, not retried on every question
    assert list(tmp_path.iterdir()) == []
    [record] = [r for r in caplog.records if "stays on torch" in r.getMessage()]
    assert "disagrees with torch" in record.getMessage()


def test_a_cache_that_cannot_be_made_leaves_questions_on_torch(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / "taken").write_text("a file where the cache folder would go")
    exporter = Exporter()
    with caplog.at_level(logging.WARNING):
        assert QueryRuntime("counter", "m", exporter, tmp_path / "taken" / "onnx").model() is None
    assert exporter.calls == 0
    assert "stays on torch" in caplog.text


def test_an_export_of_an_older_format_is_refused(tmp_path: Path) -> None:
    write_token_counter(tmp_path)
    (tmp_path / "export.json").write_text(
        json.dumps({"format": EXPORT_FORMAT + 1, "inputs": ["input_ids"], "max": 8}), "utf-8"
    )
    with pytest.raises(ValueError, match="export format"):
        OnnxQueryModel(tmp_path)


def test_a_changed_model_file_gets_a_new_export(tmp_path: Path) -> None:
    (tmp_path / "model.safetensors").write_bytes(b"weights")
    before = export_key("sentence", str(tmp_path))
    assert export_key("sentence", str(tmp_path)) == before
    assert export_key("splade", str(tmp_path)) != before
    (tmp_path / "model.safetensors").write_bytes(b"other weights")
    assert export_key("sentence", str(tmp_path)) != before


def test_agreement_is_the_least_cosine_of_matching_rows() -> None:
    a = np.array([[1.0, 0.0], [0.0, 2.0], [0.0, 0.0]], dtype=np.float32)
    assert agreement(a, a * 3) == pytest.approx(1.0)
    b = a.copy()
    b[1] = [0.0, -1.0]
    assert agreement(a, b) == pytest.approx(-1.0)


QUESTIONS = [
    "what did the met police say about mandelson",
    "How many people died in the Mozambique floods?",
    "Zelenskyy’s peace plan: what did Trump say?",
]


@pytest.mark.model
def test_onnx_question_vectors_match_torch(tmp_path: Path) -> None:
    onnx_side = SentenceTransformerEmbedder(export_root=tmp_path)
    torch_side = SentenceTransformerEmbedder(query_runtime="torch")
    got, expected = onnx_side.embed(QUESTIONS), torch_side.embed(QUESTIONS)
    assert agreement(got, expected) > 0.99  # torch may run in bfloat16 here
    assert np.allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-4)
    assert any(p.name.startswith("sentence-") for p in tmp_path.iterdir())


@pytest.mark.model
def test_onnx_sparse_vectors_weigh_the_same_terms(tmp_path: Path) -> None:
    onnx_side = SpladeEncoder(export_root=tmp_path)
    torch_side = SpladeEncoder(query_runtime="torch")
    for got, expected in zip(
        onnx_side.encode(QUESTIONS), torch_side.encode(QUESTIONS), strict=True
    ):
        top = set(expected.ids[np.argsort(-expected.weights)[:8]].tolist())
        assert top <= set(got.ids.tolist())
        assert got.dot(expected) / np.sqrt(got.dot(got) * expected.dot(expected)) > 0.99
    assert onnx_side.term_ids(["mandelson"]) == torch_side.term_ids(["mandelson"])


@pytest.mark.model
def test_a_first_question_exports_both_real_models_side_by_side(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    embedder = SentenceTransformerEmbedder(export_root=tmp_path)
    sparse = SpladeEncoder(export_root=tmp_path)
    with caplog.at_level(logging.WARNING), ThreadPoolExecutor(1) as pool:
        pending = pool.submit(sparse.encode, ["who won the election"])  # as Searcher.encode does
        vec = embedder.embed(["who won the election"])
        assert len(pending.result()[0]) > 0 and vec.shape == (1, 384)
    assert "stays on torch" not in caplog.text
    assert sorted(p.name.split("-")[0] for p in tmp_path.iterdir()) == ["sentence", "splade"]


@pytest.mark.model
def test_a_question_is_answered_without_loading_torch_once_exported(tmp_path: Path) -> None:
    script = textwrap.dedent(
        f"""
        import sys
        from pathlib import Path
        from store.encoders.embedder import SentenceTransformerEmbedder
        from store.encoders.splade import SpladeEncoder
        root = Path({str(tmp_path)!r})
        vec = SentenceTransformerEmbedder(export_root=root).embed(["who won the election"])
        sparse = SpladeEncoder(export_root=root).encode(["who won the election"])
        print(vec.shape[1], len(sparse[0]) > 0, "torch" in sys.modules)
        """
    )
    root = Path(__file__).resolve().parents[3]

    def run() -> list[str]:
        done = subprocess.run(
            [sys.executable, "-c", script], cwd=root, capture_output=True, text=True, timeout=300
        )
        assert done.returncode == 0, done.stderr
        return done.stdout.split()

    assert run() == ["384", "True", "True"]  # the first use exports, with torch
    assert run() == ["384", "True", "False"]
