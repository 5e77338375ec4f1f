from hypothesis import given
from hypothesis import strategies as st

from store.links import youtube_url
from store.search.quotes import ELLIPSIS, best_span, bold_terms, is_verbatim, render_quote, stem

WORDS = (
    "the prime minister said on Monday that the talks had gone well but that the police "
    "would now search two properties linked to Lord Mandelson in Wiltshire and London as part "
    "of the misconduct in public office investigation which began after the emails were "
    "released by the US Congress last week and the government said it would cooperate fully "
    "with officers while opposition parties demanded a statement in parliament"
).split()


def test_span_contains_the_matching_words_and_respects_length():
    weights = {stem("police"): 2.0, stem("search"): 2.0, stem("mandelson"): 3.0}
    span = best_span(WORDS, 0, len(WORDS), weights, min_len=10, max_len=20)
    chosen = [stem(w) for w in WORDS[span.start : span.end]]
    assert {"police", "search", "mandelson"} <= set(chosen)
    assert 10 <= span.end - span.start <= 20


def test_rendered_quote_is_verbatim_with_ellipses_where_cut():
    text = " ".join(WORDS)
    q = render_quote(WORDS, 5, 25)
    assert q.startswith(ELLIPSIS) and q.endswith(ELLIPSIS)
    assert is_verbatim(q, text)
    assert not render_quote(WORDS, 0, len(WORDS)).startswith(ELLIPSIS)


def test_a_paraphrase_is_not_verbatim():
    text = " ".join(WORDS)
    assert not is_verbatim("the police will search three properties", text)
    assert not is_verbatim("", text)
    assert is_verbatim(f"{ELLIPSIS}search two properties{ELLIPSIS}", text)


@given(st.integers(0, len(WORDS) - 1), st.integers(1, 40))
def test_any_span_renders_verbatim(start, length):
    end = min(len(WORDS), start + length)
    assert is_verbatim(render_quote(WORDS, start, end), " ".join(WORDS))


def test_bold_terms_keeps_the_words():
    out = bold_terms("police searched properties", {stem("search")})
    assert out == "police **searched** properties"
    assert out.replace("**", "") == "police searched properties"


def test_links_open_a_little_before_the_quote():
    assert youtube_url("abc") == "https://www.youtube.com/watch?v=abc"
    assert youtube_url("abc", 61.7) == "https://www.youtube.com/watch?v=abc&t=59s"
    assert youtube_url("abc", 0.5).endswith("&t=0s")
