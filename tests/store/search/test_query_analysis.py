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


# Names as captions spell them, and contractions whose apostrophe makes another word.
NAMES = Counts(
    {"o'hara": 6, "o'neill": 4, "d'alessandro": 3, "qur'an": 2, "catherine": 9, "macron's": 2,
     "macron": 40, "she'll": 30, "we'd": 20, "ohio": 5},
    chunks=5000,
)


def test_a_name_typed_without_its_apostrophe_finds_it_with_one() -> None:
    analyser = QueryAnalyser(NAMES)
    for typed, spelt in [("ohara", "o'hara"), ("oneill", "o'neill"),
                         ("dalessandro", "d'alessandro"), ("quran", "qur'an")]:
        terms = analyser.analyse(f"what did catherine {typed} say")
        assert terms.terms == ("catherine", spelt), typed
        assert index_terms(spelt)[0] in [t for w in terms.keywords for t in index_terms(w)]
        assert terms.corrections == ((typed, spelt),)  # the models read it spelt too
    # A possessive typed without its apostrophe is the name: the stems already meet.
    assert analyser.analyse("macrons speech").terms[0] == "macrons"
    assert index_terms("macrons") == index_terms("macron's")


def test_a_contraction_without_its_apostrophe_stays_another_word() -> None:
    analyser = QueryAnalyser(NAMES, is_word=lambda w: w in {"shell", "wed"})
    assert analyser.analyse("shell oil").terms[0] == "shell"
    assert analyser.analyse("wed in june").terms[0] == "wed"
    assert analyser.analyse("shell oil").corrections == ()


def test_a_name_typed_with_an_apostrophe_the_captions_leave_out_is_found() -> None:
    store = Counts({"ohara": 3, "catherine": 9}, chunks=5000)
    terms = QueryAnalyser(store).analyse("catherine o'hara")
    assert terms.terms == ("catherine", "ohara")


def test_a_typo_in_a_name_typed_without_its_apostrophe_reaches_the_name() -> None:
    # The typo reader compares the name without its apostrophe: "oharra" is one edit away.
    keywords = QueryAnalyser(NAMES).analyse("catherine oharra").keywords
    assert "o'hara" in keywords
