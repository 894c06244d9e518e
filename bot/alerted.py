"""Moderators are alerted once per conversation per crisis: "Talk to a person" pressed twice, or on two crisis
replies of the same crisis, or after the imminent reply already alerted them, must not page them again.

One marker per conversation (`UserKeys.alerted`, under the person's pseudonym, listed in their index so /forget
erases it) holds three numbers and never text: when the last alert went, the highest level it was for, and
whether the summary the person agreed to share went with one. It expires `CRISIS_MODE_TTL` after the last alert,
so a crisis an hour later alerts anew. Claiming is one script, so two presses at once still alert once. An alert
for a higher level than before (urgent, then imminent) goes: that is new danger, not the same request twice;
and so does the summary, once, after an alert that did not carry it.

An alert the adapter could not deliver is released again (`ModeratorAlert.failed`): the person was told not to
wait for the moderators, so a later press must try again rather than say they were told. When Redis does not
answer, the alert goes: a second alert is better than none.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from redis.asyncio import Redis
from redis.commands.core import AsyncScript
from redis.exceptions import RedisError

from bot.models import Level
from bot.redis_keys import UserKeys

log = logging.getLogger(__name__)

# KEYS: the marker, the user's index. ARGV: now, the level's rank, 1 to share the summary (else 0), the marker's
# ttl, the index's ttl. The marker is "<unix time> <rank> <shared>". Returns {1 when this alert goes (else 0), the
# time of the earlier alert, whether the summary went with one, the marker set ("" when none), the one before}.
_CLAIM = """
local before = redis.call('GET', KEYS[1])
local at, rank, shared = 0, 0, 0
if before then
  local a, r, s = string.match(before, '^(%d+) (%d+) (%d)$')
  if a then at, rank, shared = tonumber(a), tonumber(r), tonumber(s) end
end
local wanted, share = tonumber(ARGV[2]), tonumber(ARGV[3])
if before and wanted <= rank and share <= shared then
  return {0, at, shared, '', before}
end
local mark = ARGV[1] .. ' ' .. math.max(rank, wanted) .. ' ' .. math.max(shared, share)
redis.call('SET', KEYS[1], mark, 'EX', ARGV[4])
redis.call('SADD', KEYS[2], KEYS[1])
redis.call('EXPIRE', KEYS[2], ARGV[5])
return {1, at, shared, mark, before or ''}
"""
# KEYS: the marker. ARGV: the marker a claim set, the one before it ("" for none). Only that claim's own marker is
# put back: a later alert's is left alone.
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  if ARGV[2] == '' then redis.call('DEL', KEYS[1]) else redis.call('SET', KEYS[1], ARGV[2], 'KEEPTTL') end
end
return 0
"""


@dataclass(frozen=True)
class Claim:
    """Whether this alert goes (`send`); if not, how many seconds ago moderators were told (`ago`) and whether
    the summary went with it (`shared`). `release` undoes a claim whose alert could not be delivered (None where
    nothing was written)."""

    send: bool
    ago: int = 0
    shared: bool = False
    release: Callable[[], Awaitable[None]] | None = None


class AlertMarks:
    def __init__(self, redis: Redis, *, ttl: int, index_ttl: int, clock: Callable[[], float] = time.time) -> None:
        self._ttl = ttl
        self._index_ttl = index_ttl
        self._clock = clock
        self._claim: AsyncScript = redis.register_script(_CLAIM)
        self._release: AsyncScript = redis.register_script(_RELEASE)

    async def claim(self, user: str, conversation: str, level: Level, *, share: bool) -> Claim:
        keys = UserKeys(user)
        marker = keys.alerted(conversation)
        now = int(self._clock())
        args = [now, level.rank, int(share), self._ttl, self._index_ttl]
        try:
            send, at, shared, mark, before = await self._claim(keys=[marker, keys.index], args=args)
        except (RedisError, OSError) as exc:
            log.warning("could not check whether moderators were alerted already: %s", type(exc).__name__)
            return Claim(send=True)
        if not send:
            return Claim(send=False, ago=max(0, now - int(at)), shared=bool(shared))

        async def release() -> None:
            try:
                await self._release(keys=[marker], args=[mark, before])
            except (RedisError, OSError) as exc:
                log.warning("could not release an undelivered alert: %s", type(exc).__name__)

        return Claim(send=True, release=release)
