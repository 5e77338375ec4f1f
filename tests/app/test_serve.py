"""`newsreel run`'s front door: the token, failures as one clear line, nothing secret in logs."""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import aiohttp
import discord
import pytest
from aiohttp import web
from discord.http import Route

from app.config import Config, StoreConfig
from app.serve import RedactToken, run_bot
from app.wiring import Library, build_library
from store.encoders.embedder import HashingEmbedder
from tests.fixtures_store import free_port

SECRET = "MTIzNDU2Nzg5.secret-token-for-tests"


@pytest.fixture
def config(tmp_path: Path) -> Config:
    return replace(Config(), store=StoreConfig(data_dir=tmp_path / "data"))


def test_missing_token_is_one_line_and_exit_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], config: Config
) -> None:
    monkeypatch.delenv("DISCORD_TOKEN", raising=False)
    assert run_bot(config) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.count("\n") == 1 and err.startswith("newsreel: error: DISCORD_TOKEN is not set")


@pytest.fixture
def discord_rejecting_tokens() -> Iterator[str]:
    """A local API answering 401 to the login call, as Discord does for a bad token."""
    started = threading.Event()
    loop = asyncio.new_event_loop()
    runner_box: list[web.AppRunner] = []
    port_box: list[int] = []

    async def unauthorized(request: web.Request) -> web.Response:
        return web.json_response({"message": "401: Unauthorized", "code": 0}, status=401)

    async def serve() -> None:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", unauthorized)
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        runner_box.append(runner)
        port_box.append(runner.addresses[0][1])
        started.set()

    thread = threading.Thread(target=lambda: (loop.run_until_complete(serve()),
                                              loop.run_forever()), daemon=True)
    thread.start()
    assert started.wait(10)
    old = Route.BASE
    Route.BASE = f"http://127.0.0.1:{port_box[0]}/api/v10"
    try:
        yield Route.BASE
    finally:
        Route.BASE = old
        asyncio.run_coroutine_threadsafe(runner_box[0].cleanup(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        loop.close()


def test_rejected_token_is_one_line_and_exit_2_and_never_logged(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture, config: Config, discord_rejecting_tokens: str,
) -> None:
    built: list[Library] = []

    def build_fast(cfg: Config) -> Library:  # the real model is not what this test is about
        built.append(build_library(cfg, HashingEmbedder()))
        return built[-1]

    monkeypatch.setenv("DISCORD_TOKEN", SECRET)
    with caplog.at_level(logging.DEBUG):
        assert run_bot(config, build_fast) == 2

    out, err = capsys.readouterr()
    assert err.strip().splitlines() == [
        "newsreel: error: Discord rejected the token in DISCORD_TOKEN; check it in the developer "
        "portal (Bot → Reset Token)"]
    assert "Traceback" not in out + err
    assert built, "the library is built before connecting"
    assert SECRET not in out + err + caplog.text


def test_an_unreachable_discord_is_one_line_with_the_traceback_in_the_debug_log(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture, config: Config,
) -> None:
    monkeypatch.setattr(Route, "BASE", f"http://127.0.0.1:{free_port()}/api/v10")  # nobody there
    monkeypatch.setenv("DISCORD_TOKEN", SECRET)
    # As in a fresh process (discord.py warns once per process, and other tests made clients).
    monkeypatch.setattr(discord.VoiceClient, "warn_nacl", True)
    monkeypatch.setattr(discord.VoiceClient, "warn_dave", True)
    with caplog.at_level(logging.DEBUG):
        assert run_bot(config, lambda cfg: build_library(cfg, HashingEmbedder())) == 2
    _, err = capsys.readouterr()
    assert err.startswith("newsreel: error: cannot reach Discord (ClientConnectorError")
    failures = [r for r in caplog.records if r.exc_info and r.getMessage() == "newsreel run failed"]
    assert failures, "--debug must show the traceback of the failure"
    assert isinstance(failures[0].exc_info[1], aiohttp.ClientConnectorError)  # type: ignore[index]
    assert "voice will NOT be supported" not in caplog.text, "the bot uses no voice"


def test_redaction_covers_messages_and_tracebacks() -> None:
    token_filter = RedactToken(SECRET)
    try:
        raise RuntimeError(f"bad header Bot {SECRET}")
    except RuntimeError as exc:
        record = logging.LogRecord("discord.http", logging.ERROR, __file__, 1,
                                   "sending %s", (SECRET,), (type(exc), exc, exc.__traceback__))
    assert token_filter.filter(record)
    formatted = logging.Formatter().format(record)
    assert SECRET not in formatted and "[DISCORD_TOKEN]" in formatted
