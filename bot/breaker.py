"""A circuit breaker for the LLM provider, per process.

When the provider keeps failing, every waiting person would otherwise sit through the full retry deadline
before getting the fallback reply. After `failures` consecutive failed attempts the breaker opens: calls fail
at once (the fallback reply is immediate) for `cooldown` seconds. Then one trial call is let through
(half-open); its success closes the breaker, its failure opens it again. A 429 whose Retry-After reaches
past the caller's deadline opens it for exactly that long, so no replica hammers a provider that said wait.

The clock is injectable so tests can move time instead of sleeping.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from enum import StrEnum


class BreakerState(StrEnum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


class CircuitBreaker:
    def __init__(self, failures: int, cooldown: float, clock: Callable[[], float] = time.monotonic) -> None:
        self._threshold = failures
        self._cooldown = cooldown
        self._clock = clock
        self._failures = 0
        self._open_until = 0.0
        self._state = BreakerState.CLOSED
        self._trial_out = False

    @property
    def state(self) -> BreakerState:
        if self._state is BreakerState.OPEN and self._clock() >= self._open_until:
            return BreakerState.HALF_OPEN
        return self._state

    @property
    def retry_after(self) -> float:
        """Seconds until a call may be tried again (0 when closed)."""
        return max(0.0, self._open_until - self._clock()) if self._state is BreakerState.OPEN else 0.0

    def allow(self) -> bool:
        """May a call go out now? In half-open state only one trial call at a time may."""
        state = self.state
        if state is BreakerState.CLOSED:
            return True
        if state is BreakerState.OPEN or self._trial_out:
            return False
        self._state = BreakerState.HALF_OPEN
        self._trial_out = True
        return True

    def success(self) -> None:
        self._failures = 0
        self._trial_out = False
        self._state = BreakerState.CLOSED

    def failure(self) -> None:
        self._failures += 1
        if self._state is BreakerState.HALF_OPEN or self._failures >= self._threshold:
            self.open_for(self._cooldown)

    def open_for(self, seconds: float) -> None:
        self._trial_out = False
        self._state = BreakerState.OPEN
        self._open_until = max(self._open_until, self._clock() + seconds)

    def abandon(self) -> None:
        """A trial call ended without a verdict (cancelled, or our own bad request): let another try."""
        self._trial_out = False
