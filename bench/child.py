"""Run one bench step in a fresh Python process, relaying its stderr lines as progress."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent


def run_module(module: str, args: Sequence[str], progress: Callable[[str], None]) -> dict[str, Any]:
    """`python -m module args… --out FILE`; returns the JSON object the child wrote to FILE."""
    # A separate process gives each store a clean resident-memory figure and keeps Chroma
    # clients of different stores (and of a half-built one) out of each other's way.
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(
            p for p in (str(REPO), os.environ.get("PYTHONPATH", "")) if p
        ),
    }
    with tempfile.TemporaryDirectory(prefix="newsreel-bench-") as tmp:
        out = Path(tmp) / "result.json"
        proc = subprocess.Popen(
            [sys.executable, "-m", module, *args, "--out", str(out)],
            cwd=REPO,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert proc.stderr is not None
        tail: list[str] = []
        try:
            for line in proc.stderr:
                line = line.rstrip()
                if line and "Loading weights" not in line:  # the model loader's progress bar
                    tail = [*tail[-30:], line]
                    progress(line)
        except BaseException:  # stopped (Ctrl-C, SIGTERM): the child stops and cleans up too
            proc.terminate()
            proc.wait()
            raise
        code = proc.wait()
        if code != 0 or not out.exists():
            detail = "\n".join(tail[-10:])
            raise RuntimeError(f"{module} failed with exit code {code}:\n{detail}")
        result: dict[str, Any] = json.loads(out.read_text())
        return result
