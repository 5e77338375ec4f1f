"""Hybrid search as named stages: query analysis → candidates (dense, keyword) → fusion →
rerank → localisation inside videos → diversify → abstain → quote."""

from __future__ import annotations

import threading
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Literal

from store.encoders.embedder import Embedder, Vectors
from store.index.catalog import Catalog
from store.index.catalog_cache import CatalogCache
from store.index.exact_dense import exact_top
from store.index.freshness import IndexFreshness
from store.index.keyword_index import KeywordIndex
from store.index.keyword_terms import index_terms
from store.index.vector_index import ChromaIndex
from store.records import Hit, SearchFilters, VideoText
from store.search.abstain import AbstainParams, answer_confidence
from store.search.diversify import Region, diversify, localised_regions
from store.search.fusion import fuse
from store.search.hits import make_hit
from store.search.localise import Window
from store.search.names import (
    NameParams,
    SaidWords,
    capitalised_share,
    names_absent,
    question_names,
)
from store.search.passages import passage_around
from store.search.query_analysis import QueryAnalyser, QueryTerms, SpellingParams, spelled
from store.search.quote_finder import closest_window, find_exact
from store.search.quotes import best_span, stem
from store.search.rerank import IdentityReranker, Reranker
from store.sparse import SparseEncoder, SparseVector
from store.text import content_terms, tokens

# Words shown around a found line (both front ends), so readers hear what led up to it.
QUOTE_CONTEXT_WORDS = 12
# Below this closeness the "closest" line is another line: say none was found. A line with a
# word or two changed, dropped or contracted scores 0.8–0.95; a question that shares a name
# with a line ("who won the eurovision song contest") about 0.6.
MIN_CLOSENESS = 0.7
# What the per-video caches may hold (bytes, estimated): all of a few hundred videos'
# texts, windows and stems; ~130 MB together when full.
TEXT_CACHE_BYTES = 64 << 20
WINDOW_CACHE_BYTES = 48 << 20
STEM_CACHE_BYTES = 16 << 20
ENCODED_QUESTIONS = 32  # questions whose vectors are kept inside `keeping` (~2 KB each)


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
    abstain: AbstainParams = field(default_factory=AbstainParams)  # when to say "nothing found"
    names: NameParams = field(default_factory=NameParams)  # a passage's video must say them
    # The passage shown: its window whole (120 words), `quote_min`..`quote_max` words. Within
    # it, the focus (`focus_min`..`focus_max` words) is the part that best matches the question.
    quote_min: int = 25
    quote_max: int = 120
    focus_min: int = 25
    focus_max: int = 60
    overfetch: int = 4
    # A filter (or, with none, the whole store) that passes at most `exact_max` chunks is ranked
    # exactly from the catalog's copies of their vectors; a broader one over-fetches from HNSW,
    # and when too few of those pass, scans exactly up to `exact_fallback_max` chunks before
    # asking Chroma's slow filter. Both measured with bench/dense_switch.py (BENCHMARKS.md).
    exact_max: int = 10_000
    exact_fallback_max: int = 50_000
    complete_features: bool = True
    localise: bool = True  # score every window of a video (needs the sparse model)
    quote_margin: int = 0  # words beyond the best window the focus may reach into
    related_mix: float = 0.1  # weight of the sparse model's related words in the focus choice
    # A focus starts a few words before a matched word: what follows is usually the answer.
    quote_lead_ins: tuple[int, ...] = (2, 6)


@dataclass(frozen=True)
class Query:
    """An analysed question: its keyword terms and its vectors for both models."""

    text: str
    terms: QueryTerms
    dense: Vectors
    sparse: SparseVector | None


class Searcher:
    """Answers questions over a catalog, a vector index and a keyword index, stage by stage."""

    def __init__(
        self,
        catalog: Catalog,
        index: ChromaIndex,
        keyword: KeywordIndex,
        embedder: Embedder,
        params: SearchParams | None = None,
        reranker: Reranker | None = None,
        sparse_encoder: SparseEncoder | None = None,
    ) -> None:
        self.catalog = catalog
        self.index = index
        self.keyword = keyword
        self.embedder = embedder
        self.params = p = params or SearchParams()
        self.reranker: Reranker = reranker or IdentityReranker()
        self.sparse_encoder = sparse_encoder
        self.analyser = QueryAnalyser(
            catalog,
            SpellingParams(p.fuzzy, p.fuzzy_max_share, p.fuzzy_rare, p.fuzzy_max),
            None if sparse_encoder is None else sparse_encoder.is_word,
        )
        # Each hit reads its whole video (words and timings), localisation every window's sparse
        # vector, abstention every word's stem: ~1 ms a video uncached, a quarter of a search's
        # own work on the corpus. News questions return to the same stories. Budgets are in
        # bytes, not videos: a three-hour debate weighs as much as a hundred two-minute clips.
        gen = catalog.generation
        self._texts = CatalogCache(catalog.video_text, gen, TEXT_CACHE_BYTES, text_bytes)
        self._video_windows = CatalogCache(
            self._read_windows, gen, WINDOW_CACHE_BYTES, windows_bytes
        )
        self._video_stems = CatalogCache(self._read_stems, gen, STEM_CACHE_BYTES, stems_bytes)
        self._video_terms = CatalogCache(self._read_terms, gen, STEM_CACHE_BYTES, stems_bytes)
        self._video_said = CatalogCache(self._read_said, gen, STEM_CACHE_BYTES, said_bytes)
        self._capitals = CatalogCache(self._read_capitals, gen, capacity=4096)
        # A selective filter's vectors, or a small store's (≤ exact_max chunks, ≤ 15 MB each): a
        # community filters by the same channels and weeks again and again, and reading them
        # costs ~6 ms at 4.5k.
        self._filtered = CatalogCache(self._read_filtered, gen, capacity=4)
        self._sizes = CatalogCache(self._read_size, gen, capacity=64)  # chunks a filter passes
        # A video's chunk vectors (bfloat16 copies, ~17 KB a video): keyword-only candidates'
        # cosines without a Chroma read.
        self._dense_copies = CatalogCache(self._read_dense_copy, gen, capacity=256)
        self._encoding = ThreadPoolExecutor(2, thread_name_prefix="newsreel-question-encoder")
        # Chroma's embedded HNSW does not see another process's ingest (`newsreel fetch` from
        # cron while the bot runs) until it is re-opened.
        self._fresh = IndexFreshness(catalog, index)
        self._encoded: OrderedDict[tuple[str, str], tuple[Vectors, SparseVector | None]] = (
            OrderedDict())  # the latest questions' vectors, oldest first
        self._encoded_lock = threading.Lock()
        self._keep: Counter[str] = Counter()  # questions inside `keeping` blocks

    @contextmanager
    def keeping(self, question: str) -> Iterator[None]:
        """Within the block, searches for `question` encode it once (the same question asked
        inside many videos); outside, every search encodes its question (as benchmarks of
        repeated questions must measure)."""
        with self._encoded_lock:
            self._keep[question] += 1
        try:
            yield
        finally:
            with self._encoded_lock:
                self._keep[question] -= 1
                if self._keep[question] <= 0:
                    del self._keep[question]
                    for key in [k for k in self._encoded if k[0] == question]:
                        del self._encoded[key]

    # --- stages -------------------------------------------------------------------------

    def query_terms(self, question: str) -> QueryTerms:
        """Content terms of a question, their spelling variants and idf weights."""
        return self.analyser.analyse(question)

    def analyse(self, question: str) -> Query | None:
        """Query analysis: terms and both vectors (the sparse one of the question with its typos
        corrected, as `search` encodes it), or None when the question has no content."""
        terms = self.query_terms(question)
        if not terms.terms:
            return None
        dense, sparse = self._start_encoding(question, spelled(question, terms.corrections))()
        return Query(question, terms, dense, sparse)

    def encode(self, question: str) -> tuple[Vectors, SparseVector | None]:
        """The question's dense vector (embedder.dimension floats) and sparse vector (None
        without a sparse model), the two models running side by side."""
        return self._start_encoding(question, question)()

    def _start_encoding(
        self, dense_text: str, sparse_text: str
    ) -> Callable[[], tuple[Vectors, SparseVector | None]]:
        # Each model leaves a core idle for part of a 12-token forward pass: side by side, both
        # take ~8 ms instead of ~11 ms in turn (ONNX Runtime, 2 cores). Both run in the pool so
        # the caller's thread can query the keyword index meanwhile.
        key = (dense_text, sparse_text)
        with self._encoded_lock:
            keep = dense_text in self._keep
            known = self._encoded.get(key) if keep else None
        if known is not None:
            # The same text asked again inside `keeping` (a trend searches one topic inside
            # each of its videos): the vectors are the same, so are not made again.
            return lambda: known
        dense = self._encoding.submit(self.embedder.embed, [dense_text])
        encoder = self.sparse_encoder
        sparse = None if encoder is None else self._encoding.submit(encoder.encode, [sparse_text])

        def result() -> tuple[Vectors, SparseVector | None]:
            out = (dense.result()[0], None if sparse is None else sparse.result()[0])
            if keep:
                with self._encoded_lock:
                    self._encoded[key] = out
                    while len(self._encoded) > ENCODED_QUESTIONS:
                        self._encoded.popitem(last=False)
            return out

        return result

    def candidates(
        self,
        query: Query,
        filters: SearchFilters,
        depth: int,
        keyword: list[tuple[str, float]] | None = None,
    ) -> tuple[list[tuple[str, float]], list[tuple[str, float]]]:
        """Candidates from both sides: (chunk id, cosine) and (chunk id, BM25), best first;
        `keyword`: the keyword side's candidates when already fetched (`keyword_candidates`)."""
        p = self.params
        dense = self._dense(query.dense, filters, max(p.dense_depth, depth))
        qt = query.terms
        if keyword is None:
            keyword = self.keyword_candidates(qt, filters, depth)
        if p.complete_features:
            dense, keyword = self._complete(query.dense, qt, dense, keyword)
        return dense, keyword

    def keyword_candidates(
        self, terms: QueryTerms, filters: SearchFilters, depth: int
    ) -> list[tuple[str, float]]:
        """The keyword side's candidates: (chunk id, BM25), best first, at least keyword_depth."""
        return self.keyword.search(terms.keywords, filters, max(self.params.keyword_depth, depth))

    def passages(
        self,
        query: Query,
        filters: SearchFilters,
        limit: int,
        per_video: int,
        keyword: list[tuple[str, float]] | None = None,
    ) -> list[Region]:
        """Candidates → fusion → rerank → localisation/diversify: up to `limit` passages."""
        p = self.params
        dense, keyword = self.candidates(query, filters, limit, keyword)
        fused = fuse(dense, keyword, p.dense_weight, p.keyword_weight, p.rrf_weight, p.rrf_k)
        ranked = self.reranker.rerank(query.sparse, fused)
        rows = self.catalog.chunks([c.id for c in ranked])
        if p.localise and query.sparse is not None and len(query.sparse):
            return localised_regions(ranked, rows, self._windows, query.sparse, per_video, limit)
        return diversify(ranked, rows, per_video, limit)

    def abstains(self, query: Query, best: Region) -> bool:
        """True when the passage we would answer with is too weak to quote."""
        p = self.params
        sparse = query.sparse if best.relevance else None
        confidence, threshold = answer_confidence(
            best.dense,
            self._video_coverage(best.video_id, query.terms),
            best.relevance if sparse is not None else None,
            sparse.dot(sparse) if sparse is not None else 0.0,
            p.abstain,
        )
        return confidence < threshold

    def warm_up(self) -> None:
        """Load what a first question needs (both models, the HNSW index, SQLite pages, the
        keyword side's caches) by asking one question down each path; raises what search
        raises. Takes seconds on a store whose files are not in the OS cache."""
        self.catalog.warm_up()
        question = "what did the minister say about the election results"
        self.search(question, k=5)
        latest = self.catalog.latest(1)
        kinds = [SearchFilters(since="1900-01-01")]  # broad: the HNSW over-fetch
        if latest:  # selective: the exact scan
            kinds.append(SearchFilters(video_id=latest[0].video_id))
        for filters in kinds:
            self.search(question, k=5, filters=filters)
        self.quote(question)

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
        terms = self.query_terms(question)
        if not terms.terms:
            return []
        filters = filters or SearchFilters()
        # The sparse model weighs word pieces: a typo's pieces ("greenalnd": green, ##al, ##nd)
        # would steer the rerank and the quote to "green". It reads the question with the
        # keyword side's corrections; the dense model reads it as typed, meaning and all.
        fixed = spelled(question, terms.corrections)
        encoding = self._start_encoding(question, fixed)
        # The keyword side needs no vectors: it runs while the models encode (its query is
        # 0.3 ms on the corpus, ~3 ms at 1M chunks; the encoders ~8 ms).
        keyword = self.keyword_candidates(terms, filters, k + offset)
        limit, per_video = k + offset, per_video or self.params.per_video
        query = Query(question, terms, *encoding())
        shown = self._answerable(query, filters, limit, per_video, keyword)
        if shown is None and fixed != question:
            # A lone "greenalnd" means nothing to the dense model either: when nothing was
            # close enough to answer with, it reads the question spelt right. (Always giving it
            # the corrected question cost passage@1 on the dev set, 0.722 -> 0.708.)
            query = Query(question, terms, self.embedder.embed([fixed])[0], query.sparse)
            shown = self._answerable(query, filters, limit, per_video, keyword)
        return [self._hit(r, query) for r in (shown or [])[offset:limit]]

    def _answerable(
        self,
        query: Query,
        filters: SearchFilters,
        limit: int,
        per_video: int,
        keyword: list[tuple[str, float]],
    ) -> list[Region] | None:
        """The passages strong enough to answer with, best first; None when the best is not."""
        regions = self.passages(query, filters, limit, per_video, keyword)
        names, variants = self._names(query.terms)
        if names:
            # However close in meaning, a passage from a video that says none of the question's
            # distinctive names answers another story.
            videos = dict.fromkeys(r.video_id for r in regions)
            lacking = {v: self._lacks(v, names, variants) for v in videos}
            regions = [r for r in regions if not lacking[r.video_id]]
        if not regions or self.abstains(query, regions[0]):
            return None
        # A passage too weak to answer with is no further answer either: it would only pad the
        # list with unrelated stories (on the dev set, 101 of 279 further hits, none of them
        # from the video asked about).
        return [regions[0], *(r for r in regions[1:] if not self.abstains(query, r))]

    def quote(
        self,
        text: str,
        filters: SearchFilters | None = None,
        context_words: int = QUOTE_CONTEXT_WORDS,
    ) -> QuoteMatch | None:
        """The line someone remembers: exact, near-verbatim, else the closest passage; None
        when none of the three is found.

        An exact phrase first (a phrase query on the keyword index); else the run of words most
        like the line among the windows that keyword and dense search bring up, with its
        closeness (0–1), when it reaches MIN_CLOSENESS; else, since people remember a line by
        its gist more often than by its words, the passage the ask pipeline answers the line
        with (its abstention included), labelled "closest", its closeness the best run of words
        inside it. No abstention on the first two: a line is judged by its words, not by topic.
        """
        filters = filters or SearchFilters()
        typed = text.split()
        if not content_terms(text):
            return None
        qt = self.query_terms(text)
        found = self._exact_occurrence(typed, filters) or self._closest_occurrence(
            text, qt, typed, filters
        )
        if found is None or found[0] < MIN_CLOSENESS:
            return self._closest_passage(text, typed, filters)
        similarity, video_id, start, end = found
        info = self.catalog.video(video_id)
        vt = self._texts.get(video_id)
        if info is None or vt is None:
            return None
        matched = tuple(sorted(set(qt.weights) & {stem(w) for w in vt.words[start:end]}))
        hit = make_hit(info, vt, start, end, similarity, matched, (start, end))
        a, b = max(0, start - context_words), min(len(vt.words), end + context_words)
        context = make_hit(info, vt, a, b, similarity, matched, (start, end))
        # Closeness 1.0 off the phrase path means the same words once contractions are spelt
        # out ("cannot" for "can't"): close, but not the words as typed.
        exact = find_exact(vt.words[start:end], typed) is not None
        return QuoteMatch(hit, round(similarity, 3), exact, context, "exact" if exact else "near")

    def _closest_passage(
        self, text: str, typed: Sequence[str], filters: SearchFilters
    ) -> QuoteMatch | None:
        """The passage `search` answers a remembered gist with, as a "closest" match."""
        hits = self.search(text, k=1, filters=filters)
        vt = self._texts.get(hits[0].video_id) if hits else None
        if not hits or vt is None:
            return None
        hit = hits[0]
        occ = closest_window(vt.words, hit.start_word, hit.end_word, typed)
        return QuoteMatch(hit, round(occ.similarity, 3), False, None, "closest")

    def _exact_occurrence(
        self, typed: Sequence[str], filters: SearchFilters
    ) -> tuple[float, str, int, int] | None:
        phrase = tokens(" ".join(typed))
        if not phrase:
            return None
        exact = self.keyword.phrase(phrase, filters, 5)
        rows = self.catalog.chunks([cid for cid, _ in exact])
        for cid, _ in exact:
            row = rows.get(cid)
            vt = self._texts.get(row.video_id) if row else None
            if row is None or vt is None:
                continue
            at = find_exact(vt.words[row.start_word : row.end_word], typed)
            if at is not None:
                return 1.0, row.video_id, row.start_word + at[0], row.start_word + at[1]
        return None

    def _closest_occurrence(
        self, text: str, qt: QueryTerms, typed: Sequence[str], filters: SearchFilters
    ) -> tuple[float, str, int, int] | None:
        ids = [cid for cid, _ in self.keyword.search(qt.keywords, filters, 10)]
        if qt.keywords:
            vec = self.embedder.embed([text])[0]
            ids += [cid for cid, _ in self._dense(vec, filters, 10) if cid not in ids]
        best: tuple[float, str, int, int] | None = None
        for row in self.catalog.chunks(ids).values():
            vt = self._texts.get(row.video_id)
            if vt is None:
                continue
            # A remembered line may straddle two windows: look a little beyond this one.
            reach = len(typed)
            occ = closest_window(vt.words, row.start_word - reach, row.end_word + reach, typed)
            if best is None or occ.similarity > best[0]:
                best = (occ.similarity, row.video_id, occ.start, occ.end)
        return best

    def context(self, video_id: str, start_word: int, end_word: int, extra: int = 80) -> Hit | None:
        """The transcript around a passage: `extra` words on each side, verbatim."""
        info = self.catalog.video(video_id)
        vt = self._texts.get(video_id)
        if info is None or vt is None:
            return None
        a, b = max(0, start_word - extra), min(len(vt.words), end_word + extra)
        return make_hit(info, vt, a, b, 0.0)

    def _windows(self, video_id: str) -> list[Window]:
        return self._video_windows.get(video_id) or []

    def _read_windows(self, video_id: str) -> list[Window]:
        return [Window(*row) for row in self.catalog.video_windows(video_id)]

    def _complete(
        self,
        vec: Vectors,
        qt: QueryTerms,
        dense: list[tuple[str, float]],
        keyword: list[tuple[str, float]],
    ) -> tuple[list[tuple[str, float]], list[tuple[str, float]]]:
        """Score every candidate on both sides, so fusion never mistakes 'not fetched' for 0."""
        d, kw = dict(dense), dict(keyword)
        d.update(self._similarities(vec, [i for i in kw if i not in d]))
        kw.update(self.keyword.scores(qt.keywords, [i for i in d if i not in kw]))
        by_score = sorted(d.items(), key=lambda x: -x[1]), sorted(kw.items(), key=lambda x: -x[1])
        return by_score

    def _similarities(self, vec: Vectors, ids: Sequence[str]) -> dict[str, float]:
        """Cosine of `vec` to each chunk's vector: from the catalog's copies (the same cosines
        to ~1e-4, without a Chroma read: 2 ms embedded, 4–6 ms from a server), from Chroma
        for chunks whose video has no copy."""
        by_video: dict[str, list[str]] = {}
        for i in ids:
            by_video.setdefault(i.rsplit(":", 1)[0], []).append(i)
        out: dict[str, float] = {}
        rest: list[str] = []
        for video_id, wanted in by_video.items():
            copy = self._dense_copies.get(video_id)
            if copy is None:
                rest += wanted
                continue
            rows, matrix = copy
            picked = [(i, rows[i]) for i in wanted if i in rows]
            rest += [i for i in wanted if i not in rows]
            if picked:
                sims = matrix[[r for _, r in picked]] @ vec
                out.update((i, float(x)) for (i, _), x in zip(picked, sims, strict=True))
        if rest:
            out.update(self.index.similarities(vec, rest))
        return out

    def _read_dense_copy(self, video_id: str) -> tuple[dict[str, int], Vectors] | None:
        copy = self.catalog.dense_copy(video_id, self.index.dimension)
        return None if copy is None else ({i: n for n, i in enumerate(copy[0])}, copy[1])

    def _dense(self, vec: Vectors, filters: SearchFilters, depth: int) -> list[tuple[str, float]]:
        p = self.params
        size = self._sizes.get(filters)
        if size is not None and size <= p.exact_max:
            # Few chunks (a selective filter, or a small store): rank them exactly, which is
            # faster than HNSW at this size (0.3 vs 1.1 ms for 4.5k chunks) and misses none.
            return self._exact(vec, filters, depth)
        self._fresh.check()
        if not filters.active:
            return self.index.query(vec, depth)
        scannable = size is not None and size <= p.exact_fallback_max
        # Broad: over-fetch unfiltered from HNSW and filter here. When too few survive, the
        # exact scan if it is not too big, else Chroma's own filter (slow whatever it selects).
        kept = self._overfetch(vec, filters, depth)
        if not kept and scannable:
            kept = self._exact(vec, filters, depth, cache=False)  # up to 77 MB: not kept
        return kept or self.index.query(vec, depth, where=chroma_where(filters))

    def _exact(
        self, vec: Vectors, filters: SearchFilters, depth: int, cache: bool = True
    ) -> list[tuple[str, float]]:
        """The filter's chunks ranked exactly from the catalog's copies ([] if there are none);
        `cache`: keep them for the next question with the same filter."""
        scan = self._filtered.get(filters) if cache else self._read_filtered(filters)
        return exact_top(vec, scan[0], scan[1], depth) if scan is not None else []

    def _read_size(self, filters: SearchFilters) -> int | None:
        return self.catalog.filtered_size(filters, self.params.exact_fallback_max)

    def _read_filtered(self, filters: SearchFilters) -> tuple[list[str], Vectors] | None:
        return self.catalog.filtered_vectors(filters, self.index.dimension)

    def _overfetch(
        self, vec: Vectors, filters: SearchFilters, depth: int
    ) -> list[tuple[str, float]]:
        """Unfiltered HNSW neighbours that pass the filter; [] when fewer than 10 survive."""
        allowed = self.catalog.video_filter_ids(filters)
        got = self.index.query(vec, depth * self.params.overfetch)
        kept = [(i, s) for i, s in got if i.rsplit(":", 1)[0] in allowed]
        return kept[:depth] if len(kept) >= min(depth, 10) else []

    def _video_coverage(self, video_id: str, qt: QueryTerms) -> float:
        total = qt.total_weight
        stems = self._video_stems.get(video_id) if total else None
        if stems is None:
            return 0.0
        return sum(w for s, w in qt.weights.items() if s in stems) / total

    def _names(self, qt: QueryTerms) -> tuple[list[str], dict[str, frozenset[str]]]:
        """The question's names when it has a distinctive one (see `question_names`) and, for
        each, the index terms of its corpus sound-alikes."""
        vocab = self.analyser.vocabulary()

        def doc_count(term: str) -> int:
            found = index_terms(term)
            return vocab.doc_count.get(found[0], 0) if found else 0

        names = question_names(
            qt.terms, doc_count, self._capitals.get, vocab.n_chunks, self.params.names
        )
        variants = {
            n: frozenset(v.term for v in vocab.variants(n, self.params.fuzzy_max_share))
            for n in names
        }
        return names, variants

    def _lacks(
        self, video_id: str, names: Sequence[str], variants: dict[str, frozenset[str]]
    ) -> bool:
        text, terms = self._texts.get(video_id), self._video_terms.get(video_id)
        if text is None or terms is None:
            return False
        # The names and their corpus sound-alikes, as the keyword index spells terms, first.
        if any(t in terms for n in names for t in (*index_terms(n), *variants[n])):
            return False
        said = self._video_said.get(video_id)
        return said is not None and names_absent(names, said)

    def _read_capitals(self, term: str) -> float | None:
        """Share of a term's occurrences that are capitalised, in up to 20 chunks saying it."""
        ids = [cid for cid, _ in self.keyword.search([term], SearchFilters(), 20)]
        texts = []
        for row in self.catalog.chunks(ids).values():
            vt = self._texts.get(row.video_id)  # the catalog's chunk text is folded
            if vt is not None:
                texts.append(" ".join(vt.words[row.start_word : row.end_word]))
        return capitalised_share(term, texts)

    def _read_said(self, video_id: str) -> SaidWords | None:
        text = self._texts.get(video_id)
        return None if text is None else SaidWords.of(text.words)

    def _read_terms(self, video_id: str) -> frozenset[str] | None:
        text = self._texts.get(video_id)
        return None if text is None else frozenset(index_terms(" ".join(text.words)))

    def _read_stems(self, video_id: str) -> frozenset[str] | None:
        text = self._texts.get(video_id)
        return None if text is None else frozenset(stem(w) for w in set(text.words))

    def _hit(self, region: Region, query: Query) -> Hit:
        """Quote stage: the passage shown for the region (its window, verbatim) and, inside it,
        the focus: the span that best answers, as a Hit."""
        qt = query.terms
        info = self.catalog.video(region.video_id)
        text = self._texts.get(region.video_id)
        assert info is not None and text is not None
        p = self.params
        lo, hi = region.anchor_start - p.quote_margin, region.anchor_end + p.quote_margin
        focus = best_span(
            text.words,
            lo,
            hi,
            qt.weights,
            p.focus_min,
            p.focus_max,
            p.quote_lead_ins,
            self._related_words(query, text.words[max(0, lo) : hi]),
        )
        start, end = passage_around(
            (focus.start, focus.end),
            (region.anchor_start, region.anchor_end),
            len(text.words),
            p.quote_min,
            p.quote_max,
        )
        span_stems = {stem(w) for w in text.words[start:end]}
        matched = tuple(sorted(set(qt.weights) & span_stems))
        return make_hit(
            info, text, start, end, region.score, matched, (focus.start, focus.end)
        )

    def _related_words(self, query: Query, words: Sequence[str]) -> dict[str, float]:
        """Words (not question terms) weighted by the sparse model's expansion of the question."""
        if query.sparse is None or self.sparse_encoder is None or not self.params.related_mix:
            return {}
        weights = dict(zip(query.sparse.ids.tolist(), query.sparse.weights.tolist(), strict=True))
        candidates = [
            w for w in dict.fromkeys(w.lower() for w in words) if stem(w) not in query.terms.weights
        ]
        related: dict[str, float] = {}
        for word, ids in zip(candidates, self.sparse_encoder.term_ids(candidates), strict=True):
            w = max((weights.get(i, 0.0) for i in ids), default=0.0)
            if w > 0:
                related[word] = self.params.related_mix * w
        return related


def text_bytes(text: VideoText) -> int:
    """Estimated bytes a video's words and start times take in memory."""
    # A short str is ~50 bytes plus its letters; a tuple slot 8; a float 24 plus its slot.
    starts = len(text.word_starts) if text.word_starts is not None else 0
    return sum(len(w) for w in text.words) + 58 * len(text.words) + 32 * starts


def windows_bytes(windows: Sequence[Window]) -> int:
    """Estimated bytes a video's windows (ids, spans, sparse vectors) take in memory."""
    # Two small numpy arrays (~110 bytes of header each), the Window and its id: ~400 bytes.
    arrays = sum(w.vector.ids.nbytes + w.vector.weights.nbytes for w in windows if w.vector)
    return arrays + 400 * len(windows)


def stems_bytes(stems: frozenset[str]) -> int:
    """Estimated bytes of a set of stems (the strings and the set's slots)."""
    return 100 * len(stems)


def said_bytes(said: SaidWords) -> int:
    """Estimated bytes of a video's name-check reading (its distinct words three times over;
    the word sequence is the cached text's own)."""
    return 300 * len(said.vocabulary)


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
    """The occurrence of a remembered line, how close it was, and the words around it."""

    hit: Hit  # the matched words ("closest": the passage, its focus the part that matches)
    similarity: float  # share of the words as typed; 1.0 = they occur exactly as typed
    exact: bool
    context: Hit | None = None  # the matched words with QUOTE_CONTEXT_WORDS on each side
    # "exact": the words as typed; "near": a near-verbatim line; "closest": no such line, the
    # passage that answers the line read as a question (people remember the gist). Left "",
    # it follows `exact`.
    kind: Literal["", "exact", "near", "closest"] = ""

    def __post_init__(self) -> None:
        if not self.kind:
            object.__setattr__(self, "kind", "exact" if self.exact else "near")

    def to_json(self) -> dict[str, object]:
        """The `match` object of `quote --json`."""
        return {
            **{k: v for k, v in self.hit.to_json().items() if k != "score"},
            "closeness": self.similarity,
            "kind": self.kind,
        }
