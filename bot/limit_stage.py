"""The stage that turns a rate-limit or budget refusal into a kind, specific reply.

It stands after consent and before the conversation lock and the LLM (crisis messages were answered long
before, so they are never limited). The decision itself was taken on the session's round trip
(bot/gatekeeper.py); this stage only words it: which limit, when the person can write again, and that the
commands that need no LLM still work. Never silence.
"""

from __future__ import annotations

import math

from bot.limits import TOKENS_DAY, TOKENS_MINUTE
from bot.models import ACTION_RESOURCES, Action, Reply
from bot.pipeline import Turn
from bot.prompts import Prompts

LIMITED = "limited"


class LimitStage:
    name = "limits"

    def __init__(self, prompts: Prompts) -> None:
        self._prompts = prompts

    async def run(self, turn: Turn) -> Reply | None:
        decision = turn.admission.decision
        if decision is None or decision.allowed:
            return None
        when = in_words(decision.retry_after)
        if decision.limit == "user":
            text = self._prompts.say("limit_user", when=when)
        elif decision.limit in (TOKENS_MINUTE, TOKENS_DAY):
            text = self._prompts.say("limit_budget", when=when)
        else:
            text = self._prompts.say("limit_shared", when=when)
        extra = (("limit", decision.limit or ""), ("retry_after", str(math.ceil(decision.retry_after))))
        return Reply(text, actions=(Action(ACTION_RESOURCES, "Show crisis lines"),), kind=LIMITED, extra=extra)


def in_words(seconds: float) -> str:
    """'in a few seconds', 'in about 4 minutes', 'in about 2 hours': rounded up, never promising too early."""
    if seconds < 10:
        return "in a few seconds"
    if seconds < 60:
        return f"in about {math.ceil(seconds / 10) * 10} seconds"
    for unit, size, below in (("minute", 60, 90 * 60), ("hour", 3600, 36 * 3600), ("day", 86400, math.inf)):
        if seconds < below:
            count = math.ceil(seconds / size)
            return f"in about {count} {unit}{'s' if count != 1 else ''}"
    raise AssertionError("unreachable")  # pragma: no cover
