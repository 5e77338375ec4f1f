"""The name check: a video that says none of the question's names does not answer it."""

from __future__ import annotations

from store.search.names import (
    NameParams,
    SaidWords,
    capitalised_share,
    names_absent,
    question_names,
    says_name,
)

COUNTS = {"pakistan": 120, "danube": 0, "sindh": 0, "heatwave": 40, "homes": 300, "fda": 1,
          "starmer": 131, "utd": 0, "flooded": 30}
CAPITALS = {"pakistan": 1.0, "fda": 1.0, "starmer": 0.97, "heatwave": 0.0, "homes": 0.0,
            "flooded": 0.05}
N_CHUNKS = 4500


def names(*terms: str, **params: object) -> list[str]:
    return question_names(terms, COUNTS.__getitem__, CAPITALS.get, N_CHUNKS,
                          NameParams(**params))  # type: ignore[arg-type]


def test_names_are_words_the_corpus_never_says_or_mostly_capitalises() -> None:
    assert names("homes", "flooded", "danube") == ["danube"]
    assert names("fda", "homes") == ["fda"]
    # A rare name brings the question's other names with it: any of them in the video will do.
    assert names("heatwave", "pakistan", "sindh") == ["pakistan", "sindh"]


def test_no_distinctive_name_no_check() -> None:
    assert names("starmer", "homes") == []  # a name said in 3% of the corpus is no story's own
    assert names("utd", "homes") == []  # too short to tell from an abbreviation
    assert names("danube", enabled=False) == []
    # In a small corpus everyday words are missing too: absence alone names nothing there.
    assert question_names(["record", "gold"], lambda _: 0, lambda _: None, 51, NameParams()) == []


def test_capitalised_share_counts_occurrences_by_stem() -> None:
    texts = ["the Danube burst its banks", "along the danube and the Danube's delta"]
    assert capitalised_share("danube", texts) == 2 / 3
    assert capitalised_share("rhine", texts) is None


def test_a_video_says_a_name_as_captions_garble_it() -> None:
    said = SaidWords.of("the Phalanx fires fallanks of rounds on Tik Tok said Zelinski".split())
    assert says_name("phalanx", said)
    assert says_name("falanx", said)  # same sound, other spelling
    assert says_name("tiktok", said)  # two caption words run together
    assert says_name("zelensky", said, variants={"zelinski"})
    assert says_name("zelenski", said)  # two edits, same start
    assert not says_name("danube", said)
    assert not says_name("tokyo", said)  # "tik" and "tok" are said, not run into "tokyo"


def test_names_absent_only_when_the_video_says_none() -> None:
    said = SaidWords.of("blast at a mosque in Pakistan's capital".split())
    assert not names_absent(["pakistan", "sindh"], said)
    assert names_absent(["danube"], said)
    assert not names_absent([], said)
