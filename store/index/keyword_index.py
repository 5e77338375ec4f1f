"""The keyword index: BM25 top-k over chunk text on tantivy (block-max WAND, phrase queries,
indexed filter fields, incremental commits), kept beside the catalog in `data_dir/keyword`."""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import tantivy

from store.errors import InconsistentStoreError
from store.index.keyword_terms import ANALYZER_NAME, build_analyzer, index_text, word_terms
from store.records import SearchFilters

# Bump when the schema or the analysis changes: the catalog records which version the index
# was filled with, and the next ingest refills an index of another version.
KEYWORD_VERSION = "tantivy-0.27-v1"
# The video's title and channel, boosted against the spoken text. FTS5 weighed them 0.3 inside
# one BM25 per chunk; here they are a field of their own (own length norm and saturation), and
# on the dev questions 0.6 gives the fused method FTS5's figures where 0.3 lost one question at
# passage@1 and @5 (0, 0.1, 0.3, 0.6, 1.0 measured; BENCHMARKS.md).
CONTEXT_BOOST = 0.6
WRITER_HEAP = 64_000_000  # bytes buffered before the writer flushes a segment


@dataclass(frozen=True)
class KeywordDoc:
    """One chunk as the keyword index holds it."""

    chunk_id: str
    video_id: str
    channel: str
    published: str  # YYYY-MM-DD or '' (unknown)
    text: str
    context: str  # title and channel


class KeywordIndex(Protocol):
    """Ranked keyword retrieval over chunks (BM25; higher scores are better)."""

    @property
    def version(self) -> str:
        """Schema and analysis version: an index of another version is refilled."""
        ...

    def search(
        self, words: Sequence[str], filters: SearchFilters, depth: int
    ) -> list[tuple[str, float]]:
        """Up to `depth` (chunk id, BM25) of chunks holding any of the words, best first."""
        ...

    def scores(self, words: Sequence[str], chunk_ids: Sequence[str]) -> dict[str, float]:
        """BM25 of particular chunks for the words (chunks matching none are left out)."""
        ...

    def phrase(
        self, words: Sequence[str], filters: SearchFilters, depth: int
    ) -> list[tuple[str, float]]:
        """Up to `depth` (chunk id, BM25) of chunks holding the words as one exact phrase."""
        ...

    def replace(self, video_ids: Sequence[str], docs: Sequence[KeywordDoc]) -> None:
        """Delete the videos' chunks, add `docs`, commit: all or nothing."""
        ...

    def clear(self) -> None:
        """Delete every chunk."""
        ...

    def add_all(self, batches: Iterable[Sequence[KeywordDoc]]) -> int:
        """Add many chunks in one commit; returns how many."""
        ...

    def count(self) -> int:
        """Chunks held (searchable or not)."""
        ...

    def ids(self) -> set[str]:
        """Every chunk id held: a full scan, for consistency checks."""
        ...

    def term_counts(self) -> dict[str, int]:
        """{term: chunks whose text holds it}; deleted chunks count until merged away, so the
        counts are exact right after a fill."""
        ...


def _date_number(published: str) -> int:
    """YYYY-MM-DD as the integer YYYYMMDD; 0 for an unknown date."""
    digits = published.replace("-", "")
    return int(digits) if digits.isdigit() else 0


def _schema() -> tantivy.Schema:
    sb = tantivy.SchemaBuilder()
    sb.add_text_field("id", stored=True, tokenizer_name="raw")
    sb.add_text_field("video_id", tokenizer_name="raw")
    sb.add_text_field("channel", tokenizer_name="raw")  # lower-cased: the filter ignores case
    sb.add_integer_field("published", indexed=True, fast=True)
    sb.add_text_field("text", tokenizer_name=ANALYZER_NAME, index_option="position")
    sb.add_text_field("context", tokenizer_name=ANALYZER_NAME, index_option="freq")
    return sb.build()


class TantivyKeywordIndex:
    """A tantivy index in one folder. Reads are thread-safe; writes take a short-lived writer
    (its lock file lets one process write at a time) and commit before they return."""

    def __init__(self, folder: Path, read_only: bool = False) -> None:
        """Open the index in `folder`, creating it when absent; an index of another schema
        version is replaced by an empty one (the next ingest refills it from the catalog).
        `read_only`: never write; an absent or outdated index reads as empty.

        Raises InconsistentStoreError when the folder holds something tantivy cannot open.
        """
        self.folder = folder
        self.schema = _schema()
        self._lock = threading.Lock()
        marker = folder / "newsreel-version"
        current = marker.exists() and marker.read_text().strip() == KEYWORD_VERSION
        try:
            if read_only:
                self._index = tantivy.Index(
                    self.schema, path=self._readable(folder) if current else None, reuse=True
                )
            else:
                if not current and folder.exists():
                    shutil.rmtree(folder)
                folder.mkdir(parents=True, exist_ok=True)
                self._index = tantivy.Index(self.schema, path=str(folder), reuse=True)
                marker.write_text(KEYWORD_VERSION)
        except (ValueError, OSError) as exc:
            raise InconsistentStoreError(
                f"the keyword index {folder} is unreadable ({exc}); delete that folder and run"
                " `newsreel ingest` to refill it from the catalog"
            ) from exc
        self._index.register_tokenizer(ANALYZER_NAME, build_analyzer())

    @property
    def version(self) -> str:
        """Schema and analysis version: an index of another version is refilled."""
        return KEYWORD_VERSION

    def _readable(self, folder: Path) -> str:
        if os.access(folder, os.W_OK):
            return str(folder)
        # tantivy takes a lock file even to read: a folder that cannot be written (a read-only
        # mount) is read from a private copy, removed when this object goes.
        self._copy = tempfile.TemporaryDirectory(prefix="newsreel-keyword-")
        copy = Path(self._copy.name) / "keyword"
        shutil.copytree(folder, copy)
        return str(copy)

    # --- queries ------------------------------------------------------------------------

    def _terms_query(self, terms: Sequence[str]) -> tantivy.Query:
        clauses: list[tuple[tantivy.Occur, tantivy.Query]] = []
        for t in terms:
            clauses.append((tantivy.Occur.Should, tantivy.Query.term_query(self.schema, "text", t)))
            ctx = tantivy.Query.term_query(self.schema, "context", t, index_option="freq")
            clauses.append(
                (tantivy.Occur.Should, tantivy.Query.boost_query(ctx, CONTEXT_BOOST))
            )
        return tantivy.Query.boolean_query(clauses)

    def _filter_query(self, filters: SearchFilters) -> tantivy.Query | None:
        parts: list[tantivy.Query] = []
        if filters.channel:
            parts.append(tantivy.Query.term_query(self.schema, "channel", filters.channel.lower()))
        if filters.video_id:
            parts.append(tantivy.Query.term_query(self.schema, "video_id", filters.video_id))
        if filters.since or filters.until:
            parts.append(
                tantivy.Query.range_query(
                    self.schema,
                    "published",
                    tantivy.FieldType.Integer,
                    _date_number(filters.since) if filters.since else 1,  # 0: date unknown
                    _date_number(filters.until) if filters.until else 99_999_999,
                )
            )
        if not parts:
            return None
        # Filters select; they must not add to the BM25 score.
        return tantivy.Query.const_score_query(
            tantivy.Query.boolean_query([(tantivy.Occur.Must, q) for q in parts]), 0.0
        )

    def _run(
        self, query: tantivy.Query, filters: SearchFilters, depth: int
    ) -> list[tuple[str, float]]:
        restrict = self._filter_query(filters)
        if restrict is not None:
            query = tantivy.Query.boolean_query(
                [(tantivy.Occur.Must, query), (tantivy.Occur.Must, restrict)]
            )
        searcher = self._index.searcher()
        hits = searcher.search(query, depth, count=False).hits
        return [(str(searcher.doc(addr)["id"][0]), float(score)) for score, addr in hits]

    def search(
        self, words: Sequence[str], filters: SearchFilters, depth: int
    ) -> list[tuple[str, float]]:
        """Up to `depth` (chunk id, BM25) of chunks holding any of the words, best first."""
        terms = word_terms(words)
        if not terms or depth <= 0:
            return []
        return self._run(self._terms_query(terms), filters, depth)

    def scores(self, words: Sequence[str], chunk_ids: Sequence[str]) -> dict[str, float]:
        """BM25 of particular chunks for the words (chunks matching none are left out)."""
        terms = word_terms(words)
        if not terms or not chunk_ids:
            return {}
        only = tantivy.Query.const_score_query(
            tantivy.Query.term_set_query(self.schema, "id", list(chunk_ids)), 0.0
        )
        query = tantivy.Query.boolean_query(
            [(tantivy.Occur.Must, self._terms_query(terms)), (tantivy.Occur.Must, only)]
        )
        return dict(self._run(query, SearchFilters(), len(chunk_ids)))

    def phrase(
        self, words: Sequence[str], filters: SearchFilters, depth: int
    ) -> list[tuple[str, float]]:
        """Up to `depth` (chunk id, BM25) of chunks holding the words as one exact phrase."""
        terms = [t for w in words for t in word_terms([w])]
        if not terms:
            return []
        if len(terms) == 1:
            query = tantivy.Query.term_query(self.schema, "text", terms[0])
        else:
            query = tantivy.Query.phrase_query(self.schema, "text", list(terms))
        return self._run(query, filters, depth)

    def count(self) -> int:
        """Chunks held (searchable or not)."""
        return int(self._index.searcher().num_docs)

    def term_counts(self) -> dict[str, int]:
        """{term: chunks whose text holds it}; deleted chunks count until merged away, so the
        counts are exact right after a fill."""
        return dict(self._index.searcher().terms_with_prefix("text", ""))

    def ids(self) -> set[str]:
        """Every chunk id held: a full scan, for consistency checks."""
        searcher = self._index.searcher()
        hits = searcher.search(tantivy.Query.all_query(), max(1, searcher.num_docs)).hits
        return {str(searcher.doc(addr)["id"][0]) for _, addr in hits}

    # --- writes -------------------------------------------------------------------------

    def replace(self, video_ids: Sequence[str], docs: Sequence[KeywordDoc]) -> None:
        """Delete the videos' chunks, add `docs`, commit: all or nothing (a crash before the
        commit leaves the index as it was)."""
        self._write(video_ids, [docs])

    def clear(self) -> None:
        """Delete every chunk."""
        self._write((), (), clear=True)

    def add_all(self, batches: Iterable[Sequence[KeywordDoc]]) -> int:
        """Add many chunks under one writer and one commit (filling a whole index)."""
        return self._write((), batches)

    def _write(
        self,
        video_ids: Sequence[str],
        batches: Iterable[Sequence[KeywordDoc]],
        clear: bool = False,
    ) -> int:
        n = 0
        with self._lock:
            writer = self._index.writer(WRITER_HEAP, 1)
            try:
                if clear:
                    writer.delete_all_documents()
                for vid in video_ids:
                    writer.delete_documents_by_term("video_id", vid)
                for docs in batches:
                    for d in docs:
                        writer.add_document(self._document(d))
                    n += len(docs)
                writer.commit()
                writer.wait_merging_threads()
            except BaseException:
                writer.rollback()
                raise
            # Searches in this process see the commit at once (other processes within ~1 s).
            self._index.reload()
        return n

    @staticmethod
    def _document(d: KeywordDoc) -> tantivy.Document:
        return tantivy.Document(
            id=d.chunk_id,
            video_id=d.video_id,
            channel=d.channel.lower(),
            published=_date_number(d.published),
            text=index_text(d.text),
            context=index_text(d.context),
        )
