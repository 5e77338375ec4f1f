"""A fake channel on 127.0.0.1 that the unmodified yt-dlp reads: an RSS 2.0 feed (newest
first), a video.js page per video and its WebVTT captions, all changeable while it runs (for
the poll benchmark and the tests; YouTube itself cannot be reached from either).

    /feed.xml       RSS 2.0: the channel's <title>, an <item> per video (<title>, <link>, <pubDate>)
    /v/ID.html      the video's page (yt-dlp's generic extractor: id ID, an `en` caption track)
    /v/ID.en.vtt    its captions
    /v/ID.mp4       never served: nothing may ask for the media
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal
from xml.sax.saxutils import escape

Captions = Literal["present", "no_track", "track_404", "track_500"]
WORDS_PER_CUE = 12


@dataclass
class Video:
    """One video of the fake channel."""

    id: str
    title: str
    published: datetime
    text: str
    captions: Captions = "present"
    page_status: int = 200

    def vtt(self) -> str:
        """Its captions: the text in cues of a few seconds."""
        words = self.text.split()
        cues = []
        for n, i in enumerate(range(0, len(words), WORDS_PER_CUE)):
            start, end = n * 4, n * 4 + 4
            cues.append(f"00:{start // 60:02d}:{start % 60:02d}.000 --> "
                        f"00:{end // 60:02d}:{end % 60:02d}.000\n"
                        + " ".join(words[i:i + WORDS_PER_CUE]))
        return "WEBVTT\n\n" + "\n\n".join(cues) + "\n"


def filler(video_id: str, words: int = 60) -> str:
    """Caption text unique to a video: its id, then plain news-like words."""
    base = ("the minister said on tuesday that talks would continue next week while officials"
            " reviewed the figures and reporters waited outside the building for a statement")
    out = f"report {video_id} " + " ".join((base.split() * 10)[:words])
    return out


@dataclass
class ChannelState:
    """What the server serves; change it under `lock`."""

    title: str = "Fake News Channel"
    videos: list[Video] = field(default_factory=list)  # newest first
    feed_status: int = 200
    with_guid: bool = False  # a <guid> per item: yt-dlp takes it as the id
    delay: float = 0.0  # seconds before each answer (a slow site)
    requests: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def get(self, video_id: str) -> Video:
        return next(v for v in self.videos if v.id == video_id)


def render_feed(state: ChannelState, base: str) -> str:
    items = "".join(
        f"<item><title>{escape(v.title)}</title><link>{base}/v/{v.id}.html</link>"
        f"<pubDate>{format_datetime(v.published)}</pubDate>"
        + (f'<guid isPermaLink="false">{v.id}-guid</guid>' if state.with_guid else "")
        + "</item>" for v in state.videos)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>'
            f"<title>{escape(state.title)}</title><link>{base}/</link>"
            f"<description>A fake channel</description>{items}</channel></rss>\n")


def render_page(v: Video) -> str:
    # Close to the smallest page yt-dlp's generic extractor accepts (see the prototype's notes):
    # body starting with "<", `videojs(` … `VAR.src([…]);` and `VAR.addRemoteTextTrack({…}, false)`;
    # no <source> tag, which would make the id `ID-1`.
    track = ("" if v.captions == "no_track" else
             f' p.addRemoteTextTrack({{"src": "{v.id}.en.vtt", "srclang": "en"}}, false);')
    return ("<!DOCTYPE html><html><head><title>page</title></head><body>"
            '<video id="p" class="video-js"></video>'
            f'<script>var p = videojs("p"); p.src([{{"src": "{v.id}.mp4",'
            f' "type": "video/mp4"}}]);{track}</script></body></html>\n')


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _send(self, status: int, body: str, ctype: str = "text/plain; charset=utf-8") -> None:
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def do_HEAD(self) -> None:
        self.do_GET()

    def do_GET(self) -> None:
        state: ChannelState = self.server.state  # type: ignore[attr-defined]
        path = self.path.split("?", 1)[0].split("#", 1)[0]
        with state.lock:
            state.requests.append(path)
            delay = state.delay
        if delay:
            time.sleep(delay)
        base = f"http://127.0.0.1:{self.server.server_address[1]}"  # type: ignore[index]
        with state.lock:
            if path == "/feed.xml":
                if state.feed_status != 200:
                    return self._send(state.feed_status, "feed error")
                return self._send(200, render_feed(state, base),
                                  "application/rss+xml; charset=utf-8")
            name = path.removeprefix("/v/")
            video_id, _, rest = name.partition(".")
            video = next((v for v in state.videos if v.id == video_id), None)
            if not path.startswith("/v/") or video is None:
                return self._send(404, "not found")
            if rest == "html":
                if video.page_status != 200:
                    return self._send(video.page_status, "server error")
                return self._send(200, render_page(video), "text/html; charset=utf-8")
            if rest == "en.vtt":
                if video.captions == "track_500":
                    return self._send(500, "caption backend error")
                if video.captions != "present":
                    return self._send(404, "no captions")
                return self._send(200, video.vtt(), "text/vtt; charset=utf-8")
            return self._send(404, "media is not served")


class FakeChannel:
    """The server, started on a free port and restartable on the same one."""

    def __init__(self, title: str = "Fake News Channel") -> None:
        self.state = ChannelState(title=title)
        self.port = 0
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> FakeChannel:
        ThreadingHTTPServer.allow_reuse_address = True
        httpd = ThreadingHTTPServer(("127.0.0.1", self.port), _Handler)
        httpd.daemon_threads = True
        httpd.state = self.state  # type: ignore[attr-defined]
        self.port = httpd.server_address[1]
        self._httpd = httpd
        self._thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """The site down: connections are refused."""
        if self._httpd is not None and self._thread is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._thread.join(5)
        self._httpd = self._thread = None

    @property
    def feed_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/feed.xml"

    def page_url(self, video_id: str) -> str:
        return f"http://127.0.0.1:{self.port}/v/{video_id}.html"

    def add(self, video_id: str, title: str | None = None, text: str | None = None,
            published: datetime | None = None, **kw: Any) -> Video:
        """A new video at the top of the feed (an hour after the newest, by default)."""
        with self.state.lock:
            if published is None:
                newest = max((v.published for v in self.state.videos), default=None)
                published = (newest + timedelta(hours=1) if newest
                             else datetime(2026, 1, 5, 12, 0, tzinfo=UTC))
            video = Video(video_id, title or f"Story {video_id}", published,
                          text or filler(video_id), **kw)
            self.state.videos.append(video)
            self.state.videos.sort(key=lambda v: v.published, reverse=True)
            return video

    def change(self, video_id: str, **kw: Any) -> None:
        """Set fields of a video (captions, page_status, …)."""
        with self.state.lock:
            video = self.state.get(video_id)
            for key, value in kw.items():
                setattr(video, key, value)

    def take_requests(self) -> list[str]:
        with self.state.lock:
            out = list(self.state.requests)
            self.state.requests.clear()
            return out
