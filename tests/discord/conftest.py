"""Run the real Hearth Discord adapter (real discord.py) against the local stand-in, on a real Redis."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from typing import Any

import pytest

from adapters.discord import run
from bot.bootstrap import App
from bot.models import IncomingMessage, Reply
from bot.pipeline import Pipeline
from tests.fakes.discord_server import FakeDiscord
from tests.helpers import build_test_app


class Scripted:
    """A stand-in for the core's pipeline (our own port): answers `reply`, or `by_text[text]` for some texts."""

    name = "scripted"

    def __init__(self, reply: Reply, by_text: dict[str, Reply] | None = None) -> None:
        self.reply = reply
        self.by_text = by_text or {}
        self.seen: list[IncomingMessage] = []

    async def run(self, turn: Any) -> Reply:
        self.seen.append(turn.msg)
        return self.by_text.get(turn.msg.text, self.reply)


@dataclass
class RunningBot:
    app: App
    task: asyncio.Task[None]


@pytest.fixture
async def discord_server() -> AsyncIterator[FakeDiscord]:
    server = FakeDiscord()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def start_bot(redis, settings_overrides, fake_llm, discord_server) -> AsyncIterator[Any]:
    """Starts `python -m bot discord`'s `run(app)` against the stand-in; stops it after the test."""
    running: list[RunningBot] = []

    async def start(*, stages: list[Any] | None = None, redis_client: Any = None, **more: Any) -> RunningBot:
        settings: dict[str, Any] = {
            **settings_overrides,
            "openai_base_url": fake_llm.base_url,
            "openai_api_key": "test-key",
            "consent_required": False,
            "discord_token": "test-token",
            "discord_api_base_url": discord_server.base_url,
            "discord_gateway_url": discord_server.gateway_url,
            "discord_guild_ready_timeout": 0.05,
            "discord_edit_interval": 0.2,
            "llm_stream_interval": 0.05,
            **more,
        }
        app = build_test_app(redis_client or redis, {}, **settings)
        if stages is not None:
            app = replace(app, pipeline=Pipeline(stages))
        bot = RunningBot(app, asyncio.create_task(run(app)))
        running.append(bot)
        await discord_server.wait_ready()
        return bot

    yield start
    for bot in running:
        # discord.py runs each event in a task of its own: let a reply finish saving before the bot stops.
        assert await bot.app.pipeline.drained(timeout=10), "a message was still being handled 10 s after the test"
        bot.task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await bot.task
        if bot.app.llm is not None:
            await bot.app.llm.aclose()
