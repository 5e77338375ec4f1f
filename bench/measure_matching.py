"""Measure the follow-matching rule on the shared corpus with the real model (not a test).

    .venv/bin/python -m bench.measure_matching [--data DIR] [--features OUT.json]

Builds (or reuses) a library of /work/shared/corpus, scores every (topic, video) pair of a
labelled topic list and prints, for candidate thresholds, how many on-topic videos fire
(recall) and how many unrelated ones do (false alarms). Labels come from video titles:
`pos` = the title is about the topic, `amb` = it touches it (excluded from both counts).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from pathlib import Path

from app.config import Config, StoreConfig
from app.wiring import build_library
from service.alerts.matching import TopicMatcher, decide
from store.encoders import SentenceTransformerEmbedder
from store.text import content_terms, tokens

SHARED = Path(__file__).resolve().parents[2] / "shared"

# topic → (positive title regex, ambiguous title regex or "")
TOPICS: dict[str, tuple[str, str]] = {
    "floods in Mozambique": (r"Mozambique|flood", ""),
    "Epstein files": (r"Epstein", r"Mandelson|Andrew|Maxwell|Giuffre|Starmer|McSweeney|King"),
    "Ukraine Russia peace talks": (r"peace talks|Zelensky|Ukraine",
                                   r"Russia|Putin|Kyiv|Moscow|Peace"),
    "polar bears": (r"[Pp]olar bear", r"climate|Glacier"),
    "gold price": (r"Gold hits", ""),
    "Nancy Guthrie abduction": (r"Guthrie", ""),
    "Iran nuclear talks": (r"Iran.*(nuclear|talks|discussions)|nuclear deal",
                           r"Iran|Armada|Tehran|Netanyahu"),
    "social media addiction trial": (r"addiction machines|Social media firms",
                                     r"social media|TikTok"),
    "Greenland": (r"Greenland", r"Davos|Trump's world order"),
    "Minneapolis shooting": (r"Minneapolis|Pretti|Minnesota", r"ICE|immigration|[Bb]order"),
    "Bangladesh election": (r"Bangladesh", ""),
    "Gaza hostages": (r"hostage", r"Gaza|Israel|Rafah|Palestin|Netanyahu"),
    "student loans": (r"student loans", r"university"),
    "Winter Olympics": (r"Olympics", ""),
    "Andy Burnham": (r"Burnham", r"Labour|Starmer"),
    "Islamabad mosque bombing": (r"Islamabad", r"Islamic State|IS fighters|ISIS"),
    "Hong Kong democracy": (r"Hong Kong", r"China"),
    "climate change": (r"[Cc]limate|CO2|greenhouse|Glacier|Polar", r"storm|flood"),
    "Grammy awards": (r"Grammy", r"Bad Bunny"),
    "Canada school shooting": (r"Canada shooting|school and home in Canada", r"Carney|Canada"),
    "TikTok": (r"TikTok", r"social media"),
    "weight loss drugs": (r"weight loss", r"prescription drugs|Biohacking"),
}


def label(topic: str, title: str) -> str:
    """pos / amb / neg for one topic and video title."""
    pos, amb = TOPICS[topic]
    if re.search(pos, title):
        return "pos"
    if amb and re.search(amb, title):
        return "amb"
    return "neg"


def collect(data_dir: Path) -> list[dict[str, object]]:
    """Evidence (every candidate passage) for every (topic, video) pair."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    cfg = Config(store=StoreConfig(data_dir=data_dir))
    lib = build_library(cfg, SentenceTransformerEmbedder())
    t0 = time.perf_counter()
    report = lib.ingest([SHARED / "corpus"], [SHARED / "corpus_timed"])
    print(f"ingest: {report.summary_line()} in {time.perf_counter() - t0:.1f}s", file=sys.stderr)
    videos = lib.catalog.ingested_since("")
    matcher = TopicMatcher(lib.topic_evidence)
    rows: list[dict[str, object]] = []
    t0 = time.perf_counter()
    vocab = {}
    for v in videos:
        text = lib.catalog.video_text(v.video_id)
        vocab[v.video_id] = set(tokens(" ".join(text.words))) if text else set()
    for topic in TOPICS:
        for v in videos:
            m = matcher.match(topic, v.video_id)
            rows.append({
                "topic": topic, "video_id": v.video_id, "title": v.title,
                "label": label(topic, v.title),
                "words": sorted(vocab[v.video_id] & set(content_terms(topic))),
                "candidates": [[round(e.similarity, 4), round(e.coverage, 4), e.hit.quote[:160]]
                               for e in m.candidates],
            })
    n = len(rows)
    print(f"scored {n} pairs in {time.perf_counter() - t0:.1f}s "
          f"({1000 * (time.perf_counter() - t0) / n:.1f} ms each)", file=sys.stderr)
    lib.close()
    return rows


def fires(row: dict[str, object], threshold: float) -> bool:
    """The rule of service.alerts.matching at `threshold`, on the stored evidence."""
    return any(decide(float(s), float(c), threshold)
               for s, c, _ in row["candidates"])  # type: ignore[attr-defined]


def table(rows: list[dict[str, object]], thresholds: list[float]) -> None:
    """Recall on `pos`; false alarms on `neg` (and those whose video lacks the topic's words)."""
    pos = [r for r in rows if r["label"] == "pos"]
    neg = [r for r in rows if r["label"] == "neg"]
    print(f"{len(pos)} on-topic pairs, {len(neg)} off-topic pairs (by title)")
    print("threshold  recall         false alarms      of which the video has none of the words")
    for t in thresholds:
        tp = sum(fires(r, t) for r in pos)
        fa = [r for r in neg if fires(r, t)]
        blind = [r for r in fa if not r["words"]]
        print(f"{t:9.2f}  {tp:3}/{len(pos)} {tp / len(pos):5.3f}  {len(fa):4}/{len(neg)} "
              f"{len(fa) / len(neg):6.4f}  {len(blind)}")


def main() -> None:
    """Collect (or load) the evidence and print the table."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, default=Path("/tmp/newsreel-measure-matching"))
    ap.add_argument("--features", type=Path, default=Path("/tmp/newsreel-matching.json"))
    ap.add_argument("--reuse", action="store_true", help="load the evidence instead of scoring")
    args = ap.parse_args()
    if args.reuse:
        rows = json.loads(args.features.read_text())
    else:
        rows = collect(args.data)
        args.features.write_text(json.dumps(rows))
    table(rows, [0.4, 0.45, 0.5, 0.55, 0.6])


if __name__ == "__main__":
    main()
