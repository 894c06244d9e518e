"""Small builders shared by the tests."""

from __future__ import annotations

from typing import Any

from redis.asyncio import Redis

from bot.bootstrap import App, build_app
from bot.config import load_settings
from bot.models import IncomingMessage, Platform

SECRET = b"test-hash-secret-0123456789abcdef"


def build_test_app(redis: Redis, overrides: dict[str, Any], **more: Any) -> App:
    settings = load_settings(env_file=None, **{**overrides, **more})
    return build_app(settings, redis, hash_secret=SECRET)


def message(app: App, text: str, *, user: str = "alice", conversation: str = "dm-1", **fields: Any) -> IncomingMessage:
    ids = app.ids
    return IncomingMessage(
        platform=fields.pop("platform", Platform.CONSOLE),
        tenant=ids("tenant", "test"),
        user=ids("user", "test", user),
        conversation=ids("conversation", "test", conversation),
        text=text,
        **fields,
    )
