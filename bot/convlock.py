"""One reply at a time per conversation, across replicas: a lock in Redis, and folding.

People often send a thought in three quick messages. Answering each in parallel gives three replies that talk
past each other. So the message that takes the lock is answered; messages arriving meanwhile wait in a short
list (`pending`), and whoever takes the lock next answers all waiting messages as one turn, in order. A waiter
whose message was already answered by someone else's turn gets a `folded` reply (nothing to send).

The lock and the list sit under the user's hash tag (one Cluster slot with the rest of their keys), carry
expiries, and the list is in the user's index so `/forget` erases waiting text too. The lock holds a random
token: only its holder can release it, and it expires on its own if a replica dies mid-reply.
"""

from __future__ import annotations

import asyncio
import json
import os
from dataclasses import dataclass, field
from typing import Any

from redis.asyncio import Redis
from redis.commands.core import AsyncScript

from bot.redis_keys import UserKeys
from bot.roundtrip import Batch

# KEYS: lock, pending. ARGV: token, ttl_ms. Returns {1, pending items} when taken, {0} when held by another.
_ACQUIRE = """
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  return {1, redis.call('LRANGE', KEYS[2], 0, -1)}
end
return {0}
"""

# KEYS: pending, index. ARGV: item, ttl_ms, index ttl in s. The index only ever lengthens its expiry.
_PUSH = """
redis.call('RPUSH', KEYS[1], ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
redis.call('SADD', KEYS[2], KEYS[1])
redis.call('EXPIRE', KEYS[2], ARGV[3], 'NX')
redis.call('EXPIRE', KEYS[2], ARGV[3], 'GT')
return 1
"""

# KEYS: lock, pending. ARGV: token, how many pending items this turn answered (they are the oldest ones:
# only the holder removes items and others only append, so trimming by count is exact).
_RELEASE = """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
if tonumber(ARGV[2]) > 0 then redis.call('LTRIM', KEYS[2], ARGV[2], -1) end
redis.call('DEL', KEYS[1])
return 1
"""


@dataclass(frozen=True, slots=True)
class PendingItem:
    id: str
    text: str


@dataclass
class LockState:
    """This message's standing with the conversation lock. `taken` pending items are answered by this turn."""

    token: str
    acquired: bool
    items: list[PendingItem] = field(default_factory=list)
    taken: int = 0


class ConversationLock:
    def __init__(self, redis: Redis, *, ttl: float, wait: float, poll: float) -> None:
        self._redis = redis
        self._ttl_ms = int(ttl * 1000)
        self._wait = wait
        self._poll = poll
        self._acquire: AsyncScript = redis.register_script(_ACQUIRE)
        self._push: AsyncScript = redis.register_script(_PUSH)
        self._release: AsyncScript = redis.register_script(_RELEASE)

    @property
    def scripts(self) -> tuple[AsyncScript, ...]:
        return self._acquire, self._push, self._release

    @property
    def ttl_ms(self) -> int:
        return self._ttl_ms

    @staticmethod
    def new_token() -> str:
        return os.urandom(16).hex()

    @staticmethod
    def state(token: str, result: Any) -> LockState:
        """This message's standing from an acquire's answer ({1, pending items} or {0}), however it was sent:
        on its own, or inside the session's read script (bot/context.py, `Ride`)."""
        return _state(token, result)

    async def wait_turn(self, user: str, conversation: str, text: str) -> tuple[str, LockState | None]:
        """Queue `text` and wait for the lock. Returns this message's item id and the lock (None on time-out)."""
        keys = UserKeys(user)
        item = PendingItem(self.new_token(), text)
        encoded = json.dumps({"id": item.id, "t": item.text}, ensure_ascii=False, separators=(",", ":"))
        pending_ttl = self._ttl_ms + int(self._wait * 1000)
        await self._push(
            keys=[keys.pending(conversation), keys.index], args=[encoded, pending_ttl, pending_ttl // 1000 + 1]
        )
        names = [keys.lock(conversation), keys.pending(conversation)]
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self._wait
        while True:
            token = self.new_token()
            state = _state(token, await self._acquire(keys=names, args=[token, self._ttl_ms]))
            if state.acquired:
                return item.id, state
            if loop.time() + self._poll > deadline:
                return item.id, None
            await asyncio.sleep(self._poll)

    def queue_release(self, pipe: Batch, user: str, conversation: str, state: LockState) -> None:
        keys = UserKeys(user)
        pipe.evalsha(
            self._release.sha, 2, keys.lock(conversation), keys.pending(conversation), state.token, state.taken
        )

    async def release(self, user: str, conversation: str, state: LockState) -> None:
        keys = UserKeys(user)
        await self._release(keys=[keys.lock(conversation), keys.pending(conversation)], args=[state.token, state.taken])


def _state(token: str, result: Any) -> LockState:
    if int(result[0]) != 1:
        return LockState(token, acquired=False)
    return LockState(token, acquired=True, items=[item for raw in result[1] if (item := _decode(raw)) is not None])


def _decode(raw: bytes | str) -> PendingItem | None:
    try:
        data = json.loads(raw)
        return PendingItem(str(data["id"]), str(data["t"]))
    except (ValueError, KeyError, TypeError):
        return None
