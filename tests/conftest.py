pytest_plugins = ["tests.fixtures_store"]

# Discord REST/gateway stand-in fixtures (tests/discord_standin).
pytest_plugins = [*pytest_plugins, "tests.discord_standin.fixtures"]
