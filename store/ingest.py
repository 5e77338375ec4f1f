"""Ingest: transcript files → chunks → vectors, written so that nothing is duplicated or lost."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from store.encoders.embedder import Embedder, Vectors
from store.errors import NewsreelError, TranscriptError
from store.index.catalog import Catalog
from store.index.catalog_schema import context_text, stored_source
from store.index.keyword_index import KeywordDoc, KeywordIndex
from store.index.vector_index import ChromaIndex, ChunkMeta
from store.records import Chunk, Transcript
from store.sources.chunking import DEFAULT_OVERLAP, DEFAULT_WINDOW, chunk_transcript
from store.sources.loader import LoadedTranscript, find_transcripts, fingerprint, load_transcript
from store.sources.ytdlp import DEFAULT_LANGUAGES
from store.sparse import SparseEncoder, SparseVector

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]


@dataclass
class IngestReport:
    """What one ingest run did."""

    ingested: list[str] = field(default_factory=list)  # video ids made searchable
    unchanged: int = 0
    rejected: list[tuple[str, str]] = field(default_factory=list)  # (file, reason)
    warnings: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (file, why): not an error
    chunks: int = 0
    seconds: float = 0.0
    embed_seconds: float = 0.0
    sparse_filled: int = 0  # chunks of earlier ingests given their missing sparse vectors
    dense_filled: int = 0  # chunks of earlier ingests given their bfloat16 dense copies
    keyword_filled: int = 0  # chunks of earlier ingests put into a new keyword index
    failed: str | None = None  # a store failure that stopped the run
    found: int = 0  # transcript files found under the paths given (ingested or not)

    def nothing_found(self, paths: Sequence[Path]) -> str | None:
        """The line to show when no transcript file was found under `paths` (a wrong folder,
        usually), else None."""
        if self.found or self.failed:
            return None
        where = ", ".join(str(p) for p in paths) or "the sources the catalog lists"
        return (
            f"no transcript file found in {where}: ingest reads seed transcripts (.txt),"
            " captions (.vtt, .srt) and yt-dlp downloads (.info.json), in subfolders too"
        )

    def summary_line(self) -> str:
        """The one summary line the CLI prints."""
        return (
            f"ingested {len(self.ingested)}, unchanged {self.unchanged},"
            f" rejected {len(self.rejected)}"
        )


def chunk_context(t: Transcript) -> str:
    """Title and channel: context that both the embedding and the keyword index see."""
    return context_text(t.title, t.channel)


def keyword_docs(t: Transcript, chunks: Sequence[Chunk]) -> list[KeywordDoc]:
    """A video's chunks as the keyword index holds them."""
    context = chunk_context(t)
    return [
        KeywordDoc(ch.id, t.video_id, t.channel, t.published, ch.text, context) for ch in chunks
    ]


def embedding_text(t: Transcript, chunk: Chunk) -> str:
    """What the models encode for a chunk: the video title gives a passage its topic."""
    return passage_text(t.title, chunk.text)


def passage_text(title: str, text: str) -> str:
    """The text both models encode for a chunk of a video titled `title`."""
    return f"{title}. {text}"


@dataclass(frozen=True)
class Encoded:
    """One batch's dense vectors (rows) and, when a sparse model is set, sparse vectors."""

    dense: Vectors
    sparse: list[SparseVector] | None


@dataclass(frozen=True)
class _Pending:
    loaded: LoadedTranscript
    chunks: list[Chunk]
    existed: bool


class Ingestor:
    """Writes transcripts into the catalog (SQLite), the vector index (Chroma) and the keyword
    index (tantivy)."""

    def __init__(
        self,
        catalog: Catalog,
        index: ChromaIndex,
        keyword: KeywordIndex,
        embedder: Embedder,
        window: int = DEFAULT_WINDOW,
        overlap: int = DEFAULT_OVERLAP,
        batch_chunks: int = 512,
        sparse: SparseEncoder | None = None,
        languages: Sequence[str] = DEFAULT_LANGUAGES,
    ) -> None:
        self.catalog = catalog
        self.index = index
        self.keyword = keyword
        self.embedder = embedder
        self.sparse = sparse
        self.window = window
        self.overlap = overlap
        self.batch_chunks = batch_chunks
        self.languages = tuple(languages)  # caption tracks preferred, in order

    def ingest_paths(
        self,
        paths: Sequence[Path],
        timings_dirs: Sequence[Path] = (),
        progress: Progress | None = None,
    ) -> IngestReport:
        """Ingest every transcript file under `paths`; bad files are reported and skipped.

        Timings folders given once are remembered by the catalog and searched again by later
        runs (after the ones given), so leaving out `--timings` keeps each video's cue times.
        """
        report = IngestReport()
        started = time.perf_counter()
        self.flush_stale_vectors()
        report.keyword_filled = self.fill_keyword()
        report.sparse_filled = self.fill_sparse()
        report.dense_filled = self.fill_dense()
        given = [d.resolve() for d in timings_dirs if d.is_dir()]
        self.catalog.remember_timings_dirs(given)
        timings_dirs = [
            *given,
            *(d for d in self.catalog.timings_dirs() if d not in given and d.is_dir()),
        ]
        found = find_transcripts(paths, self.languages)
        report.skipped.extend(found.skipped)
        files = found.files
        report.found = len(files)
        known = self.catalog.hash_by_source()
        todo: list[Path] = []
        moved: dict[str, str] = {}
        for path in files:
            where = stored_source(str(path))
            # A store from before sources were kept absolute has them as ingest was given them.
            prior = known.get(where) or known.get(str(path))
            if prior and prior[2] == "done" and fingerprint(path, timings_dirs) == prior[1]:
                report.unchanged += 1
                if where not in known:
                    moved[prior[0]] = where
                continue
            todo.append(path)
        if moved:
            self.catalog.move_sources(moved)
        done = report.unchanged
        total = len(files)
        if progress:
            progress(done, total)

        def loaded_files() -> Iterable[LoadedTranscript]:
            for path in todo:
                try:
                    yield load_transcript(
                        path, timings_dirs, self.languages, found.captions.get(path)
                    )
                except TranscriptError as err:
                    report.rejected.append((err.path, err.reason))
                    if progress:
                        progress(len(report.rejected) + done + len(report.ingested), total)

        def counted(n: int) -> None:
            if progress:
                progress(done + n + len(report.rejected), total)

        self.ingest_loaded(loaded_files(), report, counted)
        report.seconds = time.perf_counter() - started
        return report

    def ingest_loaded(
        self,
        loaded: Iterable[LoadedTranscript],
        report: IngestReport | None = None,
        on_video: Callable[[int], None] | None = None,
    ) -> IngestReport:
        """Ingest already-parsed transcripts, embedding chunks in batches across videos."""
        report = report or IngestReport()
        batch: list[_Pending] = []
        n_chunks = 0
        seen: set[str] = set()
        # Writes of one batch overlap the parsing and embedding of the next: the model is the
        # bottleneck, so everything else should hide behind it. One writer keeps order.
        writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ingest-writer")
        pending_write: Future[None] | None = None

        def flush(batch: list[_Pending]) -> None:
            nonlocal pending_write
            vectors = self._embed(batch, report)
            if pending_write is not None:
                pending_write.result()
            pending_write = writer.submit(self._write_batch, batch, vectors, report, on_video)

        try:
            for item in loaded:
                t = item.transcript
                if t.video_id in seen:
                    report.rejected.append(
                        (t.source, f"video {t.video_id} appears twice in this run")
                    )
                    continue
                seen.add(t.video_id)
                report.warnings.extend(item.warnings)
                prior = self.catalog.content_hash(t.video_id)
                if prior == (item.content_hash, "done"):
                    report.unchanged += 1
                    continue
                lost_times = t.word_starts is None and prior and not item.warnings
                if lost_times and self.catalog.has_word_times(t.video_id):
                    # Its caption file is gone from every timings folder known: say so, once
                    # (the loader already named a caption file it found missing or broken).
                    report.warnings.append(
                        f"{t.source}: ingested without cue times (no caption file for"
                        f" {t.video_id} in the timings folders), so its links no longer open at"
                        " the quoted second; pass --timings with the folder of its .vtt file"
                    )
                chunks = chunk_transcript(t, self.window, self.overlap)
                batch.append(
                    _Pending(item, chunks, existed=prior is not None and prior[1] == "done")
                )
                n_chunks += len(chunks)
                if n_chunks >= self.batch_chunks:
                    flush(batch)
                    batch, n_chunks = [], 0
            if batch:
                flush(batch)
            if pending_write is not None:
                pending_write.result()
        except NewsreelError as err:
            # A store failure (server down, disk full) stops the run; what was committed stays.
            report.failed = str(err)
        except Exception as err:
            if not _is_storage_failure(err):
                raise
            report.failed = f"storage failure: {err}"
        finally:
            writer.shutdown(wait=True)
        return report

    def _embed(self, batch: list[_Pending], report: IngestReport) -> Encoded:
        texts = [embedding_text(p.loaded.transcript, ch) for p in batch for ch in p.chunks]
        t0 = time.perf_counter()
        vectors = self.embedder.embed(texts)
        sparse = self.sparse.encode(texts) if self.sparse else None
        report.embed_seconds += time.perf_counter() - t0
        return Encoded(vectors, sparse)

    def _write_batch(
        self,
        batch: list[_Pending],
        encoded: Encoded,
        report: IngestReport,
        on_video: Callable[[int], None] | None,
    ) -> None:
        offset = 0
        for p in batch:
            n = len(p.chunks)
            self._write_vectors(p, encoded.dense[offset : offset + n])
            offset += n
        # One keyword commit for the batch (a commit costs a segment flush). Its chunks are not
        # searchable before their videos' catalog commits below: searches keep only chunks of
        # 'done' videos, and a crash in between leaves those videos to be redone by the next run
        # (pending, or their catalog content hash still the old one).
        self.keyword.replace(
            [p.loaded.transcript.video_id for p in batch],
            [d for p in batch for d in keyword_docs(p.loaded.transcript, p.chunks)],
        )
        offset = 0
        for p in batch:
            n = len(p.chunks)
            sparse = encoded.sparse[offset : offset + n] if encoded.sparse is not None else None
            self._commit_video(p, encoded.dense[offset : offset + n], sparse)
            offset += n
            report.ingested.append(p.loaded.transcript.video_id)
            report.chunks += n
        if on_video:
            on_video(len(report.ingested))

    def _write_vectors(self, p: _Pending, vectors: Vectors) -> None:
        t = p.loaded.transcript
        if not p.existed:
            # A new video is 'pending' until every store holds it, so a crash in between leaves
            # nothing searchable half-done; the next run redoes it from scratch.
            self.catalog.mark_pending(t)
            self.index.delete_video(t.video_id)
        meta = ChunkMeta(t.video_id, t.channel, t.published)
        self.index.upsert([c.id for c in p.chunks], vectors, [meta] * len(p.chunks))

    def _commit_video(
        self, p: _Pending, vectors: Vectors, sparse: list[SparseVector] | None
    ) -> None:
        t = p.loaded.transcript
        stale = self.catalog.commit_video(
            t, p.loaded.content_hash, p.chunks, chunk_context(t), sparse, vectors
        )
        if stale:
            self.index.delete_ids(stale)
            self.catalog.clear_stale(stale)

    def fill_keyword(self) -> int:
        """Fill the keyword index from the catalog when it needs it (see `fill_keyword`)."""
        return fill_keyword(self.catalog, self.keyword)

    def fill_sparse(self, batch: int = 256) -> int:
        """Give chunks that lack one a sparse vector (a store from before, or a new sparse model).

        Only the sparse model runs: dense vectors are not recomputed. Returns the chunks filled.
        """
        if self.sparse is None:
            return 0
        if self.catalog.sparse_model() != self.sparse.name:
            self.catalog.reset_sparse(self.sparse.name)
        filled = 0
        previous: list[str] = []
        while rows := self.catalog.chunks_without_sparse(batch):
            ids = [cid for cid, _, _ in rows]
            if ids == previous:  # nothing was stored: stop rather than encode them forever
                raise NewsreelError(f"could not store sparse vectors for chunks {ids[:3]}…")
            vectors = self.sparse.encode([passage_text(title, text) for _, title, text in rows])
            self.catalog.put_sparse(list(zip(ids, vectors, strict=True)))
            filled += len(rows)
            previous = ids
        if filled:
            log.info("filled in sparse vectors for %d chunks", filled)
        return filled

    def fill_dense(self) -> int:
        """Give videos that lack one their bfloat16 vector copy (see `fill_dense`)."""
        return fill_dense(self.catalog, self.index)

    def flush_stale_vectors(self) -> None:
        """Delete vectors that a committed re-ingest left queued (after a crash)."""
        stale = self.catalog.stale_vector_ids()
        if stale:
            self.index.delete_ids(stale)
            self.catalog.clear_stale(stale)


def fill_dense(catalog: Catalog, index: ChromaIndex, batch_videos: int = 200) -> int:
    """Copy Chroma's stored vectors of videos that lack a bfloat16 copy into the catalog.

    Nothing is re-embedded: a store from before the copies gets them from the index.
    Raises NewsreelError when the index lacks vectors the catalog lists (rebuild then).
    Returns the chunks filled.
    """
    filled = 0
    while videos := catalog.videos_without_dense(batch_videos):
        ids = [cid for vid in videos for cid in catalog.video_chunk_ids(vid)]
        vectors = index.vectors(ids)
        if catalog.put_dense(videos, vectors) < len(videos):
            raise NewsreelError(
                f"the vector index lacks vectors of chunks the catalog lists (one of videos"
                f" {', '.join(videos[:3])}…); run `newsreel rebuild PATH…`"
            )
        filled += len(ids)
    if filled:
        log.info("copied the dense vectors of %d chunks into the catalog", filled)
    return filled


def fill_keyword(catalog: Catalog, keyword: KeywordIndex) -> int:
    """Fill the keyword index and the term counts from the catalog when the index is new,
    of another version, or empty beside a catalog with chunks (a store from before it).

    No model runs. Returns the chunks filled; a crash midway leaves the next run to redo it.
    """
    version = keyword.version
    if catalog.get_state("keyword_index") == version and (
        keyword.count() or not catalog.chunk_rows()
    ):
        return 0
    keyword.clear()
    filled = keyword.add_all([KeywordDoc(*row) for row in rows] for rows in catalog.keyword_docs())
    # The engine's own document frequencies: a recount in Python would analyse every chunk again.
    catalog.set_term_counts({**keyword.term_counts(), "": filled})
    catalog.set_state("keyword_index", version)
    if filled:
        log.info("filled the keyword index with %d chunks", filled)
    return filled


def _is_storage_failure(err: Exception) -> bool:
    """sqlite3 'disk full'/'readonly' and OSError ENOSPC-like failures end a run cleanly."""
    import sqlite3

    return isinstance(err, sqlite3.OperationalError | OSError)
