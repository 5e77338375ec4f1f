"""The one place that builds the store's adapters, and the services over them, from config."""

from __future__ import annotations

import logging
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path

from app.config import Config
from service.alerts.matching import SearchEvidence, TopicMatcher
from service.answers import Answers
from service.coverage_finder import Coverage, StoreCoverage
from service.subscriptions import Subscriptions, SubscriptionSettings
from store.encoders import Embedder, SentenceTransformerEmbedder, SpladeEncoder
from store.errors import InconsistentStoreError, NewsreelError, NotWritableError
from store.index import (
    Catalog,
    ChromaIndex,
    KeywordIndex,
    SubscriptionStore,
    TantivyKeywordIndex,
    connect_embedded,
    connect_server,
    store_problem,
    write_problem,
)
from store.ingest import Ingestor, IngestReport, Progress, fill_keyword
from store.search import IdentityReranker, Reranker, Searcher, SearchParams, SparseReranker
from store.sources import Fetcher, FetchResult
from store.sparse import SparseEncoder

log = logging.getLogger(__name__)

@dataclass
class Library:
    """Newsreel's store, assembled: catalog, vector index, keyword index, embedder, ingest and
    search."""

    config: Config
    catalog: Catalog
    index: ChromaIndex
    keyword: KeywordIndex
    embedder: Embedder
    sparse: SparseEncoder | None = None

    @cached_property
    def searcher(self) -> Searcher:
        """The hybrid searcher over this library."""
        return self.make_searcher()

    def make_searcher(self, params: SearchParams | None = None, rerank: bool = True) -> Searcher:
        """A searcher over this library (`rerank=False`: the method without the sparse model)."""
        sparse = self.sparse if rerank else None
        reranker: Reranker = SparseReranker(self.catalog) if sparse else IdentityReranker()
        return Searcher(
            self.catalog, self.index, self.keyword, self.embedder, params, reranker, sparse
        )

    @cached_property
    def answers(self) -> Answers:
        """The answering use cases (ask, quote, context, latest, stats) over this library."""
        return Answers(self.searcher, self.catalog)

    @cached_property
    def topic_evidence(self) -> SearchEvidence:
        """What follow matching reads: passages, closeness and key terms from this library."""
        return SearchEvidence(self.searcher, self.embedder)

    @cached_property
    def coverage(self) -> Coverage:
        """Trend and compare, by the same evidence test topic follows use."""
        matcher = TopicMatcher(self.topic_evidence, self.config.alerts.follow_threshold)
        source = StoreCoverage(self.catalog, self.index, self.embedder, self.searcher)
        return Coverage(source, matcher)

    @cached_property
    def ingestor(self) -> Ingestor:
        """The ingest pipeline writing into this library."""
        ing = self.config.ingest
        return Ingestor(
            self.catalog,
            self.index,
            self.keyword,
            self.embedder,
            ing.window,
            ing.overlap,
            sparse=self.sparse,
            languages=ing.caption_languages,
        )

    @cached_property
    def subscriptions(self) -> Subscriptions:
        """Followed channels over this library: kept in the catalog file, fetched with yt-dlp
        into data_dir/subscriptions, ingested like `newsreel ingest`."""
        subs, ing = self.config.subscriptions, self.config.ingest
        settings = SubscriptionSettings(
            self.config.store.data_dir / "subscriptions", subs.urls, subs.poll_minutes,
            subs.give_up_hours, subs.allowed_hosts, ing.caption_languages)
        return Subscriptions(SubscriptionStore(catalog_path(self.config)),
                             FetcherOnFirstUse(ing.caption_languages, subs.backfill),
                             lambda paths: self.ingest(paths), settings)

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
        """Raise InconsistentStoreError when the catalog and the vector index disagree; refill
        a lost keyword index from the catalog (no model runs; InconsistentStoreError when the
        store is read-only)."""
        problem = store_problem(self.catalog, self.index)
        if problem:
            raise InconsistentStoreError(
                f"{problem}; run `newsreel rebuild PATH…` to rebuild both from the transcripts"
            )
        self.refill_keyword()

    def refill_keyword(self) -> int:
        """Fill the keyword index from the catalog when it was lost or is of another version
        (seconds at 100k chunks), so search never runs on its dense side alone; returns the
        chunks filled. InconsistentStoreError when it is missing and the store is read-only."""
        if not self.catalog.read_only:
            return fill_keyword(self.catalog, self.keyword)
        chunks = self.catalog.chunk_rows()
        if chunks and not self.keyword.count():
            raise InconsistentStoreError(
                f"the keyword index at {keyword_path(self.config)} is empty but the catalog lists"
                f" {chunks} chunks; run `newsreel ingest` where the data folder can be written"
                " (it refills the index from the catalog)"
            )
        return 0

    def warm_up(self) -> None:
        """Open the index and load everything a first question needs (see Searcher.warm_up);
        IndexUnavailableError when a Chroma server is down."""
        self.index.check()
        self.refill_keyword()
        self.searcher.warm_up()

    def close(self) -> None:
        """Release the SQLite connections (and the coverage workers, when started)."""
        if "subscriptions" in self.__dict__:
            self.subscriptions.store.close()
        if "coverage" in self.__dict__:
            self.coverage.close()
        self.catalog.close()


class FetcherOnFirstUse:
    """The yt-dlp fetcher, made at the first fetch: loading yt-dlp (its 1,700 extractors) is
    for a process that follows channels, and then in the poll's thread, not the event loop."""

    def __init__(self, languages: Sequence[str], backfill: int) -> None:
        self.languages = tuple(languages)
        self.backfill = backfill
        self._fetcher: Fetcher | None = None

    def fetch(self, url: str, folder: Path, archive: Path, *, first: bool,
              revisit: bool) -> FetchResult:
        """See `store.sources.Fetcher.fetch`."""
        if self._fetcher is None:
            from store.sources import YtdlpFetcher

            self._fetcher = YtdlpFetcher(self.languages, self.backfill)
        return self._fetcher.fetch(url, folder, archive, first=first, revisit=revisit)


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
    return ChromaIndex(
        lambda: connect_embedded(path), model_name, dimension, where=str(path), folder=path
    )


def rebuild_library(
    config: Config,
    paths: Sequence[Path],
    timings: Sequence[Path] = (),
    embedder: Embedder | None = None,
    progress: Progress | None = None,
) -> tuple[Library, IngestReport]:
    """Set the catalog aside (replacing an older copy), drop the collection, ingest again.

    Without paths, the transcripts the old catalog was built from are used (if it is readable),
    and always the timings folders it remembers, so videos keep their cue times.
    Raises NotWritableError before touching anything when the data folder cannot be written.
    """
    db = catalog_path(config)
    problem = write_problem(db)
    if problem:
        raise NotWritableError(
            f"cannot rebuild: {problem}; rebuild writes a new catalog ({db.name}) and vector"
            f" index (chroma/) into {config.store.data_dir}"
        )
    listed: list[str] = []
    sources: list[Path] = []
    if db.exists():
        try:
            old = Catalog(db)
            listed = old.sources()
            sources = [Path(s) for s in listed if Path(s).exists()]
            # The cue times stay with their videos: the old catalog's timings folders go along.
            timings = [*timings, *(d for d in old.timings_dirs() if d.is_dir())]
            old.close()
        except InconsistentStoreError:
            pass
    todo = list(paths) or sources
    if not todo:  # before anything is set aside: a failed rebuild must not empty the store
        found = (
            f" (none of the {len(listed)} transcripts the catalog lists, e.g. {listed[0]},"
            f" is found from {Path.cwd()})"
            if listed
            else ""
        )
        raise NewsreelError(
            f"nothing to rebuild from{found}: name the transcript files or folders,"
            " e.g. `newsreel rebuild ../shared/corpus --timings ../shared/corpus_timed`"
        )
    if db.exists():
        # One copy of the previous catalog is kept: older copies would grow the folder forever.
        for older in db.parent.glob(f"{db.name}*.before-rebuild-*"):
            older.unlink()
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
        for part in (db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")):
            if part.exists():
                part.rename(part.with_name(f"{part.name}.before-rebuild-{stamp}"))
    # The keyword index is rebuilt with the rest (it may be what was damaged).
    shutil.rmtree(keyword_path(config), ignore_errors=True)
    lib = build_library(config, embedder)
    lib.index.drop()
    return lib, lib.ingest(todo, timings, progress)


def catalog_path(config: Config) -> Path:
    """Where the SQLite catalog lives."""
    return config.store.data_dir / "catalog.sqlite3"


def keyword_path(config: Config) -> Path:
    """Where the keyword index lives (beside the catalog in both store modes)."""
    return config.store.data_dir / "keyword"


def build_library(
    config: Config,
    embedder: Embedder | None = None,
    sparse: SparseEncoder | None = None,
    read_only: bool = False,
) -> Library:
    """Build every adapter once; the models are loaded on their first use (see the embedder).

    Without an `embedder` both models come from the config; a given embedder (tests, tools) is
    used with the given `sparse` encoder only, so None there means no reranker. `read_only`:
    the caller only reads, so a catalog that cannot be written is opened for reading.
    """
    catalog = Catalog(catalog_path(config), read_only)
    try:
        # Read-only only where the data folder is: a lost index is then refilled on disk.
        keyword = TantivyKeywordIndex(keyword_path(config), catalog.read_only)
    except BaseException:
        catalog.close()
        raise
    if embedder is None:
        m = config.model
        try:
            embedder = SentenceTransformerEmbedder(
                m.name, m.dtype, m.batch_size, query_runtime=m.query_runtime
            )
            if m.sparse_name:
                sparse = SpladeEncoder(m.sparse_name, m.dtype, query_runtime=m.query_runtime)
        except BaseException:
            catalog.close()
            raise
    index = build_index(config, embedder.name, embedder.dimension)
    return Library(config, catalog, index, keyword, embedder, sparse)
