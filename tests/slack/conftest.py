"""The real Bolt AsyncApp, over loopback, against the local Slack stand-in, in HTTP mode and in Socket Mode."""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import aiohttp
import pytest
from redis.asyncio import Redis
from slack_sdk.signature import SignatureVerifier

from adapters.slack.app import build_bolt
from adapters.slack.modes import http_server, socket_mode
from bot.bootstrap import App, build_app
from bot.config import load_settings
from tests.fakes.slack_server import APP_TOKEN, BOT_TOKEN, BOT_USER, TEAM, FakeSlack
from tests.helpers import screen_for, shared_languages

SIGNING_SECRET = "test-signing-secret-0123456789"
ALICE = "U0ALICE"
BOB = "U0BOB"
ALICE_DM = "D0ALICE"
CHANNEL = "C0GENERAL"

_ids = itertools.count(1)


@pytest.fixture
async def slack() -> AsyncIterator[FakeSlack]:
    server = FakeSlack()
    await server.start()
    yield server
    await server.stop()


def hearth_settings(settings_overrides, fake_llm, slack, **more: Any):
    overrides = {
        **settings_overrides,
        "openai_base_url": fake_llm.base_url,
        "openai_api_key": "sk-test",
        "consent_required": False,
        "llm_stream_interval": 0.05,
        "slack_update_interval": 0.2,
        "slack_bot_token": BOT_TOKEN,
        "slack_app_token": APP_TOKEN,
        "slack_signing_secret": SIGNING_SECRET,
        "slack_api_base_url": slack.base_url,
        **more,
    }
    return load_settings(env_file=None, **overrides)


@pytest.fixture
async def hearth(redis, fake_llm, slack, settings_overrides) -> AsyncIterator[App]:
    app = build_app(
        settings := hearth_settings(settings_overrides, fake_llm, slack),
        redis,
        hash_secret=b"x" * 32,
        languages=shared_languages(),
        screen=screen_for(settings),
    )
    yield app
    # Bolt answers after its ack, so a reply can still be saving to Redis when a test's last check passes.
    assert await app.pipeline.drained(timeout=10), "a message was still being handled 10 s after the test"
    if app.llm is not None:
        await app.llm.aclose()


def event_body(event: dict[str, Any], *, event_id: str | None = None) -> dict[str, Any]:
    return {
        "token": "legacy",
        "team_id": TEAM,
        "api_app_id": "A0HEARTH",
        "event": event,
        "type": "event_callback",
        "event_id": event_id or f"Ev{next(_ids):08d}",
        "event_time": int(time.time()),
        "authorizations": [{"team_id": TEAM, "user_id": BOT_USER, "is_bot": True}],
    }


def _ts() -> str:
    return f"{int(time.time())}.{next(_ids):06d}"


def dm(text: str, user: str = ALICE, channel: str = ALICE_DM, **extra: Any) -> dict[str, Any]:
    return event_body(
        {
            "type": "message",
            "channel_type": "im",
            "channel": channel,
            "user": user,
            "text": text,
            "ts": _ts(),
            "client_msg_id": f"msg-{next(_ids)}",
            "team": TEAM,
            **extra,
        }  # fmt: skip
    )


def edit(sent: dict[str, Any], text: str) -> dict[str, Any]:
    """The `message_changed` event Slack sends when the person edits the message `sent` (a `dm()` body) to `text`."""
    before = sent["event"]
    after = {key: value for key, value in before.items() if key not in ("channel", "channel_type")}
    previous = {**after}
    after.update(text=text, edited={"user": before["user"], "ts": _ts()})
    return event_body(
        {
            "type": "message",
            "subtype": "message_changed",
            "hidden": True,
            "channel": before["channel"],
            "channel_type": before.get("channel_type"),
            "ts": _ts(),
            "message": after,
            "previous_message": previous,
        }  # fmt: skip
    )


def mention(text: str, user: str = ALICE, channel: str = CHANNEL, **extra: Any) -> dict[str, Any]:
    return event_body(
        {
            "type": "app_mention",
            "channel": channel,
            "user": user,
            "text": f"<@{BOT_USER}> {text}",
            "ts": _ts(),
            "client_msg_id": f"msg-{next(_ids)}",
            "team": TEAM,
            **extra,
        }  # fmt: skip
    )


def command(text: str, slack: FakeSlack, user: str = ALICE, channel: str = CHANNEL) -> dict[str, str]:
    return {
        "token": "legacy",
        "team_id": TEAM,
        "team_domain": "hearth-test",
        "channel_id": channel,
        "channel_name": "directmessage" if channel.startswith("D") else "general",
        "user_id": user,
        "user_name": "alice",
        "command": "/hearth",
        "text": text,
        "api_app_id": "A0HEARTH",
        "response_url": slack.response_url(f"cmd{next(_ids)}"),
        "trigger_id": f"trigger-{next(_ids)}",
    }


def button(action_id: str, user: str = ALICE, channel: str | None = ALICE_DM, view: str | None = None) -> dict:
    payload: dict[str, Any] = {
        "type": "block_actions",
        "team": {"id": TEAM, "domain": "hearth-test"},
        "user": {"id": user, "team_id": TEAM},
        "api_app_id": "A0HEARTH",
        "trigger_id": f"trigger-{next(_ids)}",
        "actions": [
            {"type": "button", "action_id": action_id, "block_id": "hearth_actions", "value": "x", "action_ts": _ts()}
        ],  # fmt: skip
    }
    if channel:
        payload["channel"] = {"id": channel}
        payload["container"] = {"type": "message", "channel_id": channel, "message_ts": _ts()}
        payload["message"] = {"ts": payload["container"]["message_ts"], "text": "..."}
    if view:
        payload["view"] = {"id": "V0HOME", "type": view}
        payload["container"] = {"type": "view", "view_id": "V0HOME"}
    return payload


@dataclass
class HttpSlack:
    """Posts to Hearth's /slack/events like Slack does: signed, JSON for events, forms for the rest."""

    url: str
    session: aiohttp.ClientSession
    secret: str = SIGNING_SECRET

    async def post(self, body: str, content_type: str, *, timestamp: int | None = None, signature: str | None = None,
                   headers: dict[str, str] | None = None) -> tuple[int, str]:  # fmt: skip
        stamp = str(timestamp if timestamp is not None else int(time.time()))
        signed = signature or SignatureVerifier(self.secret).generate_signature(timestamp=stamp, body=body)
        sent = {"Content-Type": content_type, "X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": signed}
        async with self.session.post(self.url, data=body.encode(), headers={**sent, **(headers or {})}) as response:
            return response.status, await response.text()

    async def event(self, body: dict[str, Any], **kwargs: Any) -> tuple[int, str]:
        return await self.post(json.dumps(body), "application/json", **kwargs)

    async def command(self, form: dict[str, str], **kwargs: Any) -> tuple[int, str]:
        return await self.post(urlencode(form), "application/x-www-form-urlencoded", **kwargs)

    async def interaction(self, payload: dict[str, Any], **kwargs: Any) -> tuple[int, str]:
        form = urlencode({"payload": json.dumps(payload)})
        return await self.post(form, "application/x-www-form-urlencoded", **kwargs)


@pytest.fixture
async def http(hearth: App) -> AsyncIterator[HttpSlack]:
    bolt = build_bolt(hearth)
    async with http_server(bolt, "127.0.0.1", 0) as url, aiohttp.ClientSession() as session:
        yield HttpSlack(url, session)


@asynccontextmanager
async def without_redis(slack, fake_llm, settings_overrides, tmp_path) -> AsyncIterator[tuple[HttpSlack, App]]:
    """Hearth in HTTP mode whose Redis is not there (a unix socket nobody listens on)."""
    dead = Redis.from_url(f"unix://{tmp_path}/no-redis.sock", socket_connect_timeout=0.2)
    app = build_app(
        settings := hearth_settings(settings_overrides, fake_llm, slack),
        dead,
        hash_secret=b"x" * 32,
        languages=shared_languages(),
        screen=screen_for(settings),
    )
    try:
        async with http_server(build_bolt(app), "127.0.0.1", 0) as url, aiohttp.ClientSession() as session:
            yield HttpSlack(url, session), app
    finally:
        await dead.aclose()
        if app.llm is not None:
            await app.llm.aclose()


@pytest.fixture
async def socket(hearth: App, slack: FakeSlack) -> AsyncIterator[FakeSlack]:
    bolt = build_bolt(hearth)
    async with socket_mode(bolt, APP_TOKEN):
        await slack.connected()
        yield slack


def checkin_submission(score: str | None, note: str | None = None, user: str = ALICE) -> dict[str, Any]:
    mood = {"score": {"type": "static_select", "selected_option": {"value": score} if score else None}}
    return {
        "type": "view_submission",
        "team": {"id": TEAM, "domain": "hearth-test"},
        "user": {"id": user, "team_id": TEAM},
        "api_app_id": "A0HEARTH",
        "trigger_id": f"trigger-{next(_ids)}",
        "view": {
            "id": "V0CHECKIN",
            "type": "modal",
            "callback_id": "hearth_checkin",
            "private_metadata": "",
            "state": {"values": {"mood": mood, "note": {"text": {"type": "plain_text_input", "value": note}}}},
        },
    }
