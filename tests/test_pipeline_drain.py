"""Shutting down waits for messages in flight, so a reply or its session save is never cut in half."""

from __future__ import annotations

import asyncio

from bot.models import IncomingMessage, Platform, Reply
from bot.pipeline import Pipeline, Turn


class Slow:
    name = "slow"

    def __init__(self) -> None:
        self.release = asyncio.Event()

    async def run(self, turn: Turn) -> Reply | None:
        await self.release.wait()
        return Reply(text="done")


async def test_drained_waits_for_a_message_in_flight_and_says_when_it_gave_up():
    slow = Slow()
    pipeline = Pipeline([slow])
    assert await pipeline.drained(timeout=0.01)
    handling = asyncio.create_task(pipeline.handle(IncomingMessage(Platform.CONSOLE, "t", "c", "u", "hello")))
    await asyncio.sleep(0)
    assert not await pipeline.drained(timeout=0.05)
    slow.release.set()
    assert await pipeline.drained(timeout=1)
    assert (await handling).text == "done"
