"""A benchmark stopped by a signal leaves no temporary folder behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bench.child import REPO

pytestmark = [pytest.mark.cli, pytest.mark.timeout(120)]


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP])
def test_a_bench_stopped_by_a_signal_removes_its_temporary_folder(
    tmp_path: Path, sig: signal.Signals
) -> None:
    temp = tmp_path / "tmp"
    temp.mkdir()
    proc = subprocess.Popen(
        [sys.executable, "-m", "bench.run", "--quick", "--cache-dir", str(tmp_path / "cache")],
        cwd=REPO, env={**os.environ, "TMPDIR": str(temp)},
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )
    deadline = time.monotonic() + 60
    while not list(temp.glob("newsreel-bench-*")) and proc.poll() is None:
        assert time.monotonic() < deadline, "the bench never made its temporary folder"
        time.sleep(0.05)
    assert proc.poll() is None, proc.communicate()[1]
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 128 + sig, err
    assert list(temp.iterdir()) == [], "the temporary folder outlived the bench"
