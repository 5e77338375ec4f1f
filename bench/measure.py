"""Small measuring helpers: percentiles, sizes, memory and a description of the machine."""

from __future__ import annotations

import datetime as dt
import os
import platform
import subprocess
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import psutil

MB = 1024 * 1024


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0–100) with linear interpolation; 0.0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q / 100.0
    lo = int(pos)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


def p50_p95(ms: Sequence[float]) -> tuple[float, float]:
    """Median and 95th percentile, rounded to 0.1 ms."""
    return round(percentile(ms, 50), 1), round(percentile(ms, 95), 1)


def dir_size_mb(paths: Iterable[Path]) -> float:
    """Megabytes on disk (allocated blocks: sparse files count as what they use)."""
    total = 0
    for root in paths:
        if not root.exists():
            continue
        files = [root] if root.is_file() else [p for p in root.rglob("*") if p.is_file()]
        for f in files:
            st = f.stat()
            # st_blocks is in 512-byte units; fall back to the size where it is not reported.
            total += st.st_blocks * 512 if hasattr(st, "st_blocks") else st.st_size
    return round(total / MB, 1)


def store_disk_mb(data_dir: Path) -> float:
    """Disk used by a data dir's catalog (with its WAL) and its Chroma folder."""
    return dir_size_mb([*sorted(data_dir.glob("catalog.sqlite3*")), data_dir / "chroma"])


def rss_mb(pid: int | None = None, children: bool = False) -> float:
    """Resident memory of a process (and optionally its children) in MB."""
    proc = psutil.Process(pid)
    procs = [proc, *proc.children(recursive=True)] if children else [proc]
    total = 0
    for p in procs:
        try:
            total += p.memory_info().rss
        except psutil.Error:
            continue  # a child that exited meanwhile
    return round(total / MB, 1)


def cpu_model() -> str:
    """The CPU model name as lscpu reports it."""
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        out = ""
    for line in out.splitlines():
        key, _, value = line.partition(":")
        if key.strip() == "Model name":
            return value.strip()
    return platform.processor() or "unknown"


def machine_info() -> dict[str, Any]:
    """What the figures were measured on, including how busy the machine was at the start."""
    return {
        "cpu": cpu_model(),
        "cores": os.cpu_count(),
        "ram_gb": round(psutil.virtual_memory().total / 1024**3, 1),
        "python": platform.python_version(),
        "load_avg_1m_at_start": round(os.getloadavg()[0], 2),
    }


def today() -> str:
    """Today's date as YYYY-MM-DD."""
    return dt.date.today().isoformat()
