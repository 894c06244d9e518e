"""The stage that reads what Redis holds for this user and conversation, once per message.

It stands before the crisis stage so an earlier turn of distress can raise a later ambiguous one. When Redis is
down it carries on with an empty session marked unavailable: the crisis path must work without Redis.

With a `Gatekeeper`, the duplicate check and the conversation lock ride inside the session's read script, and
the rate-limit decision goes beside it on the same round trip; their verdicts are only acted on by later stages
(after the crisis stage), and whatever the message reserved is given back by the pipeline's cleanup if it never
reaches the LLM.

The same read keeps the language the message's own words say (a code, never text), so that a later bare command,
button or "ok" in this conversation is answered in it even where no turn is kept (no LLM, a command, an exercise).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from bot.context import ContextStore
from bot.gatekeeper import Gatekeeper
from bot.models import Reply
from bot.pipeline import Turn


class LoadSessionStage:
    name = "load_session"

    def __init__(
        self,
        context: ContextStore,
        gatekeeper: Gatekeeper | None = None,
        language_of: Callable[[str], str | None] | None = None,
    ) -> None:
        """`language_of` says which language a message's own words are in, if they say (`Crisis.own_language`)."""
        self._context = context
        self._gatekeeper = gatekeeper
        self._language_of = language_of

    async def run(self, turn: Turn) -> Reply | None:
        msg = turn.msg
        gatekeeper = self._gatekeeper
        said = self._language_of(turn.text) if self._language_of is not None else None
        if gatekeeper is None:
            turn.session = await self._context.load(msg.user, msg.conversation, msg.tenant, said)
            return None
        await gatekeeper.prepare()
        ride, queue, read = gatekeeper.plan(msg)
        loaded = await self._context.load_with(msg.user, msg.conversation, msg.tenant, queue, ride, said)
        turn.session = loaded.session
        turn.admission = await read(loaded)
        turn.cleanups.append(partial(gatekeeper.settle, turn))
        return None
