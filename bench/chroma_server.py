"""Start and stop a real `chroma run` server on 127.0.0.1 (the logic of tests/fixtures_store.py)."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path


def free_port() -> int:
    """An unused TCP port on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_chroma(path: Path, port: int, timeout_s: float = 120.0) -> subprocess.Popen[bytes]:
    """Start a `chroma run` server on a folder and wait for its heartbeat."""
    # The executable beside this interpreter: the one that ships with the venv's chromadb.
    exe = shutil.which("chroma", path=str(Path(sys.executable).parent)) or "chroma"
    proc = subprocess.Popen(
        [exe, "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + timeout_s
    try:
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(f"chroma run exited with {proc.returncode}")
            try:
                with urllib.request.urlopen(
                    f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=1
                ):
                    return proc
            except OSError:
                time.sleep(0.2)
    except BaseException:  # stopped while waiting: no server left running
        stop_chroma(proc)
        raise
    stop_chroma(proc)
    raise RuntimeError(f"chroma run did not start within {timeout_s:.0f} s")


def stop_chroma(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM the server (it stops cleanly on it) and wait; kill it if it hangs."""
    proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
