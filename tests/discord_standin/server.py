"""A small local stand-in for Discord's REST API (v10) and gateway, for end-to-end tests."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import itertools
import json
import re
import socket
import time
import zlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, TypeVar

import discord
import yarl
from aiohttp import WSMsgType, web
from discord.gateway import DiscordWebSocket
from discord.http import Route

JSON = dict[str, Any]
T = TypeVar("T")
Handler = Callable[["RecordedRequest", re.Match[str]], tuple[int, Any]]
ALL_PERMISSIONS = str(discord.Permissions.all().value)
EPHEMERAL, LOADING = 64, 128
_counter = itertools.count()


def snowflake() -> int:
    """Return a fresh, time-ordered Discord snowflake."""
    millis = int(time.time() * 1000) - 1420070400000
    return (millis << 22) | (next(_counter) & 0x3FFFFF)


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat()


def _user(uid: int, name: str, *, bot: bool = False) -> JSON:
    return {"id": str(uid), "username": name, "global_name": name, "discriminator": "0",
            "avatar": None, "bot": bot, "public_flags": 0, "flags": 0}


def _error(status: int, message: str, code: int = 0) -> tuple[int, JSON]:
    return status, {"message": message, "code": code}


@dataclass
class RecordedRequest:
    """One REST request the stand-in received (path is relative to /api/v10)."""

    method: str
    path: str
    query: dict[str, str]
    json: Any
    received_at: float  # time.perf_counter()
    files: dict[str, bytes] = field(default_factory=dict)
    route: str = "unknown"  # e.g. "callback", "followup", "channel_message", "unknown"
    interaction_id: int | None = None
    status: int = 0
    response: Any = None


class DiscordStandIn:
    """Fake Discord: aiohttp REST + gateway server on 127.0.0.1, an ephemeral port."""

    def __init__(self, *, heartbeat_interval_ms: int = 1000) -> None:
        self.heartbeat_interval_ms = heartbeat_interval_ms
        self.app_id = self.bot_id = snowflake()  # modern apps: bot user id == application id
        self.guild_id, self.mod_role_id = snowflake(), snowflake()
        self.everyone_role_id = self.guild_id  # Discord: @everyone role id == guild id
        self.channel_id, self.other_channel_id = snowflake(), snowflake()
        self.user_id, self.other_user_id = snowflake(), snowflake()
        self.users: dict[int, JSON] = {
            self.bot_id: _user(self.bot_id, "newsreel-test", bot=True),
            self.user_id: _user(self.user_id, "alice"),
            self.other_user_id: _user(self.other_user_id, "bob"),
        }
        self.channels: dict[int, JSON] = {
            cid: {"id": str(cid), "type": 0, "name": name, "position": pos,
                  "guild_id": str(self.guild_id), "topic": None, "nsfw": False, "parent_id": None,
                  "permission_overwrites": [], "last_message_id": None, "rate_limit_per_user": 0,
                  "flags": 0}
            for pos, (cid, name) in enumerate([(self.channel_id, "general"),
                                               (self.other_channel_id, "news")])
        }
        self.messages: dict[int, JSON] = {}
        self.requests: list[RecordedRequest] = []
        self.registered_commands: dict[int | None, list[JSON]] = {}  # None = global
        self.gateway_connections: list[dict[str, str]] = []  # query string of each connect
        self.gateway_received: list[JSON] = []
        self.interaction_sent_at: dict[int, float] = {}
        self._interactions: dict[str, JSON] = {}  # token -> INTERACTION_CREATE payload
        self._responded: set[int] = set()
        self._original: dict[str, int] = {}  # token -> message id of @original
        self._waiters: list[asyncio.Future[None]] = []
        self._identified = asyncio.Event()
        self._ws: _GatewayConnection | None = None
        self._sockets: set[web.WebSocketResponse] = set()
        self._session_id: str | None = None
        self._seq = 0
        self._event_log: list[JSON] = []
        self._runner: web.AppRunner | None = None
        self.port = 0
        self._routes: list[tuple[str, re.Pattern[str], str, Handler]] = [
            (m, re.compile(p + r"/?"), name, h) for m, p, name, h in [
                ("GET", r"/users/@me", "me", lambda r, m: (200, self.users[self.bot_id])),
                ("GET", r"/oauth2/applications/@me", "application",
                 lambda r, m: (200, self._app())),
                ("GET", r"/gateway", "gateway", lambda r, m: (200, {"url": self.ws_root})),
                ("GET", r"/gateway/bot", "gateway", self._gateway_bot),
                ("PUT", r"/applications/\d+(?:/guilds/(?P<g>\d+))?/commands", "sync",
                 self._put_cmds),
                ("GET", r"/applications/\d+(?:/guilds/(?P<g>\d+))?/commands", "commands",
                 lambda r, m: (200, self.registered_commands.get(_opt_int(m["g"]), []))),
                ("POST", r"/interactions/(?P<i>\d+)/(?P<t>[^/]+)/callback", "callback",
                 self._callback),
                ("POST", r"/webhooks/\d+/(?P<t>[^/]+)", "followup", self._followup),
                ("GET|PATCH|DELETE", r"/webhooks/\d+/(?P<t>[^/]+)/messages/(?P<m>@original|\d+)",
                 "webhook_message", self._webhook_message),
                ("POST", r"/channels/(?P<c>\d+)/messages", "channel_message", self._post_message),
                ("GET|PATCH|DELETE", r"/channels/(?P<c>\d+)/messages/(?P<m>\d+)", "channel_message",
                 self._message),
                ("GET", r"/channels/(?P<c>\d+)", "channel", self._get_channel),
                ("POST", r"/users/@me/channels", "dm_channel", self._dm_channel),
                ("POST", r"/channels/\d+/typing", "typing", lambda r, m: (204, None)),
                ("PUT|DELETE", r"/channels/\d+/messages/\d+/reactions/[^/]+/@me", "reaction",
                 lambda r, m: (204, None)),
            ]
        ]

    # ----------------------------------------------------------------- lifecycle
    async def __aenter__(self) -> DiscordStandIn:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_get("/gateway", self._gateway)
        app.router.add_route("*", "/api/v10/{tail:.*}", self._rest)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        await web.SockSite(self._runner, sock).start()
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        for ws in list(self._sockets):
            await ws.close(code=1001)
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def api_base(self) -> str:
        """Value for ``discord.http.Route.BASE``."""
        return f"http://127.0.0.1:{self.port}/api/v10"

    @property
    def ws_root(self) -> str:
        """Gateway URL without query, as Discord's GET /gateway returns it."""
        return f"ws://127.0.0.1:{self.port}/gateway"

    @property
    def gateway_url(self) -> yarl.URL:
        """Value for ``DiscordWebSocket.DEFAULT_GATEWAY``."""
        return yarl.URL(self.ws_root)

    @contextlib.contextmanager
    def patch_discord(self) -> Iterator[None]:
        """Point discord.py's REST base and default gateway at this stand-in, restoring on exit."""
        old = Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY
        Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY = self.api_base, self.gateway_url
        try:
            yield
        finally:
            Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY = old

    async def wait_ready(self, timeout: float = 5.0) -> None:  # noqa: ASYNC109
        """Wait until a client has IDENTIFYed and received READY + GUILD_CREATE."""
        await asyncio.wait_for(self._identified.wait(), timeout)

    async def wait_for_request(self, predicate: Callable[[RecordedRequest], bool],
                               timeout: float = 5.0) -> RecordedRequest:  # noqa: ASYNC109
        """Return the first recorded request (past or future) matching ``predicate``."""
        return await self._wait_for(self.requests, predicate, timeout)

    async def wait_for_gateway_op(self, op: int, timeout: float = 5.0) -> JSON:  # noqa: ASYNC109
        """Return the first gateway payload (past or future) the client sent with opcode ``op``."""
        return await self._wait_for(self.gateway_received, lambda p: p.get("op") == op, timeout)

    async def _wait_for(self, items: list[T], predicate: Callable[[T], bool], within: float) -> T:
        async with asyncio.timeout(within):
            seen = 0
            while True:
                for item in items[seen:]:
                    if predicate(item):
                        return item
                seen = len(items)
                fut = asyncio.get_running_loop().create_future()
                self._waiters.append(fut)
                await fut

    def _notify(self) -> None:
        for fut in self._waiters:
            if not fut.done():
                fut.set_result(None)
        self._waiters.clear()

    # ------------------------------------------------------------------ gateway
    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(max_msg_size=0)
        await ws.prepare(request)
        self._sockets.add(ws)
        self.gateway_connections.append(dict(request.query))
        conn = _GatewayConnection(ws, zlib_stream=request.query.get("compress") == "zlib-stream")
        try:
            await conn.send({"op": 10, "s": None, "t": None,
                             "d": {"heartbeat_interval": self.heartbeat_interval_ms}})
            async for msg in ws:
                if msg.type is WSMsgType.TEXT:
                    await self._on_gateway_payload(conn, json.loads(msg.data))
        finally:
            self._sockets.discard(ws)
            if self._ws is conn:
                self._ws = None
        return ws

    async def _on_gateway_payload(self, conn: _GatewayConnection, payload: JSON) -> None:
        self.gateway_received.append(payload)
        self._notify()
        op, d = payload.get("op"), payload.get("d")
        if op == 1:
            await conn.send({"op": 11, "s": None, "t": None, "d": None})
        elif op == 2:
            self._session_id, self._seq, self._event_log = f"session-{snowflake()}", 0, []
            self._ws = conn
            await self.dispatch("READY", {
                "v": 10, "user": self.users[self.bot_id], "session_id": self._session_id,
                "resume_gateway_url": self.ws_root, "guilds": [{"id": str(self.guild_id),
                                                                "unavailable": True}],
                "application": {"id": str(self.app_id), "flags": 0}, "private_channels": [],
                "relationships": [], "shard": [0, 1], "_trace": ["discord-standin"]})
            await self.dispatch("GUILD_CREATE", self._guild())
            self._identified.set()
        elif op == 6 and d and d.get("session_id") == self._session_id:
            self._ws = conn
            for event in self._event_log:
                if event["s"] > (d.get("seq") or 0):
                    await conn.send(event)
            await self.dispatch("RESUMED", {"_trace": ["discord-standin"]})
            self._identified.set()
        elif op == 6:
            await conn.send({"op": 9, "s": None, "t": None, "d": False})
        elif op == 8 and d:
            ids, query = {int(u) for u in d.get("user_ids") or []}, d.get("query") or ""
            members = [m for m in self._members() if m["user"]["username"].startswith(query)
                       and (not ids or int(m["user"]["id"]) in ids)]
            await self.dispatch("GUILD_MEMBERS_CHUNK", {
                "guild_id": d["guild_id"], "members": members, "chunk_index": 0,
                "chunk_count": 1, "not_found": [], "nonce": d.get("nonce")})

    async def dispatch(self, event: str, data: JSON) -> None:
        """Send a DISPATCH (op 0) event to the connected client (replayed on RESUME if offline)."""
        if self._session_id is None:
            raise RuntimeError("no client has identified with the stand-in yet")
        self._seq += 1
        payload = {"op": 0, "s": self._seq, "t": event, "d": data}
        self._event_log.append(payload)
        if self._ws is not None:
            with contextlib.suppress(ConnectionError):  # kept in the log, replayed on RESUME
                await self._ws.send(payload)

    async def send_reconnect(self) -> None:
        """Ask the client to reconnect and RESUME (gateway op 7)."""
        self._identified.clear()
        if self._ws is not None:
            await self._ws.send({"op": 7, "s": None, "t": None, "d": None})

    # ------------------------------------------------------------- test helpers
    async def send_interaction(self, itype: int, data: JSON | None = None, *,
                               message: JSON | None = None, user_id: int | None = None,
                               channel_id: int | None = None,
                               permissions: str = ALL_PERMISSIONS) -> int:
        """Dispatch a realistic guild INTERACTION_CREATE and return its interaction id
        (`permissions`: the member's, as Discord computes them; all by default)."""
        iid, channel = snowflake(), self.channels[channel_id or self.channel_id]
        token = f"itoken-{iid}-{snowflake()}"
        payload: JSON = {
            "id": str(iid), "application_id": str(self.app_id), "type": itype, "token": token,
            "version": 1, "guild_id": str(self.guild_id), "channel_id": channel["id"],
            "channel": channel, "guild": {"id": str(self.guild_id), "locale": "en-US",
                                          "features": []},
            "member": {**self._member(user_id or self.user_id), "permissions": permissions},
            "locale": "en-US", "guild_locale": "en-US", "app_permissions": ALL_PERMISSIONS,
            "entitlements": [], "entitlement_sku_ids": [], "context": 0,
            "authorizing_integration_owners": {"0": str(self.guild_id)},
            "attachment_size_limit": 10 * 1024 * 1024,
        }
        if data is not None:
            payload["data"] = data
        if message is not None:
            payload["message"] = message
        self._interactions[token] = payload
        self.interaction_sent_at[iid] = time.perf_counter()
        await self.dispatch("INTERACTION_CREATE", payload)
        return iid

    async def send_slash_command(self, name: str, options: Mapping[str, Any] | Sequence[JSON] = (),
                                 **kwargs: Any) -> int:
        """Invoke ``/name`` with options given as ``{name: value}`` (or raw option dicts)."""
        return await self.send_interaction(2, self._command_data(name, 1, options), **kwargs)

    async def send_autocomplete(self, name: str, options: Mapping[str, Any], focused: str,
                                **kwargs: Any) -> int:
        """Send an autocomplete request (type 4) with ``focused`` as the focused option."""
        data = self._command_data(name, 1, options)
        for opt in data["options"]:
            if opt["name"] == focused:
                opt["focused"] = True
        return await self.send_interaction(4, data, **kwargs)

    async def send_message_command(self, name: str, target_message_id: int, **kwargs: Any) -> int:
        """Invoke a message context-menu command on a known message."""
        data = self._command_data(name, 3, ())
        target = self.messages[target_message_id]
        data.update(target_id=str(target_message_id),
                    resolved={"messages": {str(target_message_id): target}})
        return await self.send_interaction(2, data, **kwargs)

    async def send_button_click(self, custom_id: str, message_id: int, *, component_type: int = 2,
                                values: list[str] | None = None, **kwargs: Any) -> int:
        """Click a component (button by default; pass values for selects) on a known message."""
        data: JSON = {"custom_id": custom_id, "component_type": component_type}
        if values is not None:
            data["values"] = values
        return await self.send_interaction(3, data, message=self.messages[message_id], **kwargs)

    async def send_message_create(self, content: str, *, author_id: int | None = None,
                                  channel_id: int | None = None) -> int:
        """Dispatch MESSAGE_CREATE from a guild member (mentions parsed from content)."""
        author = self.users[author_id or self.user_id]
        msg = self._new_message(channel_id or self.channel_id, {"content": content}, author=author)
        member = {k: v for k, v in self._member(int(author["id"])).items() if k != "user"}
        msg["mentions"] = [{**u, "member": self._member(int(u["id"]))} for u in msg["mentions"]]
        await self.dispatch("MESSAGE_CREATE", {**msg, "member": member})
        return int(msg["id"])

    # --------------------------------------------------------------- payloads
    def _app(self) -> JSON:
        return {"id": str(self.app_id), "name": "Newsreel Test", "description": "", "icon": None,
                "bot_public": False, "bot_require_code_grant": False, "verify_key": "0" * 64,
                "owner": self.users[self.user_id], "team": None, "flags": 0,
                "bot": self.users[self.bot_id], "summary": "", "redirect_uris": []}

    def _member(self, uid: int) -> JSON:
        roles = [str(self.mod_role_id)] if uid == self.user_id else []
        return {"user": self.users[uid], "roles": roles, "joined_at": _now(), "deaf": False,
                "mute": False, "flags": 0, "nick": None, "avatar": None, "pending": False,
                "premium_since": None, "communication_disabled_until": None}

    def _members(self) -> list[JSON]:
        return [self._member(uid) for uid in self.users]

    def _guild(self) -> JSON:
        role = {"hoist": False, "managed": False, "mentionable": False, "flags": 0, "icon": None,
                "unicode_emoji": None, "color": 0, "colors": {"primary_color": 0}}
        return {
            "id": str(self.guild_id), "name": "Stand-in Guild", "icon": None,
            "owner_id": str(self.user_id), "features": [], "emojis": [], "stickers": [],
            "roles": [{**role, "id": str(self.everyone_role_id), "name": "@everyone",
                       "position": 0, "permissions": "1071698660929"},
                      {**role, "id": str(self.mod_role_id), "name": "Moderator", "position": 1,
                       "permissions": ALL_PERMISSIONS}],
            "channels": [{k: v for k, v in c.items() if k != "guild_id"}
                         for c in self.channels.values() if "guild_id" in c],
            "members": self._members(), "member_count": len(self.users), "presences": [],
            "voice_states": [], "threads": [], "stage_instances": [], "guild_scheduled_events": [],
            "soundboard_sounds": [], "large": False, "unavailable": False, "joined_at": _now(),
            "verification_level": 0, "default_message_notifications": 0,
            "explicit_content_filter": 0, "mfa_level": 0, "nsfw_level": 0, "premium_tier": 0,
            "system_channel_flags": 0, "preferred_locale": "en-US", "afk_timeout": 300,
            "premium_progress_bar_enabled": False,
        }

    def _command_data(self, name: str, ctype: int,
                      options: Mapping[str, Any] | Sequence[JSON]) -> JSON:
        cmd, guild = next(((c, g) for g, cmds in self.registered_commands.items() for c in cmds
                           if c["name"] == name and c.get("type", 1) == ctype), ({}, None))
        defs = {o["name"]: o for o in cmd.get("options", [])}
        kinds = {bool: 5, int: 4, float: 10}
        opts = [{"name": k, "value": v, "type": defs.get(k, {}).get("type", kinds.get(type(v), 3))}
                for k, v in options.items()] if isinstance(options, Mapping) else list(options)
        data: JSON = {"id": cmd.get("id", str(snowflake())), "name": name, "type": ctype,
                      "options": opts}
        if guild is not None:
            data["guild_id"] = str(guild)
        return data

    def _mentions(self, content: str, allowed: JSON | None, reference: JSON | None) -> list[JSON]:
        ids = [int(x) for x in re.findall(r"<@!?(\d+)>", content)]
        if allowed is not None and "users" not in allowed.get("parse", []):
            permitted = {int(u) for u in allowed.get("users", [])}
            ids = [i for i in ids if i in permitted]
        replied = self.messages.get(int(reference.get("message_id", 0))) if reference else None
        if replied and (allowed is None or allowed.get("replied_user", False)):
            ids.append(int(replied["author"]["id"]))
        return [self.users[i] for i in dict.fromkeys(ids) if i in self.users]

    def _new_message(self, channel_id: int, body: JSON, *, author: JSON | None = None,
                     webhook: bool = False, attachments: list[JSON] | None = None) -> JSON:
        ref = body.get("message_reference")
        mid = snowflake()
        msg: JSON = {
            "id": str(mid), "channel_id": str(channel_id), "type": 19 if ref else 0,
            "author": author or self.users[self.bot_id], "content": body.get("content") or "",
            "embeds": body.get("embeds") or [], "components": body.get("components") or [],
            "attachments": attachments or [], "mention_roles": [], "mention_everyone": False,
            "mentions": self._mentions(body.get("content") or "", body.get("allowed_mentions"),
                                       ref),
            "pinned": False, "tts": bool(body.get("tts")), "timestamp": _now(),
            "edited_timestamp": None, "flags": body.get("flags") or 0,
        }
        if "guild_id" in self.channels.get(channel_id, {}):
            msg["guild_id"] = str(self.guild_id)
        if ref:
            msg["message_reference"] = {"channel_id": str(channel_id), **ref}
            msg["referenced_message"] = self.messages.get(int(ref.get("message_id", 0)))
        if webhook:
            msg.update(webhook_id=str(self.app_id), application_id=str(self.app_id))
        self.messages[mid] = msg
        return msg

    def _edit_message(self, msg: JSON, body: JSON, attachments: list[JSON]) -> JSON:
        for key in ("content", "embeds", "components", "flags"):
            if key in body:
                msg[key] = body[key] if body[key] is not None else ([] if key != "content" else "")
        if "attachments" in body or attachments:
            keep = {str(a.get("id")) for a in body.get("attachments") or []}
            msg["attachments"] = [a for a in msg["attachments"] if a["id"] in keep] + attachments
        if "content" in body:
            msg["mentions"] = self._mentions(msg["content"], body.get("allowed_mentions"), None)
        msg["flags"] = (msg.get("flags") or 0) & ~LOADING
        msg["edited_timestamp"] = _now()
        return msg

    # -------------------------------------------------------------------- REST
    async def _rest(self, request: web.Request) -> web.Response:
        body: Any = None
        files: dict[str, bytes] = {}
        if request.content_type.startswith("multipart/"):
            form = await request.post()
            body = json.loads(str(form.get("payload_json", "{}")))
            files = {v.filename: v.file.read() for v in form.values()
                     if isinstance(v, web.FileField)}
        elif request.can_read_body:
            raw = await request.read()
            body = json.loads(raw) if raw else None
        path = "/" + request.match_info["tail"]
        rec = RecordedRequest(request.method, path, dict(request.query), body,
                              time.perf_counter(), files)
        rec.status, rec.response = _error(404, "Unknown")
        for methods, pattern, name, handler in self._routes:
            match = pattern.fullmatch(path)
            if match and request.method in methods.split("|"):
                rec.route = name
                try:
                    rec.status, rec.response = handler(rec, match)
                except Exception as exc:  # surface stand-in bugs as a 400 the client won't retry
                    rec.status, rec.response = _error(400, f"stand-in error: {exc!r}", 50035)
                break
        self.requests.append(rec)
        self._notify()
        if rec.status == 204:
            return web.Response(status=204)
        return web.Response(status=rec.status, body=json.dumps(rec.response).encode(),
                            headers={"Content-Type": "application/json"})

    def _attachments(self, rec: RecordedRequest) -> list[JSON]:
        out = []
        for name, data in rec.files.items():
            aid = snowflake()
            url = f"http://127.0.0.1:{self.port}/attachments/{aid}/{name}"
            out.append({"id": str(aid), "filename": name, "size": len(data), "url": url,
                        "proxy_url": url})
        return out

    def _gateway_bot(self, rec: RecordedRequest, m: re.Match[str]) -> tuple[int, Any]:
        limit = {"total": 1000, "remaining": 999, "reset_after": 0, "max_concurrency": 1}
        return 200, {"url": self.ws_root, "shards": 1, "session_start_limit": limit}

    def _put_cmds(self, rec: RecordedRequest, m: re.Match[str]) -> tuple[int, Any]:
        guild = _opt_int(m["g"])
        old = {(c["name"], c.get("type", 1)): c["id"]
               for c in self.registered_commands.get(guild, [])}
        cmds = [{"type": 1, "description": "", "options": [], "default_member_permissions": None,
                 "nsfw": False, **c,
                 "id": old.get((c["name"], c.get("type", 1)), str(snowflake())),
                 "application_id": str(self.app_id), "version": str(snowflake())}
                | ({"guild_id": str(guild)} if guild else {}) for c in rec.json or []]
        self.registered_commands[guild] = cmds
        return 200, cmds

    def _interaction(self, rec: RecordedRequest, token: str) -> JSON | None:
        payload = self._interactions.get(token)
        if payload is not None:
            rec.interaction_id = int(payload["id"])
        return payload

    def _callback(self, rec: RecordedRequest, m: re.Match[str]) -> tuple[int, Any]:
        inter = self._interaction(rec, m["t"])
        if inter is None or inter["id"] != m["i"]:
            return _error(404, "Unknown interaction", 10062)
        if rec.interaction_id in self._responded:
            return _error(400, "Interaction has already been acknowledged.", 40060)
        self._responded.add(int(inter["id"]))
        ctype, data = rec.json["type"], rec.json.get("data") or {}
        msg: JSON | None = None
        if ctype in (4, 5):  # new (or deferred "thinking") response message
            body = data if ctype == 4 else {"flags": (data.get("flags") or 0) | LOADING}
            msg = self._new_message(int(inter["channel_id"]), body, webhook=True,
                                    attachments=self._attachments(rec))
            msg.update(type=20 if inter["type"] == 2 else 0, interaction_metadata={
                "id": inter["id"], "type": inter["type"], "user": inter["member"]["user"],
                "authorizing_integration_owners": inter["authorizing_integration_owners"]})
            self._original[m["t"]] = int(msg["id"])
        elif ctype in (6, 7) and "message" in inter:
            self._original[m["t"]] = mid = int(inter["message"]["id"])
            if ctype == 7:
                msg = self._edit_message(self.messages[mid], data, self._attachments(rec))
        if rec.query.get("with_response") not in ("1", "true", "True"):
            return 204, None
        flags = (msg or {}).get("flags") or 0
        resp: JSON = {"interaction": {"id": inter["id"], "type": inter["type"],
                                      "response_message_loading": ctype == 5,
                                      "response_message_ephemeral": bool(flags & EPHEMERAL)},
                      "resource": {"type": ctype}}
        if msg is not None:
            resp["interaction"]["response_message_id"] = msg["id"]
            resp["resource"]["message"] = msg
        return 200, resp

    def _followup(self, rec: RecordedRequest, m: re.Match[str]) -> tuple[int, Any]:
        inter = self._interaction(rec, m["t"])
        if inter is None:
            return _error(404, "Unknown Webhook", 10015)
        channel_id = int(rec.query.get("thread_id") or inter["channel_id"])
        msg = self._new_message(channel_id, rec.json or {}, webhook=True,
                                attachments=self._attachments(rec))
        return (200, msg) if rec.query.get("wait") in ("1", "true", "True") else (204, None)

    def _webhook_message(self, rec: RecordedRequest, m: re.Match[str]) -> tuple[int, Any]:
        if self._interaction(rec, m["t"]) is None:
            return _error(404, "Unknown Webhook", 10015)
        mid = self._original.get(m["t"], 0) if m["m"] == "@original" else int(m["m"])
        return self._message_op(rec, mid)

    def _message(self, rec: RecordedRequest, m: re.Match[str]) -> tuple[int, Any]:
        return self._message_op(rec, int(m["m"]))

    def _message_op(self, rec: RecordedRequest, mid: int) -> tuple[int, Any]:
        msg = self.messages.get(mid)
        if msg is None:
            return _error(404, "Unknown Message", 10008)
        if rec.method == "DELETE":
            del self.messages[mid]
            return 204, None
        if rec.method == "PATCH":
            self._edit_message(msg, rec.json or {}, self._attachments(rec))
        return 200, msg

    def _post_message(self, rec: RecordedRequest, m: re.Match[str]) -> tuple[int, Any]:
        if int(m["c"]) not in self.channels:
            return _error(404, "Unknown Channel", 10003)
        attachments = self._attachments(rec)
        return 200, self._new_message(int(m["c"]), rec.json or {}, attachments=attachments)

    def _get_channel(self, rec: RecordedRequest, m: re.Match[str]) -> tuple[int, Any]:
        channel = self.channels.get(int(m["c"]))
        return (200, channel) if channel else _error(404, "Unknown Channel", 10003)

    def _dm_channel(self, rec: RecordedRequest, m: re.Match[str]) -> tuple[int, Any]:
        recipient = self.users.get(int(rec.json["recipient_id"]))
        if recipient is None:
            return _error(400, "Invalid Recipient(s)", 50033)
        existing = [c for c in self.channels.values() if c.get("recipients") == [recipient]]
        channel: JSON = existing[0] if existing else {
            "id": str(snowflake()), "type": 1, "flags": 0, "recipients": [recipient],
            "last_message_id": None}
        self.channels[int(channel["id"])] = channel
        return 200, channel


def _opt_int(value: str | None) -> int | None:
    return int(value) if value else None


class _GatewayConnection:
    """One client websocket; sends JSON text frames, or zlib-stream binary frames if asked."""

    def __init__(self, ws: web.WebSocketResponse, *, zlib_stream: bool) -> None:
        self.ws = ws
        self._zlib = zlib.compressobj() if zlib_stream else None
        self._lock = asyncio.Lock()

    async def send(self, payload: JSON) -> None:
        """Send one gateway payload, keeping frame order (the zlib context is shared)."""
        async with self._lock:
            text = json.dumps(payload)
            if self._zlib is None:
                await self.ws.send_str(text)
            else:
                data = self._zlib.compress(text.encode()) + self._zlib.flush(zlib.Z_SYNC_FLUSH)
                await self.ws.send_bytes(data)
