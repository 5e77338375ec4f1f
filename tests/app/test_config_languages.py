"""`[ingest] caption_languages`: which caption track of a video is ingested."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from app.config import ConfigError, load_config
from app.wiring import build_library
from store.encoders.embedder import HashingEmbedder
from tests.fixtures_store import DATA, config_for

TWO_TRACKS = DATA / "caption_cases" / "two-tracks"


def test_default_is_english() -> None:
    assert load_config(None).ingest.caption_languages == ("en",)


def test_languages_from_the_config_file(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text('[ingest]\ncaption_languages = ["de", "en"]\n')
    assert load_config(path).ingest.caption_languages == ("de", "en")
    path.write_text('[ingest]\ncaption_languages = "de"\n')
    with pytest.raises(ConfigError, match="caption_languages"):
        load_config(path)


def test_ingest_takes_the_preferred_track(tmp_path: Path) -> None:
    base = config_for(tmp_path / "data")
    config = replace(base, ingest=replace(base.ingest, caption_languages=("de",)))
    lib = build_library(config, HashingEmbedder())
    try:
        report = lib.ingest([TWO_TRACKS])
        assert report.ingested == ["Vd8kLp3Ws6Y"] and not report.rejected
        assert [p.endswith(".en.vtt") for p, _ in report.skipped] == [True]
        vt = lib.catalog.video_text("Vd8kLp3Ws6Y")
        assert vt is not None and vt.words[:2] == ("Der", "Kanzler")
    finally:
        lib.close()
