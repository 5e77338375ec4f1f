"""/quote with a line remembered by its gist, end to end through the Discord stand-in, over the
whole shared corpus: the gists are those of dev-set quote questions, in other words."""

from __future__ import annotations

import re

import pytest

from app.wiring import Library
from bot.discord_limits import plain_text
from store.search.quotes import is_verbatim
from tests.bot.test_e2e_standin import YOUTUBE, is_, newsreel_running, settings
from tests.discord_standin import DiscordStandIn

pytestmark = pytest.mark.timeout(300)

# (what someone remembers, the video the dev set's quote question points at)
GISTS = [
    ("a woman in kyiv wishing putin would freeze like they do", "G3NyCf-A1fc"),  # d042
    ("so cold in ukraine that your nose hairs freeze", "nTJUcqHpHW0"),  # d062
    ("homan warned back in march that the rhetoric would end in bloodshed", "592FsNMA830"),  # d047
    ("uber expects more human drivers in five years than today", "Lz5moT15ZgI"),  # d017
    ("braverman calling the conservatives a party of craven careerists", "yGV4tnCtlIE"),  # d036
]


async def test_quote_finds_a_line_by_its_gist(
    discord_standin: DiscordStandIn, full_library: Library
) -> None:
    s = discord_standin
    async with newsreel_running(s, full_library, settings(s)):
        ids = [await s.send_slash_command("quote", {"text": gist}) for gist, _ in GISTS]
        replies = [await s.wait_for_request(is_("followup", iid), timeout=60) for iid in ids]

    found = 0
    for (gist, video_id), reply in zip(GISTS, replies, strict=True):
        content = reply.json["content"]
        link = YOUTUBE.search(content)
        assert link, content
        quote = re.search(r"“(.*)”", plain_text(content.split("\n")[0]))
        words = full_library.catalog.video_text(link.group(1))
        assert quote and words and is_verbatim(quote.group(1), " ".join(words.words))
        # Not a line with these words: labelled as the closest passage, never as the line.
        assert "the closest passage" in content or "closest match:" in content, gist
        assert content.count("**") == 2, content  # the part nearest the line, one bold run
        found += link.group(1) == video_id
    assert found >= 4, f"{found} of {len(GISTS)} gists found their video"
