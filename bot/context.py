"""Short-lived memory in Redis: the last turns of a conversation and a few per-user flags.

Every write carries an expiry; nothing is ever written without one. All of a user's keys share the hash tag
`{user}` (one Redis Cluster slot) and are listed in a per-user index, so `/forget` deletes them in one
transaction without scanning. Reading is one round trip (`load`), writing is one round trip (`save`).
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from redis.asyncio import Redis
from redis.asyncio.client import Pipeline
from redis.commands.core import AsyncScript
from redis.exceptions import NoScriptError, RedisError

from bot.community import Community
from bot.redis_keys import UserKeys, community_key, limit_window

log = logging.getLogger(__name__)

Role = Literal["user", "assistant"]


@dataclass(frozen=True, slots=True)
class ContextTurn:
    role: Role
    text: str
    at: int


@dataclass
class Session:
    """What Redis holds about one user in one conversation, read once per message."""

    turns: list[ContextTurn] = field(default_factory=list)
    consent: bool = False
    disclaimer_seen: bool = False
    crisis: dict[str, Any] = field(default_factory=dict)
    flow: dict[str, Any] = field(default_factory=dict)
    community: Community = field(default_factory=Community)
    country: str | None = None
    available: bool = True

    @staticmethod
    def empty(available: bool = True) -> Session:
        return Session(available=available)


@dataclass(frozen=True, slots=True)
class HeldItem:
    """One thing held about a user, for `/mydata`."""

    what: str
    expires_in: int


# KEYS: index, context, crisis note, exercise flow, then flag keys. ARGV: context ttl, max turns, flag ttl,
# crisis ttl, index ttl, crisis note ("" for none), flow ("" to keep, "-" to end the exercise, else its state),
# number of turns, the encoded turns. Every key written gets its expiry in the same atomic step, and is listed
# in the index for /forget.
_APPEND = """
local ttl, max_turns, flag_ttl, crisis_ttl, index_ttl = ARGV[1], tonumber(ARGV[2]), ARGV[3], ARGV[4], ARGV[5]
local n = tonumber(ARGV[8])
local written = {}
if n > 0 then
  for i = 1, n do redis.call('RPUSH', KEYS[2], ARGV[8 + i]) end
  redis.call('LTRIM', KEYS[2], -max_turns, -1)
  redis.call('EXPIRE', KEYS[2], ttl)
  written[#written + 1] = KEYS[2]
end
for i = 5, #KEYS do
  redis.call('SET', KEYS[i], '1', 'EX', flag_ttl)
  written[#written + 1] = KEYS[i]
end
if ARGV[6] ~= '' then
  redis.call('SET', KEYS[3], ARGV[6], 'EX', crisis_ttl)
  written[#written + 1] = KEYS[3]
end
if ARGV[7] == '-' then
  redis.call('DEL', KEYS[4])
elseif ARGV[7] ~= '' then
  redis.call('SET', KEYS[4], ARGV[7], 'EX', ttl)
  written[#written + 1] = KEYS[4]
end
if #written > 0 then
  redis.call('SADD', KEYS[1], unpack(written))
  redis.call('EXPIRE', KEYS[1], index_ttl)
end
return #written
"""

_DESCRIPTIONS = {
    "ctx": "the recent turns of a conversation ({n} messages)",
    "crisis": "a safety note that this conversation recently showed distress (no text)",
    "consent": "that you agreed to talk with Hearth",
    "disclaimer": "that you have seen Hearth's introduction",
    "flow": "your answers in an exercise you are doing",
    "checkins": "your mood check-ins ({n})",
    "country": "the country you chose for crisis lines",
    "pending": "a message of yours waiting for my reply ({n} waiting)",
}


class ContextStore:
    def __init__(
        self,
        redis: Redis,
        *,
        ttl: int,
        max_turns: int,
        max_chars: int,
        flag_ttl: int,
        crisis_ttl: int,
        checkin_ttl: int = 14 * 86400,
    ) -> None:
        self._redis = redis
        self.ttl = ttl
        self.max_turns = max_turns
        self.max_chars = max_chars
        self.flag_ttl = flag_ttl
        self.crisis_ttl = crisis_ttl
        self.checkin_ttl = checkin_ttl
        # The index must outlive every key it lists, so it takes the longest expiry in use.
        self._index_ttl = max(ttl, flag_ttl, crisis_ttl, checkin_ttl)
        self._append: AsyncScript = redis.register_script(_APPEND)

    @property
    def redis(self) -> Redis:
        return self._redis

    async def load(self, user: str, conversation: str, tenant: str) -> Session:
        session, _ = await self.load_with(user, conversation, tenant)
        return session

    async def load_with(
        self, user: str, conversation: str, tenant: str, also: Callable[[Pipeline], None] | None = None
    ) -> tuple[Session, list[Any]]:
        """The session, plus the results of whatever `also` queued on the same round trip (the duplicate
        check, the rate-limit decision and the conversation lock ride along: bot/gatekeeper.py).

        Results of `also` may be exceptions (they are not raised here); they are empty when Redis is down.
        """
        keys = UserKeys(user)
        try:
            async with self._redis.pipeline(transaction=False) as pipe:
                pipe.lrange(keys.context(conversation), 0, -1)
                pipe.mget(
                    keys.consent, keys.disclaimer, keys.crisis(conversation), keys.flow(conversation), keys.country
                )
                pipe.get(community_key(tenant))
                if also is not None:
                    also(pipe)
                results = await pipe.execute(raise_on_error=False)
        except (RedisError, OSError) as exc:
            log.warning("context unavailable: %s", type(exc).__name__)
            return Session.empty(available=False), []
        failed = next((item for item in results[:3] if isinstance(item, Exception)), None)
        if failed is not None:
            log.warning("context unavailable: %s", type(failed).__name__)
            return Session.empty(available=False), results[3:]
        raw_turns, (consent, seen, crisis, flow, country), community = results[:3]
        session = Session(
            turns=self._bounded(_decode_turns(raw_turns)),
            consent=bool(consent),
            disclaimer_seen=bool(seen),
            crisis=_decode_json(crisis),
            community=Community.from_json(community),
            flow=_decode_json(flow),
            country=country.decode() if isinstance(country, bytes) else country,
        )
        return session, results[3:]

    async def save(
        self,
        user: str,
        conversation: str,
        *,
        turns: Sequence[tuple[Role, str]] = (),
        flags: Iterable[str] = (),
        crisis: Mapping[str, Any] | None = None,
        flow: Mapping[str, Any] | None = None,
        also: Callable[[Pipeline], None] | None = None,
    ) -> list[Any]:
        """Append turns, set flags (`consent`, `disclaimer`), the crisis note and an exercise's state (an empty
        `flow` ends the exercise), refreshing every expiry.

        One script does it all atomically (so no key can be left without its expiry) in the user's hash slot.
        `also` queues more commands on the same round trip (the reply stage settles the token budget and the
        conversation lock there, so a reply costs one round trip after the LLM); their results are returned and
        may be exceptions. Each command stays within one slot, so this also holds on Redis Cluster.
        """
        keys = UserKeys(user)
        now = int(time.time())
        flag_names = [getattr(keys, flag) for flag in flags]
        if not turns and not flag_names and crisis is None and flow is None and also is None:
            return []
        names = [keys.index, keys.context(conversation), keys.crisis(conversation), keys.flow(conversation)]
        note = json.dumps(dict(crisis), separators=(",", ":")) if crisis is not None else ""
        encoded = [_encode_turn(role, text, now) for role, text in turns]
        limits = [self.ttl, self.max_turns, self.flag_ttl, self.crisis_ttl, self._index_ttl]
        args: list[str | int] = [*limits, note, _flow_arg(flow), len(encoded), *encoded]
        names += flag_names
        if also is None:
            await self._append(keys=names, args=args)
            return []
        async with self._redis.pipeline(transaction=False) as pipe:
            pipe.evalsha(self._append.sha, len(names), *names, *args)
            also(pipe)
            results = await pipe.execute(raise_on_error=False)
        if isinstance(results[0], NoScriptError):
            await self._append(keys=names, args=args)
        elif isinstance(results[0], Exception):
            raise results[0]
        return list(results[1:])

    @property
    def scripts(self) -> tuple[AsyncScript, ...]:
        return (self._append,)

    async def set_country(self, user: str, country: str | None) -> None:
        """Remember (or, with None, drop) the country a person chose for their crisis lines."""
        keys = UserKeys(user)
        async with self._redis.pipeline(transaction=True) as pipe:
            if country is None:
                pipe.delete(keys.country)
            else:
                pipe.set(keys.country, country, ex=self.flag_ttl)
                pipe.sadd(keys.index, keys.country)
                pipe.expire(keys.index, self._index_ttl)
            await pipe.execute()

    async def add_checkin(self, user: str, score: int, note: str, keep: int = 30) -> None:
        """Record an opt-in mood check-in; they are kept for `checkin_ttl` after the latest one."""
        keys = UserKeys(user)
        entry = json.dumps({"s": score, "n": note, "at": int(time.time())}, ensure_ascii=False, separators=(",", ":"))
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.rpush(keys.checkins, entry)
            pipe.ltrim(keys.checkins, -keep, -1)
            pipe.expire(keys.checkins, self.checkin_ttl)
            pipe.sadd(keys.index, keys.checkins)
            pipe.expire(keys.index, self._index_ttl)
            await pipe.execute()

    async def checkins(self, user: str) -> list[tuple[int, str, int]]:
        """(score, note, unix time) of the user's recent check-ins, oldest first."""
        raw = await self._redis.lrange(UserKeys(user).checkins, 0, -1)
        entries = [_decode_json(item) for item in raw]
        return [(int(e["s"]), str(e.get("n", "")), int(e.get("at", 0))) for e in entries if isinstance(e.get("s"), int)]

    async def forget(self, user: str) -> int:
        """Delete everything held about `user`; returns how many keys went."""
        keys = UserKeys(user)
        listed = [name.decode() if isinstance(name, bytes) else name for name in await self._redis.smembers(keys.index)]
        names = sorted({*listed, keys.consent, keys.disclaimer, keys.checkins, keys.index})
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.delete(*names)
            (deleted,) = await pipe.execute()
        # The times of their recent messages, kept for the per-user rate limit, go too. That window lives in
        # the limits' hash slot (bot/limits.py), so it is deleted on its own rather than in the transaction.
        await self._redis.delete(limit_window("user", user))
        return max(0, int(deleted) - (1 if listed else 0))

    async def describe(self, user: str) -> list[HeldItem]:
        """What is held about `user` right now and when each piece expires."""
        keys = UserKeys(user)
        listed = sorted(
            name.decode() if isinstance(name, bytes) else name for name in await self._redis.smembers(keys.index)
        )
        if not listed:
            return []
        async with self._redis.pipeline(transaction=False) as pipe:
            for name in listed:
                pipe.ttl(name)
                pipe.llen(name) if keys.kind_of(name) in ("ctx", "checkins", "pending") else pipe.exists(name)
            answers = await pipe.execute()
        held = []
        for position, name in enumerate(listed):
            ttl, size = int(answers[2 * position]), int(answers[2 * position + 1])
            if ttl <= 0 or size == 0:
                continue
            kind = keys.kind_of(name)
            held.append(HeldItem(_DESCRIPTIONS.get(kind, "a short-lived note").format(n=size), ttl))
        return held

    def _bounded(self, turns: list[ContextTurn]) -> list[ContextTurn]:
        """The newest turns that fit in `max_chars`; older ones are dropped first."""
        kept: list[ContextTurn] = []
        total = 0
        for turn in reversed(turns[-self.max_turns :]):
            total += len(turn.text)
            if total > self.max_chars and kept:
                break
            kept.append(turn)
        kept.reverse()
        return kept


def _flow_arg(flow: Mapping[str, Any] | None) -> str:
    """The save script's flow argument: "" leaves the exercise alone, "-" ends it, else its new state."""
    if flow is None:
        return ""
    return json.dumps(dict(flow), ensure_ascii=False, separators=(",", ":")) if flow else "-"


def _encode_turn(role: Role, text: str, at: int) -> str:
    return json.dumps({"r": role, "t": text, "at": at}, ensure_ascii=False, separators=(",", ":"))


def _decode_turns(raw: Iterable[bytes | str]) -> list[ContextTurn]:
    turns = []
    for item in raw:
        data = _decode_json(item)
        role, text = data.get("r"), data.get("t")
        if role in ("user", "assistant") and isinstance(text, str):
            turns.append(ContextTurn(role, text, int(data.get("at", 0))))
    return turns


def _decode_json(raw: bytes | str | None) -> dict[str, Any]:
    if raw is None:
        return {}
    try:
        value = json.loads(raw)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}
