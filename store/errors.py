"""Error types the store raises; each carries a message fit to show a user."""

from __future__ import annotations


class NewsreelError(Exception):
    """Base of every error Newsreel reports as one clear line."""


class TranscriptError(NewsreelError):
    """A transcript file that cannot be read; names the file and the problem."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class IndexUnavailableError(NewsreelError):
    """The vector index (e.g. a Chroma server) cannot be reached right now."""


class ModelMismatchError(NewsreelError):
    """The collection was built with another embedding model or dimension."""


class InconsistentStoreError(NewsreelError):
    """The SQLite catalog and the Chroma collection disagree; `newsreel rebuild` fixes it."""


class NotWritableError(NewsreelError):
    """A store must write to a file or folder it may not (read-only mount, permissions)."""
