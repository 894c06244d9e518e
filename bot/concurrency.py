"""A cap on in-flight LLM calls per process, with a short bounded queue in front of it.

Past the cap, a message may wait (at most `queue_size` of them, each at most `queue_wait` seconds) for a free
slot; beyond that it gets the busy reply at once instead of piling up behind a slow provider.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager


class Busy(Exception):
    """No LLM slot came free in time (or the queue was full)."""


class ConcurrencyGate:
    def __init__(self, limit: int, queue_size: int, queue_wait: float) -> None:
        self._slots = asyncio.Semaphore(limit)
        self._queue_size = queue_size
        self._queue_wait = queue_wait
        self._waiting = 0

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        if self._slots.locked():
            if self._waiting >= self._queue_size:
                raise Busy("queue full")
            self._waiting += 1
            try:
                async with asyncio.timeout(self._queue_wait):
                    await self._slots.acquire()
            except TimeoutError:
                raise Busy("waited too long") from None
            finally:
                self._waiting -= 1
        else:
            await self._slots.acquire()
        try:
            yield
        finally:
            self._slots.release()
