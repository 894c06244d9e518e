"""Duplicate platform events are answered once.

Slack retries an event it thinks went unacknowledged, and a Discord gateway resume can replay one. The first
delivery of an `IncomingMessage.event_id` sets an expiring key (SET NX EX, queued into the session's read so it
costs no round trip of its own); a later delivery finds it and the pipeline answers `Reply(kind="duplicate")`
with empty text, which adapters drop (see `bot.models.Reply`).

The key holds a digest of the platform's event id, never the id itself. The dedupe stage stands *after* the
crisis stage: if a first delivery died half-way, its retry must still get the crisis reply; a crisis reply
shown twice is the lesser harm.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from redis.asyncio.client import Pipeline

from bot.models import IncomingMessage, Reply
from bot.pipeline import Turn
from bot.redis_keys import dedupe_key

DUPLICATE = "duplicate"


class Dedupe:
    def __init__(self, ttl: int) -> None:
        self._ttl = ttl

    def queue_mark(self, pipe: Pipeline, msg: IncomingMessage) -> Callable[[object], bool] | None:
        """Mark the event as seen; the returned function says whether it had been seen before."""
        if not msg.event_id:
            return None
        digest = hashlib.sha256(f"{msg.tenant}\x1f{msg.event_id}".encode()).hexdigest()[:32]
        pipe.set(dedupe_key(msg.platform.value, digest), "1", nx=True, ex=self._ttl)
        return lambda result: result is None


class DedupeStage:
    name = "dedupe"

    async def run(self, turn: Turn) -> Reply | None:
        if turn.admission.duplicate:
            return Reply("", kind=DUPLICATE)
        return None
