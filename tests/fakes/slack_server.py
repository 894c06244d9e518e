"""A local stand-in for Slack: the Web API methods Hearth calls, response_url endpoints, and Socket Mode.

The real slack_sdk `AsyncWebClient` talks to it through `SLACK_API_BASE_URL`; the real Bolt
`AsyncSocketModeHandler` gets its websocket URL from `apps.connections.open` here, receives `hello` and
then the envelopes a test sends, and its acks are recorded. Tokens are checked like Slack does, so a
client sending the wrong one gets `invalid_auth`; each bot token in `workspaces` is one workspace's install,
and auth.test answers with that workspace's team and address. A method can be rate limited (`rate_limit`):
Slack's 429 with `Retry-After`, which the client's retry handler waits out before calling again. Messages
over Slack's block limits are refused with `invalid_blocks`, as Slack does. users.info answers each person's
Slack language (`locales`, "en-US" for anyone not listed) when asked `include_locale`, as Slack does.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

BOT_TOKEN = "xoxb-test-bot-token"
APP_TOKEN = "xapp-test-app-token"
TEAM = "T0TEST"
BOT_USER = "U0HEARTH"
BOT_ID = "B0HEARTH"
WORKSPACE_URL = "https://hearth-test.slack.com/"


@dataclass
class Call:
    method: str
    args: dict[str, Any]


@dataclass
class FakeSlack:
    """Records every Web API call (`calls`), every response_url post (`responses`) and Socket Mode acks.

    `failing` makes a method fail everywhere; `failing_in` makes every chat.* call in one channel fail; `stalled`
    makes a method never answer (until the stand-in stops), as a Slack that hangs does."""

    admins: set[str] = field(default_factory=set)
    # A user id → their Slack locale ("es-ES"), which users.info answers with `include_locale`.
    locales: dict[str, str] = field(default_factory=dict)
    # A bot token → (team id, workspace address): one entry per workspace Hearth is installed in.
    workspaces: dict[str, tuple[str, str]] = field(default_factory=lambda: {BOT_TOKEN: (TEAM, WORKSPACE_URL)})
    failing: dict[str, str] = field(default_factory=dict)
    stalled: set[str] = field(default_factory=set)
    # A channel id → the error every post there gets (`not_in_channel` when the bot was never invited).
    failing_in: dict[str, str] = field(default_factory=dict)
    calls: list[Call] = field(default_factory=list)
    refused: list[Call] = field(default_factory=list)
    rate_limited: dict[str, int] = field(default_factory=dict)
    responses: list[dict[str, Any]] = field(default_factory=list)
    acks: dict[str, dict[str, Any]] = field(default_factory=dict)
    base_url: str = ""
    root: str = ""
    _runner: web.AppRunner | None = None
    _sockets: list[web.WebSocketResponse] = field(default_factory=list)
    _ts: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _changed: asyncio.Condition | None = None
    _connected: asyncio.Event | None = None
    _released: asyncio.Event | None = None

    async def start(self) -> str:
        self._changed = asyncio.Condition()
        self._connected = asyncio.Event()
        self._released = asyncio.Event()
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_post("/response/{hook}", self._response_url)
        app.router.add_get("/socket", self._socket)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.root = f"http://127.0.0.1:{port}"
        self.base_url = f"{self.root}/api/"
        return self.base_url

    async def stop(self) -> None:
        if self._released is not None:
            self._released.set()
        for ws in self._sockets:
            await ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    # What tests look at ---------------------------------------------------------------------------------

    def called(self, method: str) -> list[dict[str, Any]]:
        return [call.args for call in self.calls if call.method == method]

    async def wait_for(self, check: Callable[[], Any], timeout: float = 5.0) -> Any:
        """Wait until `check()` is truthy (re-checked on every recorded call); fail the test after `timeout`."""
        assert self._changed is not None
        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(check), timeout)
        return check()

    async def settle(self, quiet: float = 0.2) -> None:
        """Wait until nothing has been recorded for `quiet` seconds: for asserting that something did NOT happen."""
        count = -1
        while count != len(self.calls) + len(self.responses):
            count = len(self.calls) + len(self.responses)
            await asyncio.sleep(quiet)

    def rate_limit(self, method: str, times: int = 1) -> None:
        """Answer the next `times` calls of `method` with 429 and `Retry-After: 1`. They go to `refused`, not
        `calls`: Slack did not take them."""
        self.rate_limited[method] = self.rate_limited.get(method, 0) + times

    def response_url(self, name: str = "hook") -> str:
        return f"{self.root}/response/{name}"

    # Socket Mode ----------------------------------------------------------------------------------------

    async def connected(self, timeout: float = 5.0) -> None:
        assert self._connected is not None
        await asyncio.wait_for(self._connected.wait(), timeout)

    @property
    def connections(self) -> int:
        """How many websockets the app has opened so far (a reconnect opens another)."""
        return len(self._sockets)

    async def disconnect(self) -> None:
        """Close the app's current websocket, as Slack does when it refreshes a connection."""
        await self._sockets[-1].close()

    async def send_envelope(
        self, kind: str, payload: dict[str, Any], *, envelope_id: str | None = None, retry_attempt: int = 0
    ) -> str:
        envelope_id = envelope_id or f"env-{next(self._ts)}"
        envelope = {
            "envelope_id": envelope_id,
            "type": kind,
            "payload": payload,
            "accepts_response_payload": kind != "events_api",
            "retry_attempt": retry_attempt,
            "retry_reason": "timeout" if retry_attempt else "",
        }
        await self._sockets[-1].send_str(json.dumps(envelope))
        return envelope_id

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        await ws.send_str(json.dumps({"type": "hello", "num_connections": 1, "connection_info": {"app_id": "A0"}}))
        await self._record(lambda: self._sockets.append(ws))
        assert self._connected is not None
        self._connected.set()
        async for message in ws:
            if message.type == WSMsgType.TEXT:
                data = json.loads(message.data)
                await self._record(lambda data=data: self.acks.__setitem__(data["envelope_id"], data))
        return ws

    # The Web API ----------------------------------------------------------------------------------------

    async def _record(self, change: Callable[[], None]) -> None:
        assert self._changed is not None
        async with self._changed:
            change()
            self._changed.notify_all()

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        args: dict[str, Any] = dict(request.query)
        if request.can_read_body:
            if request.content_type == "application/json":
                args.update(await request.json())
            else:
                args.update(await request.post())
        for name in ("blocks", "view"):
            if isinstance(args.get(name), str):
                args[name] = json.loads(args[name])
        token = request.headers.get("Authorization", "").removeprefix("Bearer ") or str(args.get("token", ""))
        known = token == APP_TOKEN if method == "apps.connections.open" else token in self.workspaces
        if not known:
            return web.json_response({"ok": False, "error": "invalid_auth"})
        if self.rate_limited.get(method):
            self.rate_limited[method] -= 1
            await self._record(lambda: self.refused.append(Call(method, args)))
            return web.json_response({"ok": False, "error": "ratelimited"}, status=429, headers={"Retry-After": "1"})
        await self._record(lambda: self.calls.append(Call(method, args)))
        if method in self.stalled and self._released is not None:
            await self._released.wait()
            return web.json_response({"ok": False, "error": "request_timeout"})
        if method in self.failing:
            return web.json_response({"ok": False, "error": self.failing[method]})
        if method.startswith("chat.") and not blocks_slack_accepts(args.get("blocks")):
            return web.json_response({"ok": False, "error": "invalid_blocks"})
        if method.startswith("chat.") and str(args.get("channel", "")) in self.failing_in:
            return web.json_response({"ok": False, "error": self.failing_in[str(args["channel"])]})
        return web.json_response({"ok": True, **self._answer(method, args, token)})

    def _answer(self, method: str, args: dict[str, Any], token: str) -> dict[str, Any]:
        if method == "auth.test":
            team, url = self.workspaces[token]
            return {"url": url, "team": "Test", "user": "hearth", "team_id": team,
                    "user_id": BOT_USER, "bot_id": BOT_ID, "is_enterprise_install": False}  # fmt: skip
        if method == "apps.connections.open":
            return {"url": f"{self.root.replace('http', 'ws', 1)}/socket"}
        if method in ("chat.postMessage", "chat.update"):
            ts = args.get("ts") or f"{int(time.time())}.{next(self._ts):06d}"
            return {"channel": args.get("channel"), "ts": ts, "message": {"text": args.get("text"), "ts": ts}}
        if method == "chat.postEphemeral":
            return {"message_ts": f"{int(time.time())}.{next(self._ts):06d}"}
        if method == "conversations.open":
            return {"channel": {"id": "D" + str(args.get("users", "")).lstrip("UW")}}
        if method == "users.info":
            user = str(args.get("user"))
            person = {"id": user, "is_admin": user in self.admins, "is_owner": False}
            if str(args.get("include_locale")).lower() in ("1", "true"):
                person["locale"] = self.locales.get(user, "en-US")
            return {"user": person}
        if method == "views.publish":
            return {"view": {"id": "V0HOME", **(args.get("view") or {})}}
        return {}

    async def _response_url(self, request: web.Request) -> web.Response:
        body = await request.json()
        if not blocks_slack_accepts(body.get("blocks")):
            return web.Response(status=400, text="invalid_blocks")
        await self._record(lambda: self.responses.append(body))
        return web.Response(text="ok")


def blocks_slack_accepts(blocks: Any) -> bool:
    """Slack's own limits: at most 50 blocks in a message, at most 3000 characters in a section's text."""
    if not blocks:
        return True
    sections = [block.get("text", {}).get("text", "") for block in blocks if block.get("type") == "section"]
    return len(blocks) <= 50 and all(len(text) <= 3000 for text in sections)
