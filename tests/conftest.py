pytest_plugins = ["tests.fixtures_store"]

# Discord REST/gateway stand-in fixtures (tests/discord_standin).
pytest_plugins = [*pytest_plugins, "tests.discord_standin.fixtures"]

import pytest  # noqa: E402


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A test that builds the whole-corpus library may pay for its ingest (both models, 204
    videos: 3–5 minutes on a busy 2-core machine) inside its own time limit."""
    for item in items:
        if "full_library" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.timeout(900))
