"""Names typed without their apostrophe reach the transcripts that have it: keyword side, real
catalog and keyword index (the fake embedder; no model)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from app.wiring import Library
from store.records import SearchFilters
from tests.store.test_ingest import copy_corpus

SEED = """<video_id>{vid}</video_id>
<video_title>{title} | BBC News</video_title>
<thumbnail_path>en_BBC\\x.jpg</thumbnail_path>
<publish_date>20260131</publish_date>

<doc>
{text}
</doc>
"""


def write_seed(folder: Path, vid: str, title: str, text: str) -> None:
    (folder / f"{vid}.txt").write_text(SEED.format(vid=vid, title=title, text=text))


def test_names_typed_without_apostrophes_find_the_chunks_that_have_them(
    make_library: Callable[..., Library], tmp_path: Path
) -> None:
    folder = tmp_path / "in"
    copy_corpus(folder, 3)  # other videos, so the names are rare as names are
    write_seed(folder, "AAAAAAAAAAA", "Tributes paid to actor",
               "the actor Catherine O'Hara has died at the age of 71 her family said she'll be"
               " remembered for Schitt's Creek and Home Alone " * 3)
    write_seed(folder, "BBBBBBBBBBB", "Shell profits rise",
               "Shell the oil company reported profits as D'Alessandro the analyst said " * 3)
    lib = make_library()
    assert not lib.ingest([folder]).rejected
    searcher = lib.searcher

    def videos(question: str) -> set[str]:
        found = searcher.keyword_candidates(searcher.query_terms(question), SearchFilters(), 10)
        return {chunk_id.split(":")[0] for chunk_id, _ in found}

    assert videos("catherine ohara") >= {"AAAAAAAAAAA"}
    assert videos("ohara") == {"AAAAAAAAAAA"}
    assert videos("dalessandro") == {"BBBBBBBBBBB"}
    # "shell" is not "she'll": the apostrophe of a contraction makes another word.
    assert videos("shell") == {"BBBBBBBBBBB"}
