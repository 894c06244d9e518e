"""Decides, on the session's own round trip, whether a message may go on to the LLM, and settles up after.

Before the LLM (folded into `ContextStore.load_with`): the duplicate check, the rate-limit decision (which
reserves the message's place in every window) and the conversation lock. After the LLM (folded into
`ContextStore.save`): the real token usage and the lock's release. So a message that reaches the LLM costs
two Redis round trips in all. A message that ends earlier (a command, a crisis reply, no consent yet, a limit)
gives back its reserved places and the lock in one more round trip, from the pipeline's cleanup.

Commands and button presses never reach the LLM, so they skip the limit and the lock altogether.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from redis.asyncio import Redis
from redis.asyncio.client import Pipeline
from redis.commands.core import AsyncScript
from redis.exceptions import RedisError

from bot.admission import Admission
from bot.convlock import ConversationLock
from bot.dedupe import Dedupe
from bot.limits import Decision, Limiter, Subject
from bot.models import IncomingMessage
from bot.pipeline import Turn

log = logging.getLogger(__name__)

Reader = Callable[[list[Any]], Awaitable[Admission]]


class Gatekeeper:
    def __init__(
        self,
        redis: Redis,
        dedupe: Dedupe,
        limiter: Limiter | None = None,
        lock: ConversationLock | None = None,
        scripts: Sequence[AsyncScript] = (),
    ) -> None:
        self._redis = redis
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

    def queue(self, pipe: Pipeline, msg: IncomingMessage) -> Reader:
        """Queue this message's checks on `pipe`; the reader turns their results into an `Admission`."""
        seen = self.dedupe.queue_mark(pipe, msg)
        gated = self.limiter is not None and not msg.action and not msg.text.lstrip().startswith("/")
        decide = lock = None
        if gated and self.limiter is not None:
            decide = self.limiter.queue_check(pipe, Subject(msg.user, msg.conversation, msg.tenant))
        if gated and self.lock is not None:
            lock = self.lock.queue_acquire(pipe, msg.user, msg.conversation)

        async def read(results: list[Any]) -> Admission:
            if not results:
                return Admission()
            admission = Admission(checked=True)
            position = 0
            if seen is not None:
                admission.duplicate = seen(results[position])
                position += 1
            try:
                if decide is not None:
                    admission.decision = await decide(results[position])
                    position += 1
                if lock is not None:
                    admission.lock = await lock(results[position])
            except (RedisError, OSError) as exc:
                log.warning("limits unavailable, letting the message through: %s", type(exc).__name__)
            return admission

        return read

    def queue_settle(self, pipe: Pipeline, turn: Turn, tokens: int) -> None:
        """After the LLM: count the real tokens and release the lock, on the save's round trip."""
        admission = turn.admission
        admission.spent = admission.released = True
        if self.limiter is not None and tokens:
            self.limiter.queue_spend(pipe, turn.msg.tenant, tokens)
        if self.lock is not None and admission.lock is not None and admission.lock.acquired:
            self.lock.queue_release(pipe, turn.msg.user, turn.msg.conversation, admission.lock)

    async def recover(self, turn: Turn, tokens: int, results: list[Any]) -> None:
        """The save's round trip could not settle (e.g. Redis forgot a script): settle each part on its own."""
        if not any(isinstance(result, Exception) for result in results):
            return
        log.warning("settling the limits again after a failed round trip")
        if self.limiter is not None and tokens:
            await self.limiter.spend(turn.msg.tenant, tokens)
        state = turn.admission.lock
        if self.lock is not None and state is not None and state.acquired:
            await self.lock.release(turn.msg.user, turn.msg.conversation, state)

    async def settle(self, turn: Turn) -> None:
        """The pipeline's cleanup: give back what a message that did not reach the LLM was holding."""
        admission = turn.admission
        refund = None if admission.spent else _refundable(admission.decision)
        held = admission.lock is not None and admission.lock.acquired and not admission.released
        lock = admission.lock if held else None
        admission.spent = admission.released = True
        if refund is None and lock is None:
            return
        async with self._redis.pipeline(transaction=False) as pipe:
            if refund is not None and self.limiter is not None:
                self.limiter.queue_refund(pipe, refund)
            if lock is not None and self.lock is not None:
                self.lock.queue_release(pipe, turn.msg.user, turn.msg.conversation, lock)
            results = await pipe.execute(raise_on_error=False)
        if lock is not None and self.lock is not None and isinstance(results[-1], Exception):
            await self.lock.release(turn.msg.user, turn.msg.conversation, lock)


def _refundable(decision: Decision | None) -> Decision | None:
    """A message that was counted but not answered by the LLM gives its place back."""
    return decision if decision is not None and decision.allowed else None
