"""The crisis stage: runs before anything that can be limited or call an LLM, and fails closed."""

from __future__ import annotations

from bot.crisis.service import Crisis
from bot.models import Level, Reply
from bot.pipeline import Turn


class CrisisStage:
    name = "crisis"

    def __init__(self, crisis: Crisis) -> None:
        self._crisis = crisis

    async def run(self, turn: Turn) -> Reply | None:
        turn.country = turn.msg.country or turn.session.community.country or self._crisis.default_country
        if turn.msg.action:
            return None
        turn.assessment = self._crisis.assess(turn.text, turn)
        if turn.assessment.level.at_least(Level.URGENT):
            return self._crisis.crisis_reply(turn)
        return None

    def fallback(self, turn: Turn) -> Reply:
        return self._crisis.crisis_reply(turn)
