"""A local stand-in for Discord's REST API and gateway, for tests.

The real discord.py client talks to it over a real socket (REST base and gateway URL come from
`DISCORD_API_BASE_URL` / `DISCORD_GATEWAY_URL`). It records every REST call, so tests assert on what Discord
would have received, and lets tests push gateway events (messages, interactions), drop the socket or ask the
client to reconnect.

Facts it encodes: discord.py parses JSON only with a Content-Type of exactly `application/json`; login is
`GET /users/@me` then `GET /oauth2/applications/@me`; interaction callbacks with `?with_response=1` expect
`{"interaction": ..., "resource": ...}`; plain text gateway frames are accepted even with zlib-stream asked;
a 429 is taken as Discord's (and waited out, `retry_after` seconds) only with a `Via` header, else as a ban.
"""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

BOT_ID = 900_000_000_000_000_001
APP_ID = 900_000_000_000_000_002
TIMESTAMP = "2026-01-01T00:00:00.000000+00:00"
MANAGE_GUILD = 1 << 5
MESSAGE_CONTENT = 1 << 15  # the privileged intent an application must switch on in the Developer Portal
# What a normal member may do in a channel: view, send, read history, use application commands.
MEMBER_PERMISSIONS = (1 << 10) | (1 << 11) | (1 << 16) | (1 << 31)


@dataclass
class Call:
    """One REST request as Discord would have received it."""

    method: str
    path: str
    query: dict[str, str]
    body: Any

    @property
    def content(self) -> str:
        return (self.body or {}).get("content") or ((self.body or {}).get("data") or {}).get("content") or ""

    @property
    def flags(self) -> int:
        body = self.body or {}
        return int(body.get("flags") or (body.get("data") or {}).get("flags") or 0)

    @property
    def components(self) -> list[dict[str, Any]]:
        body = self.body or {}
        return body.get("components") or (body.get("data") or {}).get("components") or []

    @property
    def custom_ids(self) -> list[str]:
        return [item["custom_id"] for row in self.components for item in row.get("components", [])]

    @property
    def allowed_mentions(self) -> dict[str, Any] | None:
        body = self.body or {}
        return body.get("allowed_mentions") or (body.get("data") or {}).get("allowed_mentions")


def user_payload(user_id: int, name: str = "someone", *, bot: bool = False) -> dict[str, Any]:
    return {
        "id": str(user_id),
        "username": name,
        "discriminator": "0",
        "global_name": name,
        "avatar": None,
        "bot": bot,
    }


@dataclass
class RateLimit:
    """The next `times` requests matching `applies` are refused with 429 and `retry_after` seconds to wait."""

    applies: Callable[[Call], bool]
    retry_after: float
    times: int


@dataclass
class Refusal:
    """Every request matching `applies` is refused with `status` and Discord's JSON error `code`."""

    applies: Callable[[Call], bool]
    status: int
    code: int
    message: str


@dataclass
class FakeDiscord:
    guild_id: int = 700_000_000_000_000_001
    channel_id: int = 700_000_000_000_000_010
    other_channel_id: int = 700_000_000_000_000_011
    alert_channel_id: int = 700_000_000_000_000_012
    moderator_role_id: int = 700_000_000_000_000_020
    bot_role_id: int = 700_000_000_000_000_021  # the role Discord makes for the bot when it is invited
    # The server's language (Server Settings → Community): in GUILD_CREATE, and as `guild_locale` with every
    # interaction in the server, as Discord sends them.
    preferred_locale: str = "en-US"
    calls: list[Call] = field(default_factory=list)
    refused: list[Call] = field(default_factory=list)
    rate_limits: list[RateLimit] = field(default_factory=list)
    refusals: list[Refusal] = field(default_factory=list)
    closed_dms: set[int] = field(default_factory=set)
    threads_allowed: bool = True
    token: str = "test-token"
    message_content_allowed: bool = True
    identifies: int = 0
    shards: list[list[int]] = field(default_factory=list)
    resumes: int = 0
    base_url: str = ""
    gateway_url: str = ""
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(800_000_000_000_000_001))
    _sequence: int = 0
    _sent: list[dict[str, Any]] = field(default_factory=list)
    _socket: web.WebSocketResponse | None = None
    _ready: asyncio.Event = field(default_factory=asyncio.Event)
    _changed: asyncio.Condition = field(default_factory=asyncio.Condition)
    _dm_channels: dict[int, int] = field(default_factory=dict)
    _sockets: set[web.WebSocketResponse] = field(default_factory=set)
    _runner: web.AppRunner | None = None

    # ---- life cycle

    async def start(self) -> None:
        app = web.Application(middlewares=[self._record])
        app.router.add_get("/gateway", self._gateway)
        app.router.add_route("*", "/api/v10/{tail:.*}", self._rest)
        self._runner = web.AppRunner(app, access_log=None, handler_cancellation=True)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.base_url = f"http://127.0.0.1:{port}/api/v10"
        self.gateway_url = f"ws://127.0.0.1:{port}/gateway"

    async def stop(self) -> None:
        for socket in list(self._sockets):
            await socket.close()
        if self._runner is not None:
            await self._runner.cleanup()

    def new_id(self) -> int:
        return next(self._ids)

    def rate_limit(self, applies: Callable[[Call], bool], retry_after: float = 1.0, times: int = 1) -> None:
        """Refuse the next `times` matching requests with 429, as Discord does when a channel's or an
        interaction's send limit is used up. They go to `refused`, not `calls`: Discord did not take them."""
        self.rate_limits.append(RateLimit(applies, retry_after, times))

    def refuse(
        self, applies: Callable[[Call], bool], status: int = 403, code: int = 50001, message: str = "Missing Access"
    ) -> None:
        """Refuse every matching request with Discord's error (by default 403 / 50001 Missing Access, as for a
        channel the bot cannot see). They go to `refused`, not `calls`: Discord did not take them."""
        self.refusals.append(Refusal(applies, status, code, message))

    # ---- what tests wait for

    async def wait_ready(self, timeout: float = 10) -> None:
        await asyncio.wait_for(self._ready.wait(), timeout)

    async def wait_for_call(self, predicate: Callable[[Call], bool], timeout: float = 10, start: int = 0) -> Call:
        async def find() -> Call:
            async with self._changed:
                while True:
                    for call in self.calls[start:]:
                        if predicate(call):
                            return call
                    await self._changed.wait()

        return await asyncio.wait_for(find(), timeout)

    async def wait_for_text(self, channel_id: int, text: str, start: int = 0, timeout: float = 10) -> Call:
        """The message (sent or edited) in `channel_id` that shows `text`: a streamed reply's final form."""

        def shows(call: Call) -> bool:
            return call.path.startswith(f"/channels/{channel_id}/messages") and text in call.content

        return await self.wait_for_call(shows, timeout, start)

    async def wait_until(self, predicate: Callable[[], bool], timeout: float = 10) -> None:
        """Wait until the stand-in's state (calls, identifies, resumes) satisfies `predicate`."""

        async def check() -> None:
            async with self._changed:
                await self._changed.wait_for(predicate)

        await asyncio.wait_for(check(), timeout)

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    def calls_to(self, method: str, fragment: str, start: int = 0) -> list[Call]:
        return [call for call in self.calls[start:] if call.method == method and fragment in call.path]

    def posts(self, start: int = 0) -> list[Call]:
        """Messages and interaction responses the bot sent, in order."""
        return [
            call
            for call in self.calls[start:]
            if call.method == "POST" and (call.path.endswith("/messages") or call.path.endswith("/callback"))
        ]

    def sent_to(self, channel_id: int, start: int = 0) -> list[Call]:
        """New messages the bot posted in one channel (not edits, not threads opened there)."""
        return [
            call
            for call in self.calls[start:]
            if call.method == "POST" and call.path == f"/channels/{channel_id}/messages"
        ]

    def dm_channel_of(self, user_id: int) -> int | None:
        return self._dm_channels.get(user_id)

    # ---- gateway events tests push

    async def dispatch(self, event: str, data: dict[str, Any]) -> None:
        self._sequence += 1
        frame = {"op": 0, "t": event, "s": self._sequence, "d": data}
        self._sent.append(frame)
        if self._socket is not None and not self._socket.closed:
            await self._socket.send_str(json.dumps(frame))

    def message(
        self,
        content: str,
        *,
        author: int,
        channel_id: int | None = None,
        guild: bool = True,
        mentions: tuple[int, ...] = (),
        role_mentions: tuple[int, ...] = (),
        bot: bool = False,
        message_id: int | None = None,
    ) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": str(message_id or self.new_id()),
            "channel_id": str(channel_id or (self.channel_id if guild else self.dm_channel(author))),
            "author": user_payload(author, f"user{author % 1000}", bot=bot),
            "content": content,
            "timestamp": TIMESTAMP,
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": False,
            "mentions": [user_payload(BOT_ID, "Hearth", bot=True) for mentioned in mentions if mentioned == BOT_ID],
            "mention_roles": [str(role) for role in role_mentions],
            "attachments": [],
            "embeds": [],
            "pinned": False,
            "type": 0,
            "flags": 0,
            "components": [],
        }
        if guild:
            data["guild_id"] = str(self.guild_id)
            data["member"] = {"roles": [], "joined_at": TIMESTAMP, "deaf": False, "mute": False, "flags": 0}
        return data

    async def send_message(self, content: str, **kwargs: Any) -> dict[str, Any]:
        data = self.message(content, **kwargs)
        await self.dispatch("MESSAGE_CREATE", data)
        return data

    def dm_channel(self, user_id: int) -> int:
        if user_id not in self._dm_channels:
            self._dm_channels[user_id] = self.new_id()
        return self._dm_channels[user_id]

    async def interact(
        self,
        *,
        user: int,
        command: str | None = None,
        options: dict[str, Any] | None = None,
        custom_id: str | None = None,
        guild: bool = True,
        permissions: int = MEMBER_PERMISSIONS,
        channel_id: int | None = None,
        resolved: dict[str, Any] | None = None,
        locale: str = "en-GB",
    ) -> dict[str, Any]:
        """Push an INTERACTION_CREATE: a slash command (`command`) or a button press (`custom_id`), from a client
        set to `locale` (Discord sends the person's own client language with every interaction)."""
        interaction_id = self.new_id()
        data: dict[str, Any] = {
            "id": str(interaction_id),
            "application_id": str(APP_ID),
            "token": f"token-{interaction_id}",
            "version": 1,
            "locale": locale,
            "attachment_size_limit": 8 * 1024 * 1024,
            "app_permissions": str(MEMBER_PERMISSIONS),
            "entitlements": [],
            "authorizing_integration_owners": {},
            "context": 0 if guild else 1,
        }
        if command is not None:
            data["type"] = 2
            data["data"] = {
                "id": str(self.new_id()),
                "name": command,
                "type": 1,
                "options": [_option(name, value) for name, value in (options or {}).items()],
            }
            if resolved:
                data["data"]["resolved"] = resolved
        else:
            data["type"] = 3
            data["data"] = {"custom_id": custom_id, "component_type": 2}
            # The message the button sits under, as Discord sends it: with its components.
            data["message"] = self.message("(earlier reply)", author=BOT_ID, guild=guild, channel_id=channel_id)
            button = {"type": 2, "style": 2, "label": "A button", "custom_id": custom_id}
            data["message"]["components"] = [{"type": 1, "components": [button]}]
        channel = channel_id or (self.channel_id if guild else self.dm_channel(user))
        if guild:
            data["guild_id"] = str(self.guild_id)
            data["guild_locale"] = self.preferred_locale
            data["channel"] = {"id": str(channel), "type": 0, "guild_id": str(self.guild_id), "name": "general"}
            data["member"] = {
                "user": user_payload(user, f"user{user % 1000}"),
                "roles": [],
                "joined_at": TIMESTAMP,
                "deaf": False,
                "mute": False,
                "flags": 0,
                "permissions": str(permissions),
            }
        else:
            data["channel"] = {"id": str(channel), "type": 1, "recipients": [user_payload(user)]}
            data["user"] = user_payload(user, f"user{user % 1000}")
        await self.dispatch("INTERACTION_CREATE", data)
        return data

    def resolved(self, channels: tuple[int, ...] = (), roles: tuple[int, ...] = ()) -> dict[str, Any]:
        """The `resolved` part of a command whose options name channels (type 7) or roles (type 8)."""
        return {
            "channels": {
                str(channel): {"id": str(channel), "type": 0, "name": "chan", "permissions": str(MEMBER_PERMISSIONS)}
                for channel in channels
            },
            "roles": {str(role): _role(role, "Moderators", MEMBER_PERMISSIONS) for role in roles},
        }

    async def request_reconnect(self) -> None:
        """Send op 7 RECONNECT, as Discord does before moving a session."""
        assert self._socket is not None
        await self._socket.send_str(json.dumps({"op": 7, "d": None}))

    async def drop_connection(self) -> None:
        """Close the socket from the server side without warning (a network blip or a Discord restart)."""
        assert self._socket is not None
        await self._socket.close(code=4000, message=b"stand-in closed the socket")

    # ---- gateway

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        self._sockets.add(socket)
        self._socket = socket
        await socket.send_str(json.dumps({"op": 10, "d": {"heartbeat_interval": 30_000}}))
        try:
            async for frame in socket:
                if frame.type is not WSMsgType.TEXT:
                    continue
                await self._on_frame(socket, json.loads(frame.data))
        finally:
            self._sockets.discard(socket)
        return socket

    async def _on_frame(self, socket: web.WebSocketResponse, frame: dict[str, Any]) -> None:
        op = frame.get("op")
        if op == 1:
            await socket.send_str(json.dumps({"op": 11}))
        elif op == 2 and not self.message_content_allowed and int(frame["d"].get("intents", 0)) & MESSAGE_CONTENT:
            await socket.close(code=4014, message=b"Disallowed intent(s).")
        elif op == 2:
            self.identifies += 1
            self.shards.append(frame["d"].get("shard") or [0, 1])
            await self.dispatch("READY", self._ready_payload(frame["d"]))
            await self.dispatch("GUILD_CREATE", self._guild_payload())
            self._ready.set()
            await self._notify()
        elif op == 6:
            self.resumes += 1
            last_seen = int(frame["d"].get("seq") or 0)
            for missed in [sent for sent in self._sent if sent["s"] > last_seen]:
                await socket.send_str(json.dumps(missed))
            await self.dispatch("RESUMED", {})
            await self._notify()

    def _ready_payload(self, identify: dict[str, Any]) -> dict[str, Any]:
        shard = identify.get("shard") or [0, 1]
        return {
            "v": 10,
            "user": user_payload(BOT_ID, "Hearth", bot=True),
            "guilds": [{"id": str(self.guild_id), "unavailable": True}],
            "session_id": "session-1",
            "resume_gateway_url": self.gateway_url,
            "shard": shard,
            "application": {"id": str(APP_ID), "flags": 0},
        }

    def _guild_payload(self) -> dict[str, Any]:
        guild = str(self.guild_id)

        def text_channel(channel_id: int, name: str, position: int) -> dict[str, Any]:
            return {
                "id": str(channel_id),
                "type": 0,
                "name": name,
                "position": position,
                "permission_overwrites": [],
                "guild_id": guild,
                "nsfw": False,
                "parent_id": None,
            }

        return {
            "id": guild,
            "name": "Support Circle",
            "preferred_locale": self.preferred_locale,
            "owner_id": str(self.new_id()),
            "unavailable": False,
            "member_count": 3,
            "large": False,
            "features": [],
            "emojis": [],
            "stickers": [],
            "roles": [
                _role(self.guild_id, "@everyone", MEMBER_PERMISSIONS),
                _role(self.moderator_role_id, "Moderators", MEMBER_PERMISSIONS),
                {
                    **_role(self.bot_role_id, "Hearth", MEMBER_PERMISSIONS),
                    "managed": True,
                    "tags": {"bot_id": str(BOT_ID)},
                },
            ],
            "channels": [
                text_channel(self.channel_id, "general", 0),
                text_channel(self.other_channel_id, "venting", 1),
                text_channel(self.alert_channel_id, "mod-alerts", 2),
            ],
            "threads": [],
            "members": [
                {
                    "user": user_payload(BOT_ID, "Hearth", bot=True),
                    "roles": [str(self.bot_role_id)],
                    "joined_at": TIMESTAMP,
                    "deaf": False,
                    "mute": False,
                    "flags": 0,
                }
            ],
            "voice_states": [],
            "presences": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "soundboard_sounds": [],
        }

    # ---- REST

    @web.middleware
    async def _record(self, request: web.Request, handler: Any) -> web.StreamResponse:
        if request.path.startswith("/api/"):
            path = request.path.removeprefix("/api/v10")
            call = Call(request.method, path, dict(request.query), await _body(request))
            limit = next((limit for limit in self.rate_limits if limit.times and limit.applies(call)), None)
            refusal = next((refusal for refusal in self.refusals if refusal.applies(call)), None)
            async with self._changed:
                if limit is not None:
                    limit.times -= 1
                if limit is not None or refusal is not None:
                    self.refused.append(call)
                else:
                    self.calls.append(call)
                self._changed.notify_all()
            if limit is not None:
                return _rate_limited(limit.retry_after)
            if refusal is not None:
                return _json({"message": refusal.message, "code": refusal.code}, status=refusal.status)
        return await handler(request)

    async def _rest(self, request: web.Request) -> web.Response:
        path = "/" + request.match_info["tail"]
        method = request.method
        body = await _body(request)
        parts = path.strip("/").split("/")
        # Interaction callbacks and follow-ups are authorised by the interaction token in the path instead.
        authorised = request.headers.get("Authorization") == f"Bot {self.token}"
        if not authorised and parts[0] not in ("interactions", "webhooks"):
            return _json({"message": "401: Unauthorized", "code": 0}, status=401)
        if method == "GET" and path == "/users/@me":
            return _json(user_payload(BOT_ID, "Hearth", bot=True))
        if method == "GET" and path == "/oauth2/applications/@me":
            return _json(self._application())
        if method == "GET" and path in ("/gateway/bot", "/gateway"):
            limit = {"total": 1000, "remaining": 999, "reset_after": 0, "max_concurrency": 1}
            return _json({"url": self.gateway_url, "shards": 1, "session_start_limit": limit})
        if method == "PUT" and parts[0] == "applications" and parts[-1] == "commands":
            return _json(
                [
                    {**command, "id": str(self.new_id()), "application_id": str(APP_ID), "version": "1"}
                    for command in body or []
                ]
            )
        if parts[0] == "channels":
            return await self._channels(method, parts, body)
        if method == "POST" and path == "/users/@me/channels":
            recipient = int(body["recipient_id"])
            channel = self.dm_channel(recipient)
            return _json(
                {"id": str(channel), "type": 1, "recipients": [user_payload(recipient)], "last_message_id": None}
            )
        if parts[0] == "interactions" and parts[-1] == "callback":
            return self._callback(parts[1], body)
        if parts[0] == "webhooks":
            return _json(self._message_echo(self.channel_id, body, self.new_id()))
        return _json({"message": "404: Not Found", "code": 0}, status=404)

    async def _channels(self, method: str, parts: list[str], body: Any) -> web.Response:
        channel_id = int(parts[1])
        tail = parts[2:]
        if method == "POST" and tail == ["typing"]:
            return web.Response(status=204)
        if method == "POST" and tail == ["messages"]:
            recipient = next((user for user, dm in self._dm_channels.items() if dm == channel_id), None)
            if recipient in self.closed_dms:
                return _json({"message": "Cannot send messages to this user", "code": 50007}, status=403)
            return _json(self._message_echo(channel_id, body, self.new_id()))
        if method == "PATCH" and len(tail) == 2 and tail[0] == "messages":
            return _json(self._message_echo(channel_id, body, int(tail[1])))
        if method == "POST" and len(tail) == 3 and tail[2] == "threads" and not self.threads_allowed:
            return _json({"message": "Missing Permissions", "code": 50013}, status=403)
        if method == "POST" and len(tail) == 3 and tail[2] == "threads":
            thread = self._thread(channel_id, int(tail[1]), (body or {}).get("name", "thread"))
            await self.dispatch("THREAD_CREATE", {**thread, "newly_created": True})
            return _json(thread)
        return _json({"message": "404: Not Found", "code": 0}, status=404)

    def _thread(self, parent_id: int, message_id: int, name: str) -> dict[str, Any]:
        return {
            "id": str(message_id),
            "type": 11,
            "guild_id": str(self.guild_id),
            "parent_id": str(parent_id),
            "owner_id": str(BOT_ID),
            "name": name,
            "message_count": 0,
            "member_count": 1,
            "rate_limit_per_user": 0,
            "flags": 0,
            "thread_metadata": {
                "archived": False,
                "auto_archive_duration": 1440,
                "archive_timestamp": TIMESTAMP,
                "locked": False,
            },
        }

    def _callback(self, interaction_id: str, body: Any) -> web.Response:
        message = self._message_echo(self.channel_id, body.get("data") or {}, self.new_id())
        response = {
            "interaction": {
                "id": interaction_id,
                "type": 2,
                "response_message_id": message["id"],
                "response_message_loading": body.get("type") == 5,
                "response_message_ephemeral": bool(int((body.get("data") or {}).get("flags") or 0) & 64),
            },
            "resource": {"type": body.get("type"), "message": message},
        }
        return _json(response)

    def _message_echo(self, channel_id: int, body: Any, message_id: int) -> dict[str, Any]:
        body = body or {}
        return {
            **self.message(body.get("content") or "", author=BOT_ID, channel_id=channel_id, guild=False),
            "id": str(message_id),
            "author": user_payload(BOT_ID, "Hearth", bot=True),
            "components": body.get("components") or [],
            "flags": int(body.get("flags") or 0),
        }

    def _application(self) -> dict[str, Any]:
        return {
            "id": str(APP_ID),
            "name": "Hearth",
            "description": "",
            "icon": None,
            "bot_public": True,
            "bot_require_code_grant": False,
            "owner": user_payload(self.new_id(), "owner"),
            "verify_key": "0" * 64,
            "flags": 0,
        }


async def _body(request: web.Request) -> Any:
    if not request.body_exists:
        return None
    raw = await request.read()  # aiohttp keeps the body, so reading it twice is fine
    if request.content_type == "application/json":
        return json.loads(raw)
    if request.content_type.startswith("multipart/"):
        return {"multipart": True}
    return None


def _role(role_id: int, name: str, permissions: int) -> dict[str, Any]:
    return {
        "id": str(role_id),
        "name": name,
        "permissions": str(permissions),
        "position": 0,
        "color": 0,
        "hoist": False,
        "managed": False,
        "mentionable": False,
        "flags": 0,
    }


def _option(name: str, value: Any) -> dict[str, Any]:
    """A command option; `value` may be `(type, value)` for channel (7) and role (8) options."""
    if isinstance(value, tuple):
        kind, value = value
    elif isinstance(value, bool):
        kind = 5
    elif isinstance(value, int):
        kind = 4
    else:
        kind = 3
    return {"name": name, "type": kind, "value": value}


def _rate_limited(retry_after: float) -> web.Response:
    body = {"message": "You are being rate limited.", "retry_after": retry_after, "global": False}
    response = _json(body, status=429)
    response.headers["Via"] = "1.1 google"
    return response


def _json(data: Any, status: int = 200) -> web.Response:
    # discord.py parses a body as JSON only when the Content-Type is exactly this (no charset).
    return web.Response(body=json.dumps(data).encode(), status=status, content_type="application/json")
