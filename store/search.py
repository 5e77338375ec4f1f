"""Hybrid search: dense (Chroma) and keyword (FTS5) candidates fused, diversified and quoted."""

from __future__ import annotations

import math
import threading
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from store.catalog import Catalog, ChunkRow
from store.embedder import Embedder, Vectors
from store.fusion import Candidate, fuse
from store.fuzzy import Vocabulary
from store.links import video_url
from store.models import Hit, SearchFilters
from store.quote_finder import closest_window, find_exact
from store.quotes import best_span, render_quote, stem
from store.text import content_terms, fts_or_query, fts_phrase_query, tokens
from store.vector_index import ChromaIndex
from store.video_cache import VideoTextCache


@dataclass(frozen=True)
class SearchParams:
    """The knobs of the method, tuned on the dev questions (see BENCHMARKS.md)."""

    dense_depth: int = 50
    keyword_depth: int = 50
    dense_weight: float = 0.5
    keyword_weight: float = 0.5
    rrf_weight: float = 0.0
    rrf_k: int = 60
    per_video: int = 2
    fuzzy: bool = True
    fuzzy_max_share: float = 0.02  # a variant must be at most this common
    fuzzy_rare: float = 0.001  # a typed word this rare (share of chunks) gets variants
    fuzzy_max: int = 3
    # Abstain below this on: the best passage's cosine + abstain_mix × the share of the
    # question's (idf-weighted) words that its video contains.
    abstain_threshold: float = 0.56
    abstain_mix: float = 0.4
    quote_min: int = 25
    quote_max: int = 60
    overfetch: int = 4
    complete_features: bool = True
    quote_margin: int = 0  # words beyond the best window a quote may reach into
    # A quote starts a few words before a matched word: what follows is usually the answer.
    quote_lead_ins: tuple[int, ...] = (2, 6)


@dataclass(frozen=True)
class QueryTerms:
    """A question's keyword side: FTS expression and per-stem weights for quoting."""

    terms: tuple[str, ...]
    match: str
    weights: dict[str, float]

    @property
    def total_weight(self) -> float:
        """Weight of the question's own terms (variants share their term's weight)."""
        return sum(self.weights.get(stem(t), 0.0) for t in self.terms)


class Searcher:
    """Answers questions over a catalog and a vector index with one embedder."""

    def __init__(
        self,
        catalog: Catalog,
        index: ChromaIndex,
        embedder: Embedder,
        params: SearchParams | None = None,
    ) -> None:
        self.catalog = catalog
        self.index = index
        self.embedder = embedder
        self.params = params or SearchParams()
        self._vocab: Vocabulary | None = None
        self._vocab_generation: tuple[int, int] | None = None
        self._df_cache: dict[str, int] = {}
        self._lock = threading.Lock()
        # Each hit reads its whole video (words and timings): 5 hits cost ~5 ms uncached.
        self._texts = VideoTextCache(catalog.video_text, catalog.generation)

    # --- keyword side -------------------------------------------------------------------

    def _vocabulary(self) -> Vocabulary:
        # chunk_count() on every search cost 8 ms at 100k and 90-130 ms at 1M chunks; the
        # catalog generation is a pragma read. (Reloading the vocabulary itself costs ~1.8 s at
        # 1M: after an ingest that lands once, on the next search.)
        generation = self.catalog.generation()
        with self._lock:
            if self._vocab is None or generation != self._vocab_generation:
                n = self.catalog.chunk_count()
                self._vocab = Vocabulary(self.catalog.vocabulary(), n)
                self._vocab_generation = self.catalog.generation()
                self._df_cache.clear()
            return self._vocab

    def _doc_count(self, term: str) -> int:
        if term not in self._df_cache:
            # A count, not a ranked search: 4 ms instead of 380 ms for a common word at 1M.
            self._df_cache[term] = self.catalog.match_count(fts_or_query([term]))
        return self._df_cache[term]

    def query_terms(self, question: str) -> QueryTerms:
        """Content terms of a question, their spelling variants and idf weights."""
        vocab = self._vocabulary()
        n = max(1, vocab.n_chunks)
        rare = max(2, n * self.params.fuzzy_rare)
        terms: list[str] = []
        weights: dict[str, float] = {}
        match_terms: list[str] = []
        for typed in content_terms(question):
            t, df = typed, self._doc_count(typed)
            if df == 0 and self.params.fuzzy:
                # A word no transcript has, one edit from one they use often, is a typo of that
                # word. (A rare neighbour is more likely another garbling: left to `variants`.)
                fixed = vocab.correction(typed)
                if fixed and vocab.doc_count[fixed] > rare:
                    t, df = fixed, vocab.doc_count[fixed]
            idf = math.log(1 + (n - df + 0.5) / (df + 0.5))
            terms.append(t)
            weights[stem(t)] = max(weights.get(stem(t), 0.0), idf)
            match_terms.append(t)
            # Only a word the transcripts (almost) never spell as typed is looked up by sound:
            # that is a name speech recognition garbled, not a word to broaden.
            if self.params.fuzzy and len(t) >= 4 and df <= rare:
                for v in vocab.variants(t, self.params.fuzzy_max_share)[: self.params.fuzzy_max]:
                    match_terms.append(v.term)
                    weights.setdefault(stem(v.term), idf)
        return QueryTerms(tuple(terms), fts_or_query(match_terms), weights)

    # --- search -------------------------------------------------------------------------

    def search(
        self,
        question: str,
        k: int = 5,
        filters: SearchFilters | None = None,
        per_video: int | None = None,
        offset: int = 0,
    ) -> list[Hit]:
        """The best `k` passages for a question (after skipping `offset`), or [] if none fits."""
        filters = filters or SearchFilters()
        p = self.params
        qt = self.query_terms(question)
        if not qt.terms:
            return []
        vec = self.embedder.embed([question])[0]
        dense = self._dense(vec, filters, max(p.dense_depth, k + offset))
        keyword = (
            self.catalog.keyword_search(qt.match, filters, max(p.keyword_depth, k + offset))
            if qt.match
            else []
        )
        if p.complete_features:
            dense, keyword = self._complete(vec, qt, dense, keyword)
        fused = fuse(
            dense, keyword, p.dense_weight, p.keyword_weight, p.rrf_weight, p.rrf_k
        )
        rows = self.catalog.chunks([c.id for c in fused])
        regions = diversify(fused, rows, per_video or p.per_video, k + offset)
        if not regions:
            return []
        # Abstain when neither meaning nor words support the passage we would answer with: a
        # question about a story that was never covered still has nearest neighbours, just weak
        # ones, in videos that lack the question's distinctive words.
        best = regions[0]
        confidence = best.dense + p.abstain_mix * self._video_coverage(best.video_id, qt)
        if confidence < p.abstain_threshold:
            return []
        return [self._hit(r, qt) for r in regions[offset : offset + k]]

    def quote(
        self, text: str, filters: SearchFilters | None = None, context_words: int = 8
    ) -> QuoteMatch | None:
        """The closest verbatim occurrence of a remembered line: exact phrase first, then fuzzy."""
        filters = filters or SearchFilters()
        typed = text.split()
        if not content_terms(text):
            return None
        qt = self.query_terms(text)
        phrase = tokens(text)
        exact = self.catalog.keyword_search(fts_phrase_query(phrase), filters, 5) if phrase else []
        candidates: list[tuple[str, int, int]] = []
        for cid, _ in exact:
            row = self.catalog.chunks([cid]).get(cid)
            if row:
                candidates.append((row.video_id, row.start_word, row.end_word))
        best: tuple[float, str, int, int] | None = None
        for video_id, lo, hi in candidates:
            vt = self._texts.get(video_id)
            if vt is None:
                continue
            at = find_exact(vt.words[lo:hi], typed)
            if at is not None:
                best = (1.0, video_id, lo + at[0], lo + at[1])
                break
        if best is None:
            for hit in self.search(text, k=5, filters=filters, per_video=1):
                vt = self._texts.get(hit.video_id)
                if vt is None:
                    continue
                occ = closest_window(vt.words, hit.start_word - 60, hit.end_word + 60, typed)
                if best is None or occ.similarity > best[0]:
                    best = (occ.similarity, hit.video_id, occ.start, occ.end)
        if best is None:
            return None
        similarity, video_id, start, end = best
        info = self.catalog.video(video_id)
        vt = self._texts.get(video_id)
        if info is None or vt is None:
            return None
        a, b = max(0, start - context_words), min(len(vt.words), end + context_words)
        start_s = vt.word_starts[start] if vt.word_starts is not None else None
        hit = Hit(
            video_id=video_id,
            title=info.title,
            channel=info.channel,
            published=info.published,
            quote=render_quote(vt.words, a, b),
            start_s=None if start_s is None else round(start_s, 1),
            url=video_url(video_id, info.url, start_s),
            score=similarity,
            start_word=a,
            end_word=b,
            matched_terms=tuple(sorted(qt.weights)),
        )
        return QuoteMatch(hit, round(similarity, 3), exact=similarity >= 1.0)

    def context(self, video_id: str, start_word: int, end_word: int, extra: int = 80) -> Hit | None:
        """The transcript around a passage: `extra` words on each side, verbatim."""
        info = self.catalog.video(video_id)
        vt = self._texts.get(video_id)
        if info is None or vt is None:
            return None
        a, b = max(0, start_word - extra), min(len(vt.words), end_word + extra)
        start_s = vt.word_starts[a] if vt.word_starts is not None else None
        return Hit(
            video_id=video_id,
            title=info.title,
            channel=info.channel,
            published=info.published,
            quote=render_quote(vt.words, a, b),
            start_s=None if start_s is None else round(start_s, 1),
            url=video_url(video_id, info.url, start_s),
            score=0.0,
            start_word=a,
            end_word=b,
        )

    def _complete(
        self,
        vec: Vectors,
        qt: QueryTerms,
        dense: list[tuple[str, float]],
        keyword: list[tuple[str, float]],
    ) -> tuple[list[tuple[str, float]], list[tuple[str, float]]]:
        """Score every candidate on both sides, so fusion never mistakes 'not fetched' for 0."""
        d, kw = dict(dense), dict(keyword)
        d.update(self.index.similarities(vec, [i for i in kw if i not in d]))
        kw.update(self.catalog.keyword_scores(qt.match, [i for i in d if i not in kw]))
        by_score = sorted(d.items(), key=lambda x: -x[1]), sorted(kw.items(), key=lambda x: -x[1])
        return by_score

    def _dense(self, vec: Vectors, filters: SearchFilters, depth: int) -> list[tuple[str, float]]:
        if not filters.active:
            return self.index.query(vec, depth)
        # Filtered HNSW queries are slow in Chroma; over-fetch unfiltered and filter here,
        # falling back to Chroma's own filter only when too few candidates survive.
        allowed = self.catalog.video_filter_ids(filters)
        got = self.index.query(vec, depth * self.params.overfetch)
        kept = [(i, s) for i, s in got if i.rsplit(":", 1)[0] in allowed]
        if len(kept) >= min(depth, 10):
            return kept[:depth]
        return self.index.query(vec, depth, where=chroma_where(filters))

    def _video_coverage(self, video_id: str, qt: QueryTerms) -> float:
        total = qt.total_weight
        text = self._texts.get(video_id)
        if not total or text is None:
            return 0.0
        stems = {stem(w) for w in set(text.words)}
        return sum(w for s, w in qt.weights.items() if s in stems) / total

    def _hit(self, region: Region, qt: QueryTerms) -> Hit:
        info = self.catalog.video(region.video_id)
        text = self._texts.get(region.video_id)
        assert info is not None and text is not None
        margin = self.params.quote_margin
        span = best_span(
            text.words,
            region.anchor_start - margin,
            region.anchor_end + margin,
            qt.weights,
            self.params.quote_min,
            self.params.quote_max,
            self.params.quote_lead_ins,
        )
        span_stems = {stem(w) for w in text.words[span.start : span.end]}
        start_s = None
        if text.word_starts is not None:
            start_s = text.word_starts[span.start]
        return Hit(
            video_id=info.video_id,
            title=info.title,
            channel=info.channel,
            published=info.published,
            quote=render_quote(text.words, span.start, span.end),
            start_s=None if start_s is None else round(start_s, 1),
            url=video_url(info.video_id, info.url, start_s),
            score=region.score,
            start_word=span.start,
            end_word=span.end,
            matched_terms=tuple(sorted(set(qt.weights) & span_stems)),
        )


@dataclass(frozen=True)
class Region:
    """Neighbouring chunk windows of one video merged into one passage."""

    video_id: str
    start_word: int
    end_word: int
    score: float
    dense: float  # the best window's cosine similarity to the question
    anchor_start: int  # the best window: the quote is taken from around it
    anchor_end: int


def diversify(
    fused: Sequence[Candidate], rows: dict[str, ChunkRow], per_video: int, limit: int
) -> list[Region]:
    """Best-first regions: overlapping windows merged, at most `per_video` per video."""
    regions: list[Region] = []
    per: dict[str, int] = {}
    for cand in fused:
        row = rows.get(cand.id)
        if row is None:
            continue  # vector without a searchable catalog row (pending or stale)
        merged = False
        for i, r in enumerate(regions):
            if (
                r.video_id == row.video_id
                and row.start_word <= r.end_word
                and row.end_word >= r.start_word
            ):
                # The better window stays the anchor the quote is taken from.
                regions[i] = replace(
                    r,
                    start_word=min(r.start_word, row.start_word),
                    end_word=max(r.end_word, row.end_word),
                )
                merged = True
                break
        if merged:
            continue
        if per.get(row.video_id, 0) >= per_video:
            continue
        per[row.video_id] = per.get(row.video_id, 0) + 1
        regions.append(
            Region(
                row.video_id,
                row.start_word,
                row.end_word,
                cand.score,
                cand.dense,
                row.start_word,
                row.end_word,
            )
        )
        if len(regions) >= limit:
            break
    return regions


def chroma_where(filters: SearchFilters) -> dict[str, Any] | None:
    """The same filters as a Chroma `where` clause."""
    clauses: list[dict[str, Any]] = []
    if filters.channel:
        clauses.append({"channel": filters.channel})
    if filters.video_id:
        clauses.append({"video_id": filters.video_id})
    if filters.since:
        clauses.append({"published": {"$gte": int(filters.since.replace("-", ""))}})
    if filters.until:
        clauses.append({"published": {"$lte": int(filters.until.replace("-", ""))}})
        clauses.append({"published": {"$gt": 0}})  # 0: date unknown, in no range
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}


@dataclass(frozen=True)
class QuoteMatch:
    """The closest occurrence of a remembered line, and how close it was."""

    hit: Hit
    similarity: float  # 1.0 = the words occur exactly as typed
    exact: bool
