"""Rate limits and token budgets, decided atomically in Redis for every replica at once.

One Lua script decides all the windows of a message in one round trip: per user, per conversation, per tenant
and global (each "N per period" as a moving window: a sorted set of the admitted messages' times), and the
token budgets (tokens per minute for the whole bot, tokens per UTC day per tenant). Either every window admits
the message and it is counted in all of them, or none counts it: a refused message never eats into a window,
so a flood cannot lock someone out for longer than the window itself.

Why every limit key shares the single hash tag `{hearth-limits}`: a script may only touch keys of one Redis
Cluster slot. Spreading the keys by user or tenant would need one script per slot, and then the decision is no
longer atomic (a message could be counted per user and then refused globally). The global window already makes
every message touch one key, so that key's slot is the hot spot whatever the tagging; putting the other limit
keys beside it costs nothing more and keeps the decision whole. Conversation memory keeps its own per-user
tags (bot/redis_keys.py), so only the limit counters live on that one slot.

Times are the client's clock (injectable for tests), in milliseconds: replicas are expected to keep their
clocks in sync (NTP); a skew between them only shifts a window by that skew. Every key carries an expiry:
a window expires one period after its newest entry; token counters after two minutes or two days.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from redis.asyncio import Redis
from redis.commands.core import AsyncScript
from redis.exceptions import NoScriptError

from bot.config import LimitSettings, RateLimit
from bot.redis_keys import LIMITS_BASE, limit_window
from bot.roundtrip import Batch

# KEYS: the n window keys, then tokens-this-minute, tokens-last-minute, tokens-today-for-the-tenant.
# ARGV: now_ms, member, n, (count, period_ms) per window, minute budget, day budget, ms until the UTC day ends.
# Returns {1} when admitted, else {0, index of the window that refuses longest (n+1 minute, n+2 day), wait_ms}.
_DECIDE = """
local now = tonumber(ARGV[1])
local n = tonumber(ARGV[3])
local worst, wait = 0, 0
for i = 1, n do
  local count, period = tonumber(ARGV[2 + 2 * i]), tonumber(ARGV[3 + 2 * i])
  redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', now - period)
  local used = redis.call('ZCARD', KEYS[i])
  if used >= count then
    local freeing = redis.call('ZRANGE', KEYS[i], used - count, used - count, 'WITHSCORES')
    local until_free = tonumber(freeing[2]) + period - now
    if until_free > wait then worst, wait = i, until_free end
  end
end
local budget, day_budget = tonumber(ARGV[4 + 2 * n]), tonumber(ARGV[5 + 2 * n])
local into = now % 60000
local this_minute = tonumber(redis.call('GET', KEYS[n + 1]) or '0')
local last_minute = tonumber(redis.call('GET', KEYS[n + 2]) or '0')
if this_minute + last_minute * (60000 - into) / 60000 >= budget then
  -- Last minute's tokens weigh less as this minute goes by: find when the estimate drops below the budget.
  local until_free
  if this_minute >= budget then
    until_free = (60000 - into) + math.floor(60000 * (this_minute - budget) / this_minute) + 1
  else
    until_free = math.floor(60000 * (last_minute - budget + this_minute) / last_minute) - into + 1
  end
  if until_free > wait then worst, wait = n + 1, until_free end
end
if tonumber(redis.call('GET', KEYS[n + 3]) or '0') >= day_budget then
  local until_free = tonumber(ARGV[6 + 2 * n])
  if until_free > wait then worst, wait = n + 2, until_free end
end
if worst > 0 then return {0, worst, math.ceil(wait)} end
for i = 1, n do
  redis.call('ZADD', KEYS[i], now, ARGV[2])
  redis.call('PEXPIRE', KEYS[i], tonumber(ARGV[3 + 2 * i]))
end
return {1}
"""

# KEYS: tokens-this-minute, tokens-today-for-the-tenant. ARGV: tokens, ms to keep each.
_SPEND = """
redis.call('INCRBY', KEYS[1], ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
redis.call('INCRBY', KEYS[2], ARGV[1])
redis.call('PEXPIRE', KEYS[2], ARGV[3])
return 1
"""

DAY_MS = 86_400_000
WINDOWS = ("user", "conversation", "tenant", "global")
TOKENS_MINUTE = "tokens_minute"
TOKENS_DAY = "tokens_day"


@dataclass(frozen=True, slots=True)
class Decision:
    """The verdict on one message. `member` and `keys` identify its entries, so they can be refunded."""

    allowed: bool
    limit: str | None = None
    retry_after: float = 0.0
    member: str = ""
    keys: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Subject:
    """Who and where a message counts against: all pseudonyms."""

    user: str
    conversation: str
    tenant: str


class Limiter:
    def __init__(self, redis: Redis, settings: LimitSettings, clock: Callable[[], float] = time.time) -> None:
        self._redis = redis
        self._clock = clock
        self._base = LIMITS_BASE
        self._rates: tuple[RateLimit, ...] = (
            settings.rate_limit_per_user,
            settings.rate_limit_per_channel,
            settings.rate_limit_per_tenant,
            settings.rate_limit_global,
        )
        self._tokens_per_minute = settings.llm_tokens_per_minute
        self._tokens_per_day = settings.llm_tokens_per_day_per_tenant
        self._decide: AsyncScript = redis.register_script(_DECIDE)
        self._spend: AsyncScript = redis.register_script(_SPEND)

    async def check(self, subject: Subject) -> Decision:
        """Decide one message on its own round trip (the pipeline folds it into the session load instead)."""
        keys, args = self._decide_call(subject)
        return self._read(keys, args, await self._decide(keys=list(keys), args=args))

    def queue_check(self, pipe: Batch, subject: Subject) -> Callable[[Any], Awaitable[Decision]]:
        """Add the decision to `pipe`; the returned function turns its result into a `Decision`.

        The round trip sends EVALSHA directly (redis-py's pipelined scripts would first ask SCRIPT EXISTS, one more
        round trip every time); if Redis does not know the script yet, the reader runs it once on its own.
        """
        keys, args = self._decide_call(subject)
        pipe.evalsha(self._decide.sha, len(keys), *keys, *args)

        async def read(result: Any) -> Decision:
            if _is_noscript(result):
                result = await self._decide(keys=list(keys), args=args)
            elif isinstance(result, Exception):
                raise result
            return self._read(keys, args, result)

        return read

    def queue_refund(self, pipe: Batch, decision: Decision) -> None:
        """Take back an admitted message that did not reach the LLM (a command, a crisis reply, no consent)."""
        for key in decision.keys:
            pipe.command("ZREM", key, decision.member)

    async def spend(self, tenant: str, tokens: int) -> None:
        keys, args = self._spend_call(tenant, tokens)
        await self._spend(keys=list(keys), args=args)

    def queue_spend(self, pipe: Batch, tenant: str, tokens: int) -> None:
        """Count the tokens the API reported as used (prompt and completion) against both budgets."""
        if tokens > 0:
            keys, args = self._spend_call(tenant, tokens)
            pipe.evalsha(self._spend.sha, len(keys), *keys, *args)

    @property
    def scripts(self) -> tuple[AsyncScript, ...]:
        return self._decide, self._spend

    def window_keys(self, subject: Subject) -> tuple[str, ...]:
        return (
            limit_window("user", subject.user),
            limit_window("conv", subject.conversation),
            limit_window("tenant", subject.tenant),
            f"{self._base}:global",
        )

    def _token_keys(self, tenant: str, now_ms: int) -> tuple[str, str, str]:
        minute, day = now_ms // 60_000, now_ms // DAY_MS
        base = self._base
        return f"{base}:tpm:{minute}", f"{base}:tpm:{minute - 1}", f"{base}:tpd:{tenant}:{day}"

    def _decide_call(self, subject: Subject) -> tuple[tuple[str, ...], list[int | str]]:
        now_ms = int(self._clock() * 1000)
        keys = (*self.window_keys(subject), *self._token_keys(subject.tenant, now_ms))
        args: list[int | str] = [now_ms, f"{now_ms}-{uuid.uuid4().hex[:12]}", len(self._rates)]
        for rate in self._rates:
            args += [rate.count, rate.period * 1000]
        args += [self._tokens_per_minute, self._tokens_per_day, DAY_MS - now_ms % DAY_MS]
        return keys, args

    def _spend_call(self, tenant: str, tokens: int) -> tuple[tuple[str, str], list[int]]:
        now_ms = int(self._clock() * 1000)
        this_minute, _, today = self._token_keys(tenant, now_ms)
        return (this_minute, today), [tokens, 120_000, 2 * DAY_MS]

    def _read(self, keys: Sequence[str], args: Sequence[int | str], result: Any) -> Decision:
        n = len(self._rates)
        if int(result[0]) == 1:
            return Decision(True, member=str(args[1]), keys=tuple(keys[:n]))
        index, wait_ms = int(result[1]), int(result[2])
        names = (*WINDOWS, TOKENS_MINUTE, TOKENS_DAY)
        return Decision(False, limit=names[index - 1], retry_after=wait_ms / 1000)


def _is_noscript(result: Any) -> bool:
    return isinstance(result, NoScriptError)
