"""Duplicate platform events are answered once.

Slack retries an event it thinks went unacknowledged, and a Discord gateway resume can replay one. The first
delivery of an `IncomingMessage.event_id` is marked as seen inside the session's read script (so it costs no
command or round trip of its own); a later delivery finds the mark and the pipeline answers
`Reply(kind="duplicate")` with empty text, which adapters drop (see `bot.models.Reply`).

The marks are digests of the platform's event ids, never the ids themselves, kept in one sorted set per user
(scored by time, under the user's hash tag: `UserKeys.seen`). Marks older than `DEDUPE_TTL` are dropped on the
next read, the set expires `DEDUPE_TTL` after the newest, and `/forget` erases it. The dedupe stage stands
*after* the crisis stage: if a first delivery died half-way, its retry must still get the crisis reply; a crisis
reply shown twice is the lesser harm.
"""

from __future__ import annotations

import hashlib

from bot.models import IncomingMessage, Reply
from bot.pipeline import Turn

DUPLICATE = "duplicate"


class Dedupe:
    def __init__(self, ttl: int) -> None:
        self.ttl_ms = ttl * 1000

    @staticmethod
    def mark(msg: IncomingMessage) -> str:
        """The digest this event is remembered by, or "" when the platform gave it no id (nothing to mark)."""
        if not msg.event_id:
            return ""
        return hashlib.sha256(f"{msg.platform.value}\x1f{msg.tenant}\x1f{msg.event_id}".encode()).hexdigest()[:32]


class DedupeStage:
    name = "dedupe"

    async def run(self, turn: Turn) -> Reply | None:
        if turn.admission.duplicate:
            return Reply("", kind=DUPLICATE)
        return None
