"""The stage that turns a rate-limit or budget refusal into a kind, specific reply.

It stands after consent and before the conversation lock and the LLM (crisis messages were answered long
before, so they are never limited). The decision itself was taken on the session's round trip
(bot/gatekeeper.py); this stage only words it: which limit, when the person can write again, and that the
commands that need no LLM still work. Never silence.
"""

from __future__ import annotations

import math

from bot.crisis import Crisis
from bot.limits import TOKENS_DAY, TOKENS_MINUTE
from bot.models import Reply
from bot.pipeline import Turn
from bot.prompts import Prompts

LIMITED = "limited"


class LimitStage:
    name = "limits"

    def __init__(self, prompts: Prompts, crisis: Crisis) -> None:
        self._prompts = prompts
        self._crisis = crisis

    async def run(self, turn: Turn) -> Reply | None:
        decision = turn.admission.decision
        if decision is None or decision.allowed:
            return None
        language = self._crisis.language(turn)
        said = self._prompts(language)
        when = said.when(decision.retry_after)
        if decision.limit == "user":
            text = said.say("limit_user", when=when)
        elif decision.limit in (TOKENS_MINUTE, TOKENS_DAY):
            text = said.say("limit_budget", when=when)
        else:
            text = said.say("limit_shared", when=when)
        extra = (("limit", decision.limit or ""), ("retry_after", str(math.ceil(decision.retry_after))))
        actions = self._crisis.nearby_actions(turn, self._crisis.phrasebook(language))
        text = self._crisis.lines_first(turn, text)  # in crisis mode, not "I need to pause our conversation" alone
        return Reply(text, actions=actions, kind=LIMITED, extra=extra, language=said.language)
