pytest_plugins = ["tests.fixtures_store"]
