"""Does a new video match a followed topic? Search inside the video, then check relevance.

The evidence for one passage is `similarity`, the cosine between the topic and "title. passage"
(the same text shape the index embeds), and `coverage`, the idf-weighted share of the topic's
key terms that occur in the passage. A passage matches when

    similarity >= T and coverage > 0     (close in meaning, and at least one key term), or
    similarity >= T + STRONG_MARGIN      (very close in meaning, whatever the wording), or
    coverage == 1 and similarity >= T - KEYWORD_MARGIN   (every key term, and not far off).

T (`[alerts] follow_threshold`) = 0.5 was tuned with the real model on the shared corpus
(`python -m bench.measure_matching`): 22 topics x 204 videos, labelled by title.

    T      on-topic videos that fire   off-topic (by title) pairs that fire
    0.40   97/102                      32/4,301
    0.45   94/102                      29/4,301
    0.50   92/102                      22/4,301
    0.55   87/102                      13/4,301
    0.60   74/102                       6/4,301

Read one by one, the 22 at 0.5 are all passages that really discuss the topic (Greenland in
Davos coverage, Andy Burnham named in a politics podcast, Iran's enrichment red lines in a
newscast). Below 0.5 genuine mistakes start: "Iran nuclear talks" fires on Ukraine peace talks
(0.45), "Islamabad mosque bombing" on a report from Tehran and "climate change" on "winds of
change" (0.40).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import numpy.typing as npt

from store.encoders import Embedder
from store.records import Hit, SearchFilters
from store.search import Searcher, stem
from store.text import tokens

DEFAULT_THRESHOLD = 0.5
STRONG_MARGIN = 0.1
KEYWORD_MARGIN = 0.1
CANDIDATES = 3  # passages of the video examined: the first one is not always the telling one
TOPIC_VECTORS = 256  # topics whose vector is kept


@dataclass(frozen=True)
class Evidence:
    """One passage of a video and how close it is to a topic."""

    hit: Hit
    similarity: float  # cosine of topic and "title. passage"
    coverage: float  # share of the topic's key-term weight present in the passage


@dataclass(frozen=True)
class TopicMatch:
    """The decision for one (topic, video): the passage to quote when it matched."""

    topic: str
    video_id: str
    matched: bool
    best: Evidence | None  # the matching passage, else the closest one examined
    candidates: tuple[Evidence, ...] = ()

    @property
    def hit(self) -> Hit | None:
        """The passage to quote (None when the video has nothing on the topic at all)."""
        return self.best.hit if self.best else None

    @property
    def similarity(self) -> float:
        """Similarity of the chosen passage (0 without one)."""
        return self.best.similarity if self.best else 0.0


def decide(similarity: float, coverage: float, threshold: float = DEFAULT_THRESHOLD) -> bool:
    """The match rule for one passage (see the module docstring)."""
    return (
        (similarity >= threshold and coverage > 0)
        or similarity >= threshold + STRONG_MARGIN
        or (coverage >= 0.999 and similarity >= threshold - KEYWORD_MARGIN)
    )


def lowest_bar(coverage: float, threshold: float = DEFAULT_THRESHOLD) -> float:
    """The lowest similarity at which `decide` can accept a passage whose key-term coverage is
    at most `coverage` (a video's coverage bounds that of each of its passages)."""
    if coverage >= 0.999:
        return threshold - KEYWORD_MARGIN
    return threshold if coverage > 0 else threshold + STRONG_MARGIN


class TopicEvidence(Protocol):
    """What matching needs of the store: passages of one video, closeness, key-term weights."""

    def passages(self, topic: str, video_id: str, k: int) -> list[Hit]:
        """The best `k` passages of `video_id` for `topic` (at most `k` from that one video)."""
        ...

    def similarities(self, topic: str, texts: Sequence[str]) -> list[float]:
        """Cosine between the topic and each text, in the index's embedding space."""
        ...

    def key_weights(self, topic: str) -> Mapping[str, float]:
        """The topic's key terms, by stem, with their idf weight in the catalog."""
        ...


class SearchEvidence:
    """TopicEvidence over the library's searcher and embedder (both given, not reached into)."""

    def __init__(self, searcher: Searcher, embedder: Embedder) -> None:
        self.searcher = searcher
        self.embedder = embedder
        # A topic is compared with the passages of many videos in turn (a dispatch pass, a
        # trend): its vector is made once, not beside every video's passages.
        self._topics: OrderedDict[str, npt.NDArray[np.float32]] = OrderedDict()
        self._lock = threading.Lock()

    def passages(self, topic: str, video_id: str, k: int) -> list[Hit]:
        """The searcher's best passages inside one video."""
        return self.searcher.search(
            topic, k=k, filters=SearchFilters(video_id=video_id), per_video=k)

    def similarities(self, topic: str, texts: Sequence[str]) -> list[float]:
        """Dot products of the (normalised) embeddings of the topic and each text."""
        if not texts:
            return []
        vecs = self.embedder.embed(list(texts))
        t = self._topic_vector(topic)
        return [float(np.dot(t, v)) for v in vecs]

    def _topic_vector(self, topic: str) -> npt.NDArray[np.float32]:
        with self._lock:
            found = self._topics.get(topic)
            if found is not None:
                self._topics.move_to_end(topic)
                return found
        vector = self.embedder.embed([topic])[0]
        with self._lock:
            self._topics[topic] = vector
            while len(self._topics) > TOPIC_VECTORS:
                self._topics.popitem(last=False)
        return vector

    def key_weights(self, topic: str) -> Mapping[str, float]:
        """Query analysis of the topic: each term's stem and its weight."""
        qt = self.searcher.query_terms(topic)
        return {stem(t): qt.weights.get(stem(t), 0.0) for t in qt.terms}


class TopicMatcher:
    """Matches topics against single videos, on the evidence the store gives it."""

    def __init__(self, evidence: TopicEvidence, threshold: float = DEFAULT_THRESHOLD) -> None:
        self.evidence = evidence
        self.threshold = threshold

    def match(self, topic: str, video_id: str) -> TopicMatch:
        """The best passages of `video_id` for `topic`, and whether one of them matches."""
        hits = self.evidence.passages(topic, video_id, CANDIDATES)
        if not hits:
            return TopicMatch(topic, video_id, False, None)
        # Judged on each passage's focus (the 25–60 words that best match, what the thresholds
        # were calibrated on), not on the whole passage shown around it.
        closeness = self.evidence.similarities(topic, [f"{h.title}. {h.focus or h.quote}"
                                                       for h in hits])
        weights = self.evidence.key_weights(topic)
        evidence = tuple(
            Evidence(h, similarity, coverage(weights, h.focus or h.quote))
            for h, similarity in zip(hits, closeness, strict=True)
        )
        matching = [e for e in evidence if decide(e.similarity, e.coverage, self.threshold)]
        pool = matching or list(evidence)
        best = max(pool, key=lambda e: e.similarity)
        return TopicMatch(topic, video_id, bool(matching), best, evidence)

    def first_match(
        self, topic: str, video_id: str, worth: Callable[[Hit, float], bool] | None = None
    ) -> TopicMatch:
        """Whether `video_id` matches, as `match` decides, its passages weighed one at a time in
        search order and the first that matches kept (a trend needs the decision, not the
        closest passage: most covering videos match on their first). `worth(hit, coverage)`
        False: a passage known to be too far from the topic is not embedded (a model run is
        most of the cost) and counts as not matching."""
        hits = self.evidence.passages(topic, video_id, CANDIDATES)
        if not hits:
            return TopicMatch(topic, video_id, False, None)
        weights = self.evidence.key_weights(topic)
        seen: list[Evidence] = []
        for h in hits:
            judged = h.focus or h.quote  # what `match` judges: the passage's focus
            share = coverage(weights, judged)
            if worth is not None and not worth(h, share):
                continue
            similarity = self.evidence.similarities(topic, [f"{h.title}. {judged}"])[0]
            seen.append(Evidence(h, similarity, share))
            if decide(similarity, share, self.threshold):
                return TopicMatch(topic, video_id, True, seen[-1], tuple(seen))
        best = max(seen, key=lambda e: e.similarity) if seen else None
        return TopicMatch(topic, video_id, False, best, tuple(seen))


def coverage(weights: Mapping[str, float], passage: str) -> float:
    """Share of the key-term weight (stem → idf) whose stem occurs in the passage."""
    total = sum(weights.values())
    if not total:
        return 0.0
    present = {stem(w) for w in tokens(passage)}
    return sum(w for s, w in weights.items() if s in present) / total
