"""Query analysis over known term counts: typos, British and American spellings."""

from __future__ import annotations

from store.index.keyword_terms import index_terms
from store.search.fuzzy import other_spelling
from store.search.query_analysis import QueryAnalyser


class Counts:
    """Term statistics of a made-up store: chunks per word, as the catalog counts index terms."""

    def __init__(self, words: dict[str, int], chunks: int) -> None:
        self.counts = {index_terms(w)[0]: n for w, n in words.items()}
        self.counts[""] = chunks

    def generation(self) -> tuple[int, int]:
        return (1, 1)

    def term_counts(self) -> tuple[int, dict[str, int]]:
        return 0, dict(self.counts)

    def term_changes(self, since: int) -> tuple[int, list[dict[str, int]]] | None:
        return None


# Captions as YouTube writes them: American spellings, common words (~2-10% of chunks).
STORE = Counts(
    {"defense": 400, "secretary": 300, "center": 250, "labour": 300, "labor": 200,
     "greenland": 500, "that": 4000, "water": 300},
    chunks=5000,
)


def test_other_spelling_goes_both_ways_and_leaves_one_spelling_words_alone() -> None:
    assert other_spelling("defence") == "defense"
    assert other_spelling("Centre") == "center"
    assert other_spelling("center") == "centre"
    assert other_spelling("police") is None


def test_a_british_spelling_finds_the_captions_american_one() -> None:
    terms = QueryAnalyser(STORE).analyse("what did the defence secretary say")
    assert terms.terms == ("defense", "secretary")
    assert "defense" in terms.keywords
    assert terms.corrections == ()  # a spelling, not a typo: the models read it as typed
    # Both spellings in the transcripts: the keyword side looks for both.
    assert {"labour", "labor"} <= set(QueryAnalyser(STORE).analyse("labour party").keywords)


def test_a_typo_is_corrected_but_a_real_word_the_store_lacks_is_kept() -> None:
    words = {"thames", "greenland"}.__contains__  # what a tokenizer holds whole
    analyser = QueryAnalyser(STORE, is_word=words)
    assert analyser.analyse("thames water").terms == ("thames", "water")
    typo = analyser.analyse("greenalnd")
    assert typo.terms == ("greenland",) and typo.corrections == (("greenalnd", "greenland"),)
    # Without a tokenizer to ask, "thames" is one edit from a common index term.
    assert QueryAnalyser(STORE).analyse("thames water").terms != ("thames", "water")
