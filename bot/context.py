"""Short-lived memory in Redis: the last turns of a conversation and a few per-user flags.

Every write carries an expiry; nothing is ever written without one. All of a user's keys share the hash tag
`{user}` (one Redis Cluster slot) and are listed in a per-user index, so `/forget` deletes them in one
transaction without scanning. Reading is one round trip (`load`), writing is one round trip (`save`).

Both are one script each in the user's slot, because what else a message needs from that slot rides inside them
rather than beside them as more commands (each command costs the client more than the work Redis does for it):
the read also marks the event as seen, tries the conversation lock (`Ride`) and keeps the language the message's
words say (`said`); the save also releases the lock.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from redis.asyncio import Redis
from redis.commands.core import AsyncScript
from redis.exceptions import NoScriptError, RedisError

from bot.community import Community
from bot.redis_keys import UserKeys, community_key, limit_window
from bot.roundtrip import Batch, RoundTrips

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
    # A crisis reply introduced Hearth, so what it keeps has not been said yet (`UserKeys.privacy`).
    privacy_due: bool = False
    crisis: dict[str, Any] = field(default_factory=dict)
    # The person's latest crisis-mode note from any conversation (`UserKeys.safety`): bot/crisis/stage.py reads a
    # conversation that has none of its own in its light.
    person_crisis: dict[str, Any] = field(default_factory=dict)
    flow: dict[str, Any] = field(default_factory=dict)
    community: Community = field(default_factory=Community)
    country: str | None = None
    # The language the person's own words last said in this conversation, before this message (a code, never
    # text): with no LLM, or a command or a button, no turn is kept that could say it (`Crisis.language`).
    language: str | None = None
    available: bool = True

    @staticmethod
    def empty(available: bool = True) -> Session:
        return Session(available=available)


@dataclass(frozen=True, slots=True)
class Ride:
    """What rides inside the session's read script (bot/gatekeeper.py): mark `seen` (an event digest) as seen
    for `seen_ttl_ms`, and try the conversation lock with `lock_token` for `lock_ttl_ms`. "" skips either."""

    now_ms: int = 0
    seen: str = ""
    seen_ttl_ms: int = 0
    lock_token: str = ""
    lock_ttl_ms: int = 0


@dataclass(frozen=True, slots=True)
class Ridden:
    """The read script's answers to a `Ride`: `seen` is 1 (a new event), 0 (seen before) or -1 (no event);
    `lock` is the raw lock answer ({1, pending items}, {0}) or -1 when it was not tried."""

    seen: int
    lock: Any


@dataclass(frozen=True, slots=True)
class Loaded:
    """A session read: `ridden` is None when the read failed (Redis down); `also` holds the results of what was
    queued beside the read, which may be exceptions (and is empty when Redis did not answer at all)."""

    session: Session
    ridden: Ridden | None
    also: list[Any]


_NO_RIDE = Ride()


@dataclass(frozen=True, slots=True)
class HeldItem:
    """One thing held about a user, for `/mydata`: its kind (`ctx`, `consent`, `limit`, ...; worded in the
    person's language as `held_<kind>` in prompts/messages/), how many entries, and when it expires."""

    kind: str
    count: int
    expires_in: int


# KEYS: context, consent, disclaimer, crisis note, flow, country, seen events, lock, pending, language, index, the
# person's safety note, the privacy note still owed.
# ARGV: now_ms, event digest ("" for none), dedupe ttl_ms, lock token ("" to leave the lock alone), lock ttl_ms,
# the language this message's words say ("" when they do not), context ttl, index ttl.
# Returns {turns, {consent, disclaimer, crisis, flow, country, language, safety, privacy}, seen, lock}: seen is 1
# for a new event, 0 for one seen before, -1 when none was given; lock is {1, pending items} when taken, {0} when
# another holds it, -1 when not tried; the language is the one kept before this message. Nothing is written unless an
# event, a lock token or a language is given, and what is written carries an expiry (the language is listed for
# /forget).
_READ = """
local seen, lock = -1, -1
if ARGV[2] ~= '' then
  local now, keep = tonumber(ARGV[1]), tonumber(ARGV[3])
  redis.call('ZREMRANGEBYSCORE', KEYS[7], '-inf', now - keep)
  seen = redis.call('ZADD', KEYS[7], 'NX', now, ARGV[2])
  redis.call('PEXPIRE', KEYS[7], keep)
end
if ARGV[4] ~= '' then
  if redis.call('SET', KEYS[8], ARGV[4], 'NX', 'PX', ARGV[5]) then
    lock = {1, redis.call('LRANGE', KEYS[9], 0, -1)}
  else
    lock = {0}
  end
end
local flags = redis.call('MGET', KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[10], KEYS[12], KEYS[13])
if ARGV[6] ~= '' then
  redis.call('SET', KEYS[10], ARGV[6], 'EX', ARGV[7])
  redis.call('SADD', KEYS[11], KEYS[10])
  redis.call('EXPIRE', KEYS[11], ARGV[8])
end
return {redis.call('LRANGE', KEYS[1], 0, -1), flags, seen, lock}
"""

# KEYS: index, context, crisis note, exercise flow, lock, pending, the person's safety note, then flag keys. ARGV:
# context ttl, max turns, flag ttl, crisis ttl, index ttl, crisis note ("" for none), flow ("" to keep, "-" to end
# the exercise, else its state), lock token ("" when no lock is held), how many pending items this turn answered,
# the person's safety note ("" to leave it), number of turns, the encoded turns. Every key written gets its expiry
# in the same atomic step, and is listed in the index for /forget. The lock is released (as in bot/convlock.py)
# only after the turn is saved, in the same step.
_APPEND = """
local ttl, max_turns, flag_ttl, crisis_ttl, index_ttl = ARGV[1], tonumber(ARGV[2]), ARGV[3], ARGV[4], ARGV[5]
local n = tonumber(ARGV[11])
local written = {}
if n > 0 then
  for i = 1, n do redis.call('RPUSH', KEYS[2], ARGV[11 + i]) end
  redis.call('LTRIM', KEYS[2], -max_turns, -1)
  redis.call('EXPIRE', KEYS[2], ttl)
  written[#written + 1] = KEYS[2]
end
for i = 8, #KEYS do
  redis.call('SET', KEYS[i], '1', 'EX', flag_ttl)
  written[#written + 1] = KEYS[i]
end
if ARGV[6] ~= '' then
  redis.call('SET', KEYS[3], ARGV[6], 'EX', crisis_ttl)
  written[#written + 1] = KEYS[3]
end
if ARGV[10] ~= '' then
  redis.call('SET', KEYS[7], ARGV[10], 'EX', crisis_ttl)
  written[#written + 1] = KEYS[7]
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
if ARGV[8] ~= '' and redis.call('GET', KEYS[5]) == ARGV[8] then
  if tonumber(ARGV[9]) > 0 then redis.call('LTRIM', KEYS[6], ARGV[9], -1) end
  redis.call('DEL', KEYS[5])
end
return #written
"""


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
        self.round_trips = RoundTrips(redis)
        self._read: AsyncScript = redis.register_script(_READ)
        self._append: AsyncScript = redis.register_script(_APPEND)

    @property
    def redis(self) -> Redis:
        return self._redis

    @property
    def index_ttl(self) -> int:
        """The expiry of each user's index of keys: the longest any key it lists may live."""
        return self._index_ttl

    async def load(self, user: str, conversation: str, tenant: str, said: str | None = None) -> Session:
        return (await self.load_with(user, conversation, tenant, said=said)).session

    async def load_with(
        self,
        user: str,
        conversation: str,
        tenant: str,
        also: Callable[[Batch], None] | None = None,
        ride: Ride = _NO_RIDE,
        said: str | None = None,
    ) -> Loaded:
        """The session, with the answers to `ride` (bot/gatekeeper.py), plus the results of whatever `also`
        queued on the same round trip (the rate-limit decision, in the limits' own slot). `said`, the language
        this message's own words say, is kept for the conversation with the context's expiry.

        Results of `also` may be exceptions (they are not raised here); they are empty when Redis is down.
        """
        keys = UserKeys(user)
        names = [
            keys.context(conversation), keys.consent, keys.disclaimer, keys.crisis(conversation),
            keys.flow(conversation), keys.country, keys.seen, keys.lock(conversation), keys.pending(conversation),
            keys.language(conversation), keys.index, keys.safety, keys.privacy,
        ]  # fmt: skip
        args: list[str | int] = [
            ride.now_ms, ride.seen, ride.seen_ttl_ms, ride.lock_token, ride.lock_ttl_ms,
            said or "", self.ttl, self._index_ttl,
        ]  # fmt: skip
        batch = Batch()
        batch.evalsha(self._read.sha, len(names), *names, *args)
        batch.command("GET", community_key(tenant))
        if also is not None:
            also(batch)
        try:
            results = await self.round_trips.send(batch)
            read = results[0]
            if isinstance(read, NoScriptError):  # Redis forgot the script (a restart, SCRIPT FLUSH): run it alone
                read = await self._read(keys=names, args=args)
        except (RedisError, OSError) as exc:
            log.warning("context unavailable: %s", type(exc).__name__)
            return Loaded(Session.empty(available=False), None, [])
        failed = next((item for item in (read, results[1]) if isinstance(item, Exception)), None)
        if failed is not None:
            log.warning("context unavailable: %s", type(failed).__name__)
            return Loaded(Session.empty(available=False), None, results[2:])
        raw_turns, (consent, seen, crisis, flow, country, language, safety, privacy), new_event, lock = read
        session = Session(
            turns=self._bounded(_decode_turns(raw_turns)),
            consent=bool(consent),
            disclaimer_seen=bool(seen),
            privacy_due=bool(privacy),
            crisis=_decode_json(crisis),
            person_crisis=_decode_json(safety),
            community=Community.from_json(results[1]),
            flow=_decode_json(flow),
            country=_decode_text(country),
            language=_decode_text(language),
        )
        return Loaded(session, Ridden(int(new_event), lock), results[2:])

    async def save(
        self,
        user: str,
        conversation: str,
        *,
        turns: Sequence[tuple[Role, str]] = (),
        flags: Iterable[str] = (),
        crisis: Mapping[str, Any] | None = None,
        flow: Mapping[str, Any] | None = None,
        also: Callable[[Batch], None] | None = None,
        release: tuple[str, int] | None = None,
        person_crisis: Mapping[str, Any] | None = None,
    ) -> list[Any]:
        """Append turns, set flags (`consent`, `disclaimer`, `privacy`), the crisis note (and `person_crisis`, the
        person's safety note that their other conversations read) and an exercise's state (an empty `flow` ends the
        exercise), refreshing every expiry; then release the conversation lock held with `release`'s token,
        dropping the pending messages this turn answered (their number is its second item).

        One script does it all atomically (so no key can be left without its expiry) in the user's hash slot.
        `also` queues more commands on the same round trip (the reply stage counts the token budget there, so a
        reply costs one round trip after the LLM); their results are returned and may be exceptions. Each command
        stays within one slot, so this also holds on Redis Cluster.
        """
        keys = UserKeys(user)
        now = int(time.time())
        flag_names = [getattr(keys, flag) for flag in flags]
        if not turns and not flag_names and crisis is None and flow is None and also is None and release is None:
            return []
        names = [
            keys.index, keys.context(conversation), keys.crisis(conversation), keys.flow(conversation),
            keys.lock(conversation), keys.pending(conversation), keys.safety, *flag_names,
        ]  # fmt: skip
        note = json.dumps(dict(crisis), separators=(",", ":")) if crisis is not None else ""
        carried = json.dumps(dict(person_crisis), separators=(",", ":")) if person_crisis else ""
        encoded = [_encode_turn(role, text, now) for role, text in turns]
        limits = [self.ttl, self.max_turns, self.flag_ttl, self.crisis_ttl, self._index_ttl]
        token, taken = release or ("", 0)
        args: list[str | int] = [*limits, note, _flow_arg(flow), token, taken, carried, len(encoded), *encoded]
        if also is None:
            await self._append(keys=names, args=args)
            return []
        batch = Batch()
        batch.evalsha(self._append.sha, len(names), *names, *args)
        also(batch)
        results = await self.round_trips.send(batch)
        if isinstance(results[0], NoScriptError):
            await self._append(keys=names, args=args)
        elif isinstance(results[0], Exception):
            raise results[0]
        return list(results[1:])

    @property
    def scripts(self) -> tuple[AsyncScript, ...]:
        return self._read, self._append

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

    async def drop_privacy(self, user: str) -> None:
        """Delete `user`'s owed privacy line (`UserKeys.privacy`, once it was said) and its entry in their index."""
        keys = UserKeys(user)
        name = keys.privacy
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.delete(name)
            pipe.srem(keys.index, name)
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
        names = sorted({*listed, keys.consent, keys.disclaimer, keys.privacy, keys.checkins, keys.safety, keys.index})
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.delete(*names)
            pipe.delete(keys.seen)  # digests of their recent event ids: not counted as something held
            deleted, _ = await pipe.execute()
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
        held = []
        if listed:
            async with self._redis.pipeline(transaction=False) as pipe:
                for name in listed:
                    pipe.ttl(name)
                    pipe.llen(name) if keys.kind_of(name) in ("ctx", "checkins", "pending") else pipe.exists(name)
                answers = await pipe.execute()
            for position, name in enumerate(listed):
                ttl, size = int(answers[2 * position]), int(answers[2 * position + 1])
                if ttl > 0 and size > 0:
                    held.append(HeldItem(keys.kind_of(name), size, ttl))
        # The times of their recent messages for the per-user rate limit, which /forget erases too. It lives in
        # the limits' hash slot (bot/limits.py), so it is asked for on its own.
        window = limit_window("user", user)
        async with self._redis.pipeline(transaction=False) as pipe:
            pipe.pttl(window)
            pipe.zcard(window)
            ttl_ms, count = (int(answer) for answer in await pipe.execute())
        if ttl_ms > 0 and count > 0:
            held.append(HeldItem("limit", count, max(1, ttl_ms // 1000)))
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
    for data in _decode_all(list(raw)):
        role, text = data.get("r"), data.get("t")
        if role in ("user", "assistant") and isinstance(text, str):
            turns.append(ContextTurn(role, text, int(data.get("at", 0))))
    return turns


def _decode_all(items: list[bytes | str]) -> list[dict[str, Any]]:
    """Every stored turn, parsed as one JSON array (one parser call per message rather than one per turn, which
    showed in profiles); when one entry is damaged, each is parsed on its own so only that one is dropped."""
    if items and all(isinstance(item, bytes) for item in items):
        try:
            values = json.loads(b"[" + b",".join(item for item in items if isinstance(item, bytes)) + b"]")
        except ValueError:
            values = None
        if isinstance(values, list) and len(values) == len(items):
            return [value if isinstance(value, dict) else {} for value in values]
    return [_decode_json(item) for item in items]


def _decode_text(raw: bytes | str | None) -> str | None:
    return raw.decode() if isinstance(raw, bytes) else raw


def _decode_json(raw: bytes | str | None) -> dict[str, Any]:
    if raw is None:
        return {}
    try:
        value = json.loads(raw)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}
