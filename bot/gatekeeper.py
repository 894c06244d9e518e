"""Decides, on the session's own round trip, whether a message may go on to the LLM, and settles up after.

Before the LLM (`ContextStore.load_with`): the duplicate check and the conversation lock ride inside the
session's read script (the user's slot), and the rate-limit decision (which reserves the message's place in
every window) goes beside it as one more script (the limits' slot). After the LLM (`ContextStore.save`): the
lock's release rides inside the save script, and the real token usage goes beside it. So a message that reaches
the LLM costs two Redis round trips in all. A message that ends earlier (a command, a crisis reply, no consent
yet, a limit) gives back its reserved places and the lock in one more round trip, from the pipeline's cleanup.

Commands, button presses and edits never reach the LLM, so they skip the limit and the lock altogether.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from functools import partial
from typing import Any

from redis.asyncio import Redis
from redis.commands.core import AsyncScript
from redis.exceptions import RedisError

from bot.admission import Admission
from bot.context import Loaded, Ride
from bot.convlock import ConversationLock
from bot.dedupe import Dedupe
from bot.limits import Decision, Limiter, Subject
from bot.models import IncomingMessage
from bot.pipeline import Turn
from bot.roundtrip import Batch, RoundTrips

log = logging.getLogger(__name__)

Reader = Callable[[Loaded], Awaitable[Admission]]


class Gatekeeper:
    def __init__(
        self,
        redis: Redis,
        dedupe: Dedupe,
        limiter: Limiter | None = None,
        lock: ConversationLock | None = None,
        scripts: Sequence[AsyncScript] = (),
        round_trips: RoundTrips | None = None,
    ) -> None:
        self._redis = redis
        self._round_trips = round_trips or RoundTrips(redis)
        self.dedupe = dedupe
        self.limiter = limiter
        self.lock = lock
        self._scripts = [*scripts, *(lock.scripts if lock else ()), *(limiter.scripts if limiter else ())]
        self._scripts_loaded = False

    async def prepare(self) -> None:
        """Load the scripts once per process, so the pipelined EVALSHAs find them. If Redis later forgets them
        (a restart, SCRIPT FLUSH), each reader and `recover` runs its script on its own, which reloads it."""
        if self._scripts_loaded:
            return
        try:
            async with self._redis.pipeline(transaction=False) as pipe:
                for script in self._scripts:
                    pipe.script_load(script.script)
                await pipe.execute()
        except (RedisError, OSError) as exc:
            log.warning("could not load the Redis scripts: %s", type(exc).__name__)
            return
        self._scripts_loaded = True

    def plan(self, msg: IncomingMessage) -> tuple[Ride, Callable[[Batch], None] | None, Reader]:
        """This message's checks: what rides in the session's read script, what to queue beside it (the limit
        decision), and the reader that turns their answers into an `Admission`."""
        gated = self.limiter is not None and not msg.action and not msg.edited and not msg.text.lstrip().startswith("/")
        lock = self.lock if gated else None
        token = lock.new_token() if lock is not None else ""
        ride = Ride(
            now_ms=int(time.time() * 1000),
            seen=self.dedupe.mark(msg),
            seen_ttl_ms=self.dedupe.ttl_ms,
            lock_token=token,
            lock_ttl_ms=lock.ttl_ms if lock is not None else 0,
        )
        deciders: list[Callable[[Any], Awaitable[Decision]]] = []
        queue = None
        if gated and self.limiter is not None:
            limiter, subject = self.limiter, Subject(msg.user, msg.conversation, msg.tenant)

            def queue(pipe: Batch) -> None:
                deciders.append(limiter.queue_check(pipe, subject))

        async def read(loaded: Loaded) -> Admission:
            ridden = loaded.ridden
            if ridden is None and not loaded.also:
                return Admission()
            admission = Admission(checked=True)
            if ridden is not None:
                admission.duplicate = ridden.seen == 0
                if lock is not None:
                    admission.lock = lock.state(token, ridden.lock)
            try:
                if deciders and loaded.also:
                    admission.decision = await deciders[0](loaded.also[0])
            except (RedisError, OSError) as exc:
                log.warning("limits unavailable, letting the message through: %s", type(exc).__name__)
            return admission

        return ride, queue, read

    def settling(self, turn: Turn, tokens: int) -> tuple[Callable[[Batch], None] | None, tuple[str, int] | None]:
        """After the LLM, what the save's round trip carries: the real token count (queued beside the save, in
        the limits' slot) and the lock's token and answered pending count (released inside the save script)."""
        admission = turn.admission
        admission.spent = admission.released = True
        spend = None
        if self.limiter is not None and tokens > 0:
            spend = partial(self.limiter.queue_spend, tenant=turn.msg.tenant, tokens=tokens)
        state = admission.lock
        held = self.lock is not None and state is not None and state.acquired
        return spend, (state.token, state.taken) if held and state is not None else None

    async def recover(self, turn: Turn, tokens: int, results: list[Any]) -> None:
        """The token count beside the save failed (e.g. Redis forgot the script): count it on its own."""
        if self.limiter is None or not tokens or not any(isinstance(result, Exception) for result in results):
            return
        log.warning("counting the tokens again after a failed round trip")
        await self.limiter.spend(turn.msg.tenant, tokens)

    async def settle(self, turn: Turn) -> None:
        """The pipeline's cleanup: give back what a message that did not reach the LLM was holding."""
        admission = turn.admission
        refund = None if admission.spent else _refundable(admission.decision)
        held = admission.lock is not None and admission.lock.acquired and not admission.released
        lock = admission.lock if held else None
        admission.spent = admission.released = True
        if refund is None and lock is None:
            return
        batch = Batch()
        if refund is not None and self.limiter is not None:
            self.limiter.queue_refund(batch, refund)
        if lock is not None and self.lock is not None:
            self.lock.queue_release(batch, turn.msg.user, turn.msg.conversation, lock)
        results = await self._round_trips.send(batch)
        if lock is not None and self.lock is not None and isinstance(results[-1], Exception):
            await self.lock.release(turn.msg.user, turn.msg.conversation, lock)


def _refundable(decision: Decision | None) -> Decision | None:
    """A message that was counted but not answered by the LLM gives its place back."""
    return decision if decision is not None and decision.allowed else None
