"""Small builders shared by the tests."""

from __future__ import annotations

import asyncio
import functools
import time
from collections.abc import Awaitable
from typing import Any

from redis.asyncio import Redis

from bot.bootstrap import App, build_app
from bot.config import Settings, default_prompts_dir, load_settings
from bot.crisis.language import LanguageModel
from bot.crisis.screen import OutputScreen, load_screen
from bot.models import IncomingMessage, Platform
from bot.pipeline import Pipeline
from bot.shutdown import Shutdown, serve

SECRET = b"test-hash-secret-0123456789abcdef"
HEARTHS_LANGUAGES = ("en", "es", "fr", "de", "pt", "it", "nl", "pl")


@functools.cache
def shared_languages() -> LanguageModel:
    """One language model for every app the tests build: loading it takes a third of a second."""
    return LanguageModel(HEARTHS_LANGUAGES)


@functools.cache
def shared_screen() -> OutputScreen:
    """One LLM output screen for every app built from Hearth's own prompts: reading its patterns takes a second."""
    return load_screen(default_prompts_dir() / "crisis" / "screen.yaml")


def build_test_app(redis: Redis, overrides: dict[str, Any], languages: LanguageModel | None = None, **more: Any) -> App:
    settings = load_settings(env_file=None, **{**overrides, **more})
    return build_app(
        settings, redis, hash_secret=SECRET, languages=languages or shared_languages(), screen=screen_for(settings)
    )


def screen_for(settings: Settings) -> OutputScreen | None:
    """The shared screen for an app of Hearth's own prompts; None (read its own) for a test's copy of them."""
    return shared_screen() if settings.prompts_dir == default_prompts_dir() else None


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


class Serving:
    """An adapter run by `bot.shutdown.serve`, as `python -m bot` runs it, until `sigterm()` asks it to stop."""

    def __init__(self, adapter: Awaitable[None], pipeline: Pipeline, grace: float) -> None:
        self.grace = grace
        self._shutdown = Shutdown()
        self._asked_at = 0.0
        self.task = asyncio.ensure_future(serve(adapter, pipeline, self._shutdown, grace))

    def sigterm(self) -> None:
        """What the SIGTERM handler does."""
        self._asked_at = time.monotonic()
        self._shutdown.request("SIGTERM")

    async def stopped(self) -> float:
        """Wait for `serve` to return (the adapter has stopped); the seconds since `sigterm()`."""
        await asyncio.wait_for(self.task, self.grace + 5)
        return time.monotonic() - self._asked_at
