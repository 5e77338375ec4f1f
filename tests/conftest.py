import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from store.encoders.embedder import SentenceTransformerEmbedder
from store.encoders.onnx_query import QueryRuntime
from store.encoders.splade import SpladeEncoder

# Question encoders' ONNX exports: made once per checkout, never in the user's own cache.
os.environ.setdefault(
    "NEWSREEL_MODEL_CACHE", str(Path(__file__).resolve().parents[1] / ".pytest_cache" / "onnx")
)

pytest_plugins = ["tests.fixtures_store"]

# Discord REST/gateway stand-in fixtures (tests/discord_standin).
pytest_plugins = [*pytest_plugins, "tests.discord_standin.fixtures", "tests.alert_fixtures",
                  "tests.fake_channel"]

# Test lanes: `make test-fast` leaves out the tests marked with these; `make test` runs them all.
# A test is marked by the fixtures it uses (directly or through other fixtures); a test that
# starts a model, a server or the CLI some other way carries the marker itself.
LANE_FIXTURES = {
    "model": {"real_embedder", "real_sparse", "corpus_library", "full_library"},
    "server": {"chroma_server"},
}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark each test with the lanes its fixtures put it in.

    A test that builds the whole-corpus library may also pay for its ingest (both models, 204
    videos: 3–5 minutes on a busy 2-core machine) inside its own time limit.
    """
    for item in items:
        used = set(getattr(item, "fixturenames", ()))
        for lane, fixtures in LANE_FIXTURES.items():
            if used & fixtures:
                item.add_marker(lane)
        if "full_library" in used:
            item.add_marker(pytest.mark.timeout(900))
        # With `pytest -n 2 --dist loadgroup` (make test) a group runs in one worker: a module's
        # fixtures are built once, and so is the whole-corpus library its users share.
        if item.get_closest_marker("xdist_group") is None:
            group = "full_library" if "full_library" in used else item.nodeid.split("::")[0]
            item.add_marker(pytest.mark.xdist_group(group))


@pytest.fixture(autouse=True)
def models_only_in_the_model_lane(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    """A test not marked `model` that loads a real model fails, so the fast lane stays fast."""
    if request.node.get_closest_marker("model") is None:
        def refuse(*_: object, **__: object) -> None:
            raise AssertionError(f"{request.node.nodeid} loads a real model: mark it `model`")

        monkeypatch.setattr(SentenceTransformerEmbedder, "load", refuse)
        monkeypatch.setattr(SpladeEncoder, "load", refuse)
        real_runtime = QueryRuntime.model

        def runtime(self: QueryRuntime) -> object:
            if self.kind in ("sentence", "splade"):  # the two real models' exports
                refuse()
            return real_runtime(self)

        monkeypatch.setattr(QueryRuntime, "model", runtime)
    yield
