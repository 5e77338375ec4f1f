"""Rendering for Discord, without Discord: quotes verbatim, links present, limits respected."""

from __future__ import annotations

import re
from dataclasses import replace

from bot.discord_limits import (
    DESCRIPTION,
    EMBED_TOTAL,
    FIELD_NAME,
    FIELD_VALUE,
    MESSAGE,
    TITLE,
    plain_text,
)
from bot.render_discord import (
    answer_embed,
    context_embed,
    hit_field,
    latest_embed,
    no_coverage,
    quote_message,
    stats_embed,
)
from store.records import Hit, SearchFilters, VideoInfo
from store.search.quotes import is_verbatim
from store.search.searcher import QuoteMatch

TRANSCRIPT = " ".join([
    "Now the price of gold has risen above $5,000 an ounce for the very first time extending a",
    "historic rally that saw the price jump by more than 60% last year *record* @everyone",
]).split()


def hit(start: int = 1, end: int = 12, start_s: float | None = 47.2, **changes: object) -> Hit:
    words = TRANSCRIPT
    quote = ("…" if start else "") + " ".join(words[start:end]) + ("…" if end < len(words) else "")
    base = Hit(
        video_id="u8XpObQqb9c", title="Gold hits record high | BBC News", channel="BBC News",
        published="2026-01-26", quote=quote, start_s=start_s,
        url=f"https://www.youtube.com/watch?v=u8XpObQqb9c&t={int(start_s or 0) - 2}s",
        score=0.9, start_word=start, end_word=end, matched_terms=("gold", "price"),
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def quote_in(value: str) -> str:
    """The quotation of a rendered field or message, as a reader sees it."""
    found = re.search(r"“(.*)”", plain_text(value), re.DOTALL)
    assert found, value
    return found.group(1)


def test_field_quotes_verbatim_with_source_and_link_to_the_moment() -> None:
    h = hit(focus_start=2, focus_end=5, focus="price of gold")
    field = hit_field(h, 1)
    assert field.name == "1. Gold hits record high \\| BBC News"
    assert quote_in(field.value) == h.quote
    assert is_verbatim(quote_in(field.value), " ".join(TRANSCRIPT))
    assert field.value.endswith(f"BBC News · 2026-01-26 · [▶ 0:47]({h.url})")
    assert re.findall(r"\*\*(.+?)\*\*", field.value) == ["price of gold"]  # the focus, one run


def test_link_labels_for_estimated_and_unknown_times() -> None:
    assert "[▶ ≈0:47](" in hit_field(hit(approximate_time=True), 1).value
    untimed = hit(start_s=None, url="https://www.youtube.com/watch?v=u8XpObQqb9c")
    assert hit_field(untimed, 1).value.endswith("[▶ watch](https://www.youtube.com/watch?v=u8XpObQqb9c)")


def test_transcript_markdown_and_mentions_are_escaped() -> None:
    value = hit_field(hit(start=20, end=len(TRANSCRIPT)), 2).value
    assert "\\*record\\*" in value and "\\@everyone" in value
    assert quote_in(value).endswith("*record* @everyone")


def test_a_huge_quote_is_cut_at_a_word_but_keeps_its_link() -> None:
    huge = hit(quote="…" + " ".join(["gold"] * 2000) + "…")
    value = hit_field(huge, 1).value
    assert len(value) <= FIELD_VALUE
    assert value.endswith(f"({huge.url})")
    assert quote_in(value).endswith("gold…")


def test_answer_embed_numbers_pages_and_stays_within_limits() -> None:
    hits = [hit(quote="…" + " ".join(["gold"] * 400) + "…", video_id=f"vid{i:08d}")
            for i in range(10)]
    data = answer_embed("x" * 600, hits, first_number=11,
                        filters=SearchFilters(channel="BBC News", since="2026-01-01"))
    embed = data.to_embed()
    assert len(embed) <= EMBED_TOTAL
    assert embed.title is not None and len(embed.title) <= TITLE and embed.title.endswith("…”")
    assert [f.name.split(".")[0] for f in embed.fields if f.name] == [str(n) for n in range(11, 21)]
    assert all(f.value and f.value.endswith(f"({h.url})") for f, h in zip(embed.fields, hits,
                                                                          strict=True))
    assert all(len(f.name or "") <= FIELD_NAME for f in embed.fields)
    assert embed.footer.text == "Results 11–20 · BBC News · since 2026-01-01"


def test_no_coverage_is_plain_and_escaped() -> None:
    text = no_coverage("is @everyone *fine*?", SearchFilters(until="2024-01-01"))
    assert plain_text(text) == (
        "No coverage found for “is @everyone *fine*?” in the ingested videos (until 2024-01-01)."
    )
    assert "\\@everyone" in text


def test_no_coverage_gives_the_reason_every_front_end_gives() -> None:
    assert no_coverage("what is the *and*").startswith(
        "“what is the \\*and\\*” has no words to search for, only common ones")
    filtered = no_coverage("gold", SearchFilters(since="2099-01-01"), in_scope=0)
    assert plain_text(filtered).startswith(
        "No ingested video matches these filters (since 2099-01-01)")


def test_context_bolds_exactly_the_quoted_passage() -> None:
    around = hit(start=0, end=len(TRANSCRIPT), quote=" ".join(TRANSCRIPT))
    data = context_embed(around, passage_start=3, passage_end=6)
    bold = re.findall(r"\*\*(.+?)\*\*", data.description)
    assert bold == TRANSCRIPT[3:6]
    assert data.description.endswith(f"[▶ 0:47]({around.url})")
    assert len(data.description) <= DESCRIPTION


def test_quote_message_is_ready_to_paste() -> None:
    line = hit(start=3, end=12, quote=" ".join(TRANSCRIPT[3:12]))
    around = hit(start=0, end=16, quote=" ".join(TRANSCRIPT[:16]) + "…")
    text = quote_message(QuoteMatch(line, 1.0, exact=True, context=around))
    first, source, link = text.split("\n")
    assert first.startswith("> “") and quote_in(first) == around.quote
    assert re.findall(r"\*\*(.+?)\*\*", first) == [" ".join(TRANSCRIPT[3:12])]
    assert source == "— BBC News, “Gold hits record high \\| BBC News”, 2026-01-26 · at 0:47"
    assert link == f"<{line.url}>"


def test_quote_message_says_how_close_a_fuzzy_match_is_and_fits_a_message() -> None:
    line = hit(quote=" ".join(["gold"] * 900))
    text = quote_message(QuoteMatch(line, 0.834, exact=False))
    assert len(text) <= MESSAGE
    assert text.endswith("-# closest match: 83% of the words as typed")
    assert f"<{line.url}>" in text


def video(i: int, title: str = "Gold hits record high | BBC News") -> VideoInfo:
    return VideoInfo(video_id=f"vid{i:08d}", title=title, channel="BBC News",
                     published="2026-01-26", n_words=100, timed=True,
                     ingested_at="2026-11-25T11:37:11+00:00")


def test_latest_lists_whole_entries_with_links() -> None:
    data = latest_embed([video(i, "[x](y) " + "long " * 60) for i in range(60)], "BBC News")
    assert data.title == "Latest videos from BBC News"
    assert len(data.description) <= DESCRIPTION
    entries = data.description.split("\n\n")
    link = re.compile(r"\]\(https://www\.youtube\.com/watch\?v=vid\d{8}\)\n")
    assert all(link.search(e) for e in entries)
    assert entries[0].startswith("[\\[x\\](y) long")
    assert "<t:1795606631:R>" in entries[0]


def test_latest_when_empty() -> None:
    assert latest_embed([]).description == "Nothing has been ingested yet."


def test_stats_fields() -> None:
    data = stats_embed({"videos": 8, "chunks": 51, "channels": {"BBC News": 7, "DW News": 1},
                        "last_ingest": None})
    assert [(f.name, f.value) for f in data.fields] == [
        ("Videos", "8"), ("Chunks", "51"), ("Last ingest", "never"),
        ("Channels", "BBC News — 7\nDW News — 1"),
    ]


# --- passages of a whole window (120 words) with their focus in bold ---------------------

PASSAGE_WORDS = (
    "the floods have now affected more than 600,000 people across the country and officials"
    " say more than ten thousand homes have been destroyed with many more damaged as the"
    " rivers keep rising aid agencies are warning that cholera could follow because clean"
    " water is running out in the camps where families have gathered after losing"
    " everything they owned the government has asked for international help and the UN"
    " says it is sending supplies by helicopter to areas that can no longer be reached by"
    " road while forecasters expect more rain over the coming days which could push water"
    " levels even higher in the south where the main river has already burst its banks in"
    " several places and residents have been told to move to higher ground tonight"
).split()


def passage(video: int, part: tuple[int, int] = (14, 24), **changes: object) -> Hit:
    """A 120-word window of a video, cut from a longer transcript on both sides."""
    words = PASSAGE_WORDS[:120]
    start = 1000
    base = hit(
        video_id=f"vid{video:08d}",
        quote="…" + " ".join(words) + "…", start_word=start, end_word=start + len(words),
        focus_start=start + part[0], focus_end=start + part[1],
        focus=" ".join(words[part[0]:part[1]]),
        url=f"https://www.youtube.com/watch?v=vid{video:08d}&t=600s",
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def balanced(markdown: str) -> bool:
    """Bold markers come in pairs and never open or close on a space (Discord shows a
    dangling or space-bound `**` as two asterisks)."""
    markers = [m.start() for m in re.finditer(r"(?<!\\)\*\*", markdown)]
    if len(markers) % 2:
        return False
    pairs = zip(markers[::2], markers[1::2], strict=True)
    return all(not markdown[a + 2].isspace() and not markdown[b - 1].isspace() for a, b in pairs)


def test_three_whole_window_passages_fit_one_page_with_their_focus_in_bold() -> None:
    assert len(PASSAGE_WORDS) >= 120
    hits = [passage(i, part=(14 + 30 * i, 24 + 30 * i)) for i in range(3)]
    embed = answer_embed("how many homes have been destroyed in the floods", hits).to_embed()
    assert len(embed) <= EMBED_TOTAL and len(embed.fields) == 3
    for f, h in zip(embed.fields, hits, strict=True):
        assert f.value and len(f.value) <= FIELD_VALUE and balanced(f.value)
        assert quote_in(f.value) == h.quote  # the whole passage, verbatim, not cut
        assert re.findall(r"\*\*(.+?)\*\*", f.value) == [h.focus]
        assert f.value.endswith(f"[▶ 0:47]({h.url})")


def test_names_with_markdown_characters_are_shown_as_typed() -> None:
    title = "*Live*: __Floods__ | `update` [watch](https://evil.example) <@123> ~~x~~"
    h = passage(1, title=title, channel="BBC_News *Live*")
    field = hit_field(h, 4)
    assert plain_text(field.name) == f"4. {title}"
    assert "\\_\\_Floods\\_\\_" in field.name and "\\[watch\\]" in field.name
    assert "BBC\\_News \\*Live\\*" in field.value
    assert balanced(field.value) and quote_in(field.value) == h.quote


def test_a_passage_at_the_embeds_limits_keeps_its_focus_link_and_balanced_bold() -> None:
    # Every word needs escaping (so doubles in length) and the focus sits near the end: the
    # cut must fall before and after it, never inside its markers.
    words = [f"*{w}*_" for w in PASSAGE_WORDS[:120]]
    at = 1000
    h = passage(2, quote="…" + " ".join(words) + "…", focus_start=at + 100, focus_end=at + 112,
                focus=" ".join(words[100:112]))
    hits = [h, passage(3), passage(4)]
    embed = answer_embed("q" * 300, hits).to_embed()
    assert len(embed) <= EMBED_TOTAL and len(embed.fields) == 3
    value = embed.fields[0].value or ""
    assert len(value) <= FIELD_VALUE and balanced(value)
    shown = quote_in(value)
    assert shown.startswith("…") and shown.endswith("…")
    assert is_verbatim(shown, " ".join(words))
    assert plain_text(re.findall(r"\*\*(.+?)\*\*", value)[0]) == " ".join(words[100:112])
    assert value.endswith(f"({h.url})")


def test_a_focus_longer_than_the_room_is_cut_with_its_bold_closed() -> None:
    h = replace(passage(5), quote=" ".join(["word"] * 400), start_word=0, end_word=400,
                focus_start=0, focus_end=400)
    value = hit_field(h, 1, budget=300).value
    assert len(value) <= 300 and balanced(value)
    assert re.search(r"\*\*word( word)*\*\*…”", value)
