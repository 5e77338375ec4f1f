from store.search.fuzzy import Vocabulary, edit_distance, phonetic_key
from store.search.query_analysis import spelled


def test_sound_alike_names_share_a_key():
    assert phonetic_key("noem") == phonetic_key("gnome")
    assert phonetic_key("kristi") == phonetic_key("christy")


def test_edit_distance():
    assert edit_distance("starmer", "stalmer") == 1
    assert edit_distance("mandelson", "mandolson") == 1
    assert edit_distance("abc", "xyzuvw", limit=2) == 3


def test_variants_find_asr_spellings_but_not_common_words():
    vocab = Vocabulary(
        [("stalmer", 30), ("mandolson", 12), ("gnome", 4), ("police", 900), ("policy", 800),
         ("the", 4000)],
        n_chunks=4500,
    )
    assert [v.term for v in vocab.variants("starmer")] == ["stalmer"]
    assert [v.term for v in vocab.variants("mandelson")] == ["mandolson"]
    assert "gnome" in [v.term for v in vocab.variants("noem")]
    # 'policy' is common: never offered as a spelling of 'police'.
    assert vocab.variants("police") == []


def test_swapped_letters_are_one_edit():
    assert edit_distance("greenalnd", "greenland") == 1
    assert edit_distance("britian", "britain") == 1
    assert edit_distance("noem", "gnome") == 2


def test_a_typed_typo_is_corrected_to_the_commonest_neighbour():
    vocab = Vocabulary(
        [("greenland", 300), ("greenlan", 2), ("accord", 200), ("britain", 150), ("krist", 2)],
        n_chunks=4500,
    )
    assert vocab.correction("greenalnd") == "greenland"
    # The index holds stems: 'acording' is tried as its stem 'acord' too.
    assert vocab.correction("acording") == "accord"
    assert vocab.correction("britian") == "britain"
    # Nothing one edit away, or too short to tell a typo from another word.
    assert vocab.correction("eurovision") is None
    assert vocab.correction("zoox") is None


def test_sound_alikes_come_before_spelling_neighbours():
    vocab = Vocabulary([("gnome", 4), ("norm", 2)], n_chunks=4500)
    # 'norm' is fewer edits away, but 'gnome' is how captions hear 'Noem'.
    assert [v.term for v in vocab.variants("noem")] == ["gnome", "norm"]


def test_spelled_fixes_only_the_typed_words_and_keeps_the_rest() -> None:
    question = "What % of Americans back taking GREENALND? Greenalnds aside"
    assert spelled(question, [("greenalnd", "greenland")]) == (
        "What % of Americans back taking greenland? Greenalnds aside"
    )
    assert spelled(question, []) == question


def test_a_name_is_found_by_its_spelling_without_the_apostrophe() -> None:
    vocab = Vocabulary([("o'hara", 6), ("she'll", 30), ("ohio", 5), ("oharo", 1)], 5000)
    assert vocab.with_apostrophe("ohara") == "o'hara"
    assert vocab.with_apostrophe("shell") is None  # a contraction is another word
    found = [v.term for v in vocab.variants("ohara")]
    assert found[0] == "o'hara" and "she'll" not in found
    vocab.apply({"o'hara": -6})
    assert vocab.with_apostrophe("ohara") is None
    assert "o'hara" not in [v.term for v in vocab.variants("ohara")]
