"""Why a store's file or folder cannot be written, found before SQLite or Chroma fail obscurely."""

from __future__ import annotations

import os
from pathlib import Path


def write_problem(path: Path) -> str | None:
    """Why `path` (a file or folder, existing or yet to be made) cannot be written, or None.

    A missing path is judged by its nearest existing folder, where it would be created. A file
    needs its folder writable too: SQLite puts its -wal/-shm (or journal) files beside it.
    """
    target = path.absolute()
    while not target.exists() and target.parent != target:
        target = target.parent
    folder = target if target.is_dir() else target.parent
    for place in dict.fromkeys((folder, target)):
        if not os.access(place, os.W_OK):
            return f"{place} is {_reason(place)}"
    return None


def _reason(place: Path) -> str:
    try:
        if os.statvfs(place).f_flag & os.ST_RDONLY:
            return "on a read-only file system"
    except OSError:
        pass
    return "not writable by this user"
