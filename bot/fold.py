"""One reply at a time per conversation: the stage that waits its turn and folds quick messages together.

The lock was tried on the session's round trip (bot/gatekeeper.py). A message that got it is answered now,
together with any messages still waiting from before. One that did not queues its text and waits; when the
lock comes free, whoever takes it answers everything waiting, in order, as one turn. A message already
answered inside someone else's turn gets `Reply(kind="folded")` with empty text: adapters send nothing, the
person already has the answer to it.
"""

from __future__ import annotations

import logging

from redis.exceptions import RedisError

from bot.context import ContextStore
from bot.convlock import ConversationLock
from bot.crisis import Crisis
from bot.models import Reply
from bot.pipeline import Turn
from bot.prompts import Prompts

log = logging.getLogger(__name__)

FOLDED = "folded"


class FoldStage:
    name = "one_at_a_time"

    def __init__(self, prompts: Prompts, crisis: Crisis, lock: ConversationLock, context: ContextStore) -> None:
        self._prompts = prompts
        self._crisis = crisis
        self._lock = lock
        self._context = context

    async def run(self, turn: Turn) -> Reply | None:
        state = turn.admission.lock
        if state is None:
            return None  # Redis did not answer the first round trip: answer without folding
        if state.acquired:
            texts = [item.text for item in state.items] + [turn.text]
            state.taken = len(state.items)
        else:
            try:
                mine, taken = await self._lock.wait_turn(turn.msg.user, turn.msg.conversation, turn.text)
            except (RedisError, OSError) as exc:
                log.warning("conversation lock unavailable, answering without it: %s", type(exc).__name__)
                return None
            if taken is None:
                said = self._prompts(self._crisis.language(turn))
                return Reply(said.say("still_answering"), kind="still_answering", language=said.language)
            turn.admission.lock = taken
            if all(item.id != mine for item in taken.items):
                return Reply("", kind=FOLDED)
            texts = [item.text for item in taken.items]
            taken.taken = len(taken.items)
            # The turn just answered was saved after this message's session was read: read it again, and
            # leave out the introduction when that turn has just shown it.
            msg = turn.msg
            fresh = await self._context.load(msg.user, msg.conversation, msg.tenant)
            turn.session.turns = fresh.turns
            turn.session.privacy_due = fresh.privacy_due  # the turn just answered may have shown it
            if fresh.disclaimer_seen:
                turn.session.disclaimer_seen = True
                turn.notices.clear()
        turn.text = "\n\n".join(texts)
        return None
