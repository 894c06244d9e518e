"""Throttles streamed text so adapters stay inside platform edit limits.

Discord allows about 5 message edits per 5 s per channel and Slack about one update per second, so an adapter
is handed the text so far at most once per `interval`; `flush()` hands over whatever is still pending.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from bot.models import PartialSink


class Throttle:
    def __init__(self, sink: PartialSink, interval: float, clock: Callable[[], float] = time.monotonic) -> None:
        self._sink = sink
        self._interval = interval
        self._clock = clock
        self._last_sent: float | None = None
        self._pending: str | None = None
        self._sent_text = ""
        self.closed = False

    async def __call__(self, text: str) -> None:
        if self.closed:
            return
        now = self._clock()
        if self._last_sent is None or now - self._last_sent >= self._interval:
            await self._send(text, now)
        else:
            self._pending = text

    async def flush(self) -> None:
        if self._pending is not None and not self.closed:
            await self._send(self._pending, self._clock())

    def close(self) -> None:
        """Stop forwarding: later text (e.g. after screening failed) must not reach the user."""
        self.closed = True
        self._pending = None

    @property
    def sent_anything(self) -> bool:
        return self._last_sent is not None

    async def _send(self, text: str, now: float) -> None:
        self._pending = None
        if text == self._sent_text:
            return
        self._last_sent = now
        self._sent_text = text
        await self._sink(text)
