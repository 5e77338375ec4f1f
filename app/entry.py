"""The `newsreel` console script: Ctrl-C while its libraries load is one line, like later."""

from __future__ import annotations

import sys


def main() -> int:
    """Load the CLI and run it; 130 (and one line) when interrupted while loading."""
    try:
        # numpy, chromadb and the model runtimes take a second or more to import.
        from app.cli import main as run_cli
    except KeyboardInterrupt:
        print("newsreel: interrupted", file=sys.stderr)
        return 130
    return run_cli()
