"""Stopping without cutting a reply in half.

On SIGTERM (docker stop, a systemd restart) or SIGINT (Ctrl-C), the messages in flight get up to the grace
(`SHUTDOWN_GRACE_SECONDS`) to be answered and delivered; then the adapter is stopped, and `running()` closes
Redis and the rest. A second signal ends the grace at once. The one log line says which signal, and whether
anything was still in flight when the grace ran out; never any message text.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable

from bot.pipeline import Pipeline

log = logging.getLogger(__name__)


class Shutdown:
    """What the signal handlers tell the serving loop: the first signal asks to stop, a second to hurry."""

    def __init__(self) -> None:
        self.signal: str | None = None
        self.asked = asyncio.Event()
        self.hurry = asyncio.Event()

    def request(self, name: str) -> None:
        if self.signal is None:
            self.signal = name
            self.asked.set()
        else:
            self.hurry.set()


async def serve(adapter: Awaitable[None], pipeline: Pipeline, shutdown: Shutdown, grace: float) -> None:
    """Run `adapter` until it ends by itself (its error propagates) or `shutdown` is asked for."""
    serving = asyncio.ensure_future(adapter)
    asked = asyncio.ensure_future(shutdown.asked.wait())
    try:
        await asyncio.wait({serving, asked}, return_when=asyncio.FIRST_COMPLETED)
        if serving.done():
            serving.result()
            return
        finished = await _drained(pipeline, shutdown, grace)
        if finished:
            log.info("stopping on %s: nothing was left in flight", shutdown.signal)
        else:
            log.warning(
                "stopping on %s: %d message(s) still in flight after the %gs grace were cut off",
                shutdown.signal,
                pipeline.in_flight,
                grace,
            )
        await _stop(serving)
    finally:
        asked.cancel()
        if not serving.done():
            await _stop(serving)


async def _drained(pipeline: Pipeline, shutdown: Shutdown, grace: float) -> bool:
    draining = asyncio.ensure_future(pipeline.drained(grace))
    hurried = asyncio.ensure_future(shutdown.hurry.wait())
    try:
        await asyncio.wait({draining, hurried}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        hurried.cancel()
        draining.cancel()
    return draining.done() and not draining.cancelled() and draining.result()


async def _stop(serving: asyncio.Future[None]) -> None:
    """Cancel the adapter and wait for it to unwind; an error while it does is logged by type, not raised."""
    serving.cancel()
    await asyncio.wait({serving})
    if not serving.cancelled() and serving.exception() is not None:
        log.error("the adapter failed while stopping: %s", type(serving.exception()).__name__)
