from store.fuzzy import Vocabulary, edit_distance, phonetic_key


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
