"""/trend and /compare end to end: `newsreel run`'s client against the Discord stand-in, with the
real models over the small test corpus (one Greenland video: BBC News, 2026-01-23)."""

from __future__ import annotations

import struct

import pytest

from app.wiring import Library
from bot.discord_limits import EMBED_TOTAL, MESSAGE, embed_length, plain_text
from tests.bot.test_e2e_standin import is_, newsreel_running, settings
from tests.discord_standin import DiscordStandIn

pytestmark = pytest.mark.timeout(180)

def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


async def test_trend_and_compare_end_to_end(
    discord_standin: DiscordStandIn, corpus_library: Library
) -> None:
    s = discord_standin
    video = next(v.video_id for v in corpus_library.catalog.latest(100)
                 if "Greenland" in v.title)
    async with newsreel_running(s, corpus_library, settings(s)):
        assert {"trend", "compare"} <= {c["name"] for c in s.registered_commands[s.guild_id]}
        iid = await s.send_slash_command("trend", {"topic": "greenland"})
        deferral = await s.wait_for_request(is_("callback", iid))
        trend = await s.wait_for_request(is_("followup", iid), timeout=60)

        button = trend.json["components"][0]["components"][0]
        message_id = next(int(m) for m, msg in s.messages.items()
                          if msg.get("attachments") and msg["content"] == trend.json["content"])
        click = await s.send_button_click(button["custom_id"], message_id)
        busiest = await s.wait_for_request(is_("followup", click), timeout=60)

        cmp_id = await s.send_slash_command("compare", {"topic": "greenland",
                                                        "since": "2024-01-01"})
        compare = await s.wait_for_request(is_("followup", cmp_id), timeout=60)

        unknown = await s.send_slash_command("trend", {"topic": "greenland", "channel": "bbc"})
        refused = await s.wait_for_request(is_("callback", unknown))
        nothing = await s.send_slash_command("trend", {"topic": "quantum chromodynamics lattice"})
        notice = await s.wait_for_request(
            lambda r: r.interaction_id == nothing and r.route == "followup", timeout=60)

    assert deferral.json == {"type": 5}
    # The chart is attached as a PNG of the fixed size, with the summary line as the message.
    assert list(trend.files) == ["trend.png"] and png_size(trend.files["trend.png"]) == (800, 400)
    assert trend.json["allowed_mentions"] == {"parse": []}
    content = plain_text(trend.json["content"])
    assert len(trend.json["content"]) <= MESSAGE
    # The default range: the last 90 days up to the newest video, from the first video in them.
    assert content == ("greenland: 1 video from 1 channel, 2026-01-23 → 2026-02-05;"
                       " busiest day 2026-01-23 with 1")
    # The busiest day's videos through /ask, only to the clicker.
    assert button["custom_id"] == "nr:busy:2026-01-23:2026-01-23:greenland"
    assert busiest.json["flags"] & 64
    assert video in busiest.json["embeds"][0]["fields"][0]["value"]

    # One field per channel of the range: BBC News quoted verbatim, DW News named as silent.
    embed = compare.json["embeds"][0]
    assert compare.json["allowed_mentions"] == {"parse": []}
    assert [f["name"] for f in embed["fields"]] == ["BBC News · 1 video", "DW News"]
    assert video in embed["fields"][0]["value"]
    quote = plain_text(embed["fields"][0]["value"]).split("”")[0].lstrip("“")
    text = corpus_library.catalog.video_text(video)
    assert text is not None and quote.rstrip("…").lstrip("…") in " ".join(text.words)
    assert embed["fields"][1]["value"].startswith("Did not cover it between 2024-08-13 and")
    assert embed_length(embed) <= EMBED_TOTAL

    assert refused.json["type"] == 4 and refused.json["data"]["flags"] & 64
    assert "Did you mean “BBC News”?" in refused.json["data"]["content"]
    assert notice.json["flags"] & 64 and "covers “quantum chromodynamics lattice”" in (
        notice.json["content"])
