"""Alert messages: content, links, thumbnails, limits, escaping and who may be pinged."""

from __future__ import annotations

import discord

from bot.alert_messages import (
    digest_message,
    follow_message,
    new_video_message,
    thumbnail_url,
)
from bot.discord_limits import DESCRIPTION, EMBED_TOTAL, MESSAGE, plain_text
from service.alerts.messages import opening_excerpt
from store.records import Hit, VideoInfo

VIDEO = VideoInfo("kYHHg6oV8A4", "'Worst floods in a generation' sweep *Mozambique* | BBC News",
                  "BBC News", "2026-01-29", 339, False)
WORDS = ["Now", "an", "intense", "mop-up", "operation", "is", "underway", "in", "Mozambique",
         "following", "weeks", "of", "severe", "flooding", "@everyone"] * 10


def hit(quote: str = "weeks of severe flooding that have affected nearly 700,000 people",
        video_id: str = "kYHHg6oV8A4", start_s: float | None = 42.0) -> Hit:
    url = f"https://www.youtube.com/watch?v={video_id}" + (f"&t={int(start_s) - 2}s" if start_s
                                                          else "")
    return Hit(video_id, VIDEO.title, "BBC News", "2026-01-29", quote, start_s, url, 0.9)


def test_new_video_embed_has_everything() -> None:
    excerpt = opening_excerpt(WORDS)
    assert excerpt.endswith("…") and excerpt.split()[:3] == ["Now", "an", "intense"]
    msg = new_video_message(VIDEO, excerpt)
    assert msg.content == "" and msg.mention is None and msg.embed is not None
    e = msg.embed.to_dict()
    assert e["url"] == "https://www.youtube.com/watch?v=kYHHg6oV8A4"
    assert e["thumbnail"]["url"] == thumbnail_url(VIDEO.video_id)
    assert e["thumbnail"]["url"] == "https://i.ytimg.com/vi/kYHHg6oV8A4/hqdefault.jpg"
    assert plain_text(e["title"]) == VIDEO.title  # escaped, shown as typed
    assert {f["name"]: f["value"] for f in e["fields"]} == {"Channel": "BBC News",
                                                            "Published": "2026-01-29"}
    shown = plain_text(e["description"]).strip("“”…")
    assert " ".join(WORDS).startswith(shown)  # the opening, verbatim, cut at a word
    assert "\\@everyone" in e["description"] or "@everyone" not in e["description"]
    assert msg.allowed_mentions.to_dict() == discord.AllowedMentions.none().to_dict()


def test_short_transcript_has_no_ellipsis() -> None:
    assert opening_excerpt(["Hello", "world"]) == "Hello world"


def test_digest_lists_every_video_within_limits() -> None:
    videos = [VideoInfo(f"vid{i:08d}", f"Title number {i} " + "long " * 30, "BBC News",
                        "2026-02-01", 100, False) for i in range(60)]
    msg = digest_message(videos)
    assert msg.embed is not None and msg.mention is None
    e = msg.embed.to_dict()
    assert e["title"] == "60 new videos"
    assert len(e["description"]) <= DESCRIPTION and len(msg.embed) <= EMBED_TOTAL
    listed = [v for v in videos if f"watch?v={v.video_id})" in e["description"]]
    assert listed == videos[: len(listed)] and 5 < len(listed) < 60
    assert e["description"].endswith(f"…and {60 - len(listed)} more (see /latest)")


def test_small_digest_lists_all() -> None:
    videos = [VIDEO, VideoInfo("abcdefghijk", "Other", "DW News", "2026-02-02", 10, False)]
    e = digest_message(videos).embed
    assert e is not None and e.description is not None
    assert "watch?v=kYHHg6oV8A4" in e.description and "watch?v=abcdefghijk" in e.description
    assert "more" not in e.description


def test_follow_message_mentions_only_the_follower() -> None:
    h = hit()
    msg = follow_message("floods in Mozambique", [h], user_id=1234)
    assert msg.content.startswith("<@1234> a new video matches your follow “floods in Mozambique”")
    assert h.url in msg.content and len(msg.content) <= MESSAGE
    assert f"“{h.quote}”" in plain_text(msg.content)  # verbatim passage in quotation marks
    assert msg.allowed_mentions.to_dict() == {"parse": [], "users": [1234]}


def test_channel_follow_pings_nobody() -> None:
    msg = follow_message("floods", [hit()], user_id=None)
    assert msg.content.startswith("A new video matches this channel's follow “floods”")
    assert "<@" not in msg.content and msg.allowed_mentions.to_dict() == {"parse": []}


def test_many_matches_fit_in_one_message() -> None:
    hits = [hit("word " * 150 + "flood", video_id=f"v{i:010d}") for i in range(12)]
    msg = follow_message("flood", hits, user_id=5)
    assert len(msg.content) <= MESSAGE
    assert msg.content.startswith("<@5> 12 new videos match your follow")
    assert "<https://www.youtube.com/watch?v=v0000000000&t=40s>" in msg.content  # no unfurl
    assert msg.content.rstrip().endswith("more")


def test_topic_and_titles_are_escaped() -> None:
    msg = follow_message("**bold** @everyone", [hit("says *this* and @here")], user_id=1)
    assert "\\*\\*bold\\*\\*" in msg.content and "\\@everyone" in msg.content
    assert "\\@here" in msg.content
