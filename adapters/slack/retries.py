"""Slack's retries of an event this process already has in hand.

Slack redelivers an event (`X-Slack-Retry-Num`) when it thinks the first delivery failed. When the first
delivery reached this process, the retry waits for it: if it was answered, the retry is dropped; if it failed,
the retry is handled as the message it is, so a failed answer is never silently lost. Retries that reach
another replica are the core's to dedupe (`IncomingMessage.event_id`, shared through Redis).
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

# A first delivery still busy after this long is presumed stuck, and the retry is handled.
WAIT_FOR_FIRST = 60.0


@dataclass
class Delivery:
    done: asyncio.Event = field(default_factory=asyncio.Event)
    answered: bool = False
    at: float = field(default_factory=time.monotonic)

    def mark_answered(self) -> None:
        self.answered = True


class Deliveries:
    """Event ids this process received recently, bounded in number and age (nothing is written anywhere)."""

    def __init__(self, max_entries: int = 4096, ttl: float = 3600.0, wait: float = WAIT_FOR_FIRST) -> None:
        self._entries: OrderedDict[str, Delivery] = OrderedDict()
        self._max = max_entries
        self._ttl = ttl
        self._wait = wait

    @asynccontextmanager
    async def claim(self, event_id: str | None, *, retried: bool) -> AsyncIterator[Delivery | None]:
        """Yields a `Delivery` to answer (call `mark_answered()` once the answer is out), or None to drop."""
        self._expire()
        first = self._entries.get(event_id) if event_id and retried else None
        if first is not None and await self._answered(first):
            yield None
            return
        delivery = Delivery()
        if event_id:
            while len(self._entries) >= self._max:
                self._entries.popitem(last=False)
            self._entries[event_id] = delivery
            self._entries.move_to_end(event_id)
        try:
            yield delivery
        finally:
            delivery.done.set()

    async def _answered(self, first: Delivery) -> bool:
        try:
            await asyncio.wait_for(first.done.wait(), self._wait)
        except TimeoutError:
            return False
        return first.answered

    def _expire(self) -> None:
        oldest = time.monotonic() - self._ttl
        while self._entries and next(iter(self._entries.values())).at < oldest:
            self._entries.popitem(last=False)
