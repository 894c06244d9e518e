"""Shared fixtures: a throwaway real Redis (unix socket, no persistence) and a local OpenAI-compatible server."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from redis.asyncio import Redis

from bot.embedded_redis import EmbeddedRedis
from tests.fakes.openai_server import FakeOpenAI


@pytest.fixture(scope="session")
def redis_server() -> Iterator[EmbeddedRedis]:
    with EmbeddedRedis() as server:
        yield server


@pytest.fixture
def redis_url(redis_server: EmbeddedRedis) -> str:
    return redis_server.url


@pytest.fixture
async def redis(redis_url: str) -> AsyncIterator[Redis]:
    client: Redis = Redis.from_url(redis_url)
    await client.flushall()
    yield client
    await client.aclose()


@pytest.fixture
async def fake_llm() -> AsyncIterator[FakeOpenAI]:
    server = FakeOpenAI()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
def settings_overrides(redis_url: str) -> dict[str, Any]:
    """Field values that keep a test independent of the developer's environment and `.env`."""
    return {
        "redis_url": redis_url,
        "id_hash_secret": "test-secret-0123456789abcdef",
        "openai_api_key": None,
        "openai_base_url": None,
        "default_country": None,
        "discord_token": None,
        "slack_bot_token": None,
        "slack_app_token": None,
        "slack_signing_secret": None,
    }


@pytest.fixture
async def make_app(redis: Redis, settings_overrides: dict[str, Any]) -> AsyncIterator[Any]:
    """Builds the whole app (real Redis, real openai client) and closes its clients after the test."""
    from tests.helpers import build_test_app

    built: list[Any] = []

    def factory(**more: Any) -> Any:
        app = build_test_app(redis, settings_overrides, **more)
        built.append(app)
        return app

    yield factory
    for app in built:
        if app.llm is not None:
            await app.llm.aclose()
        await app.crisis.aclose()
