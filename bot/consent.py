"""First contact: show what Hearth is and is not, and ask for consent before any LLM conversation.

The disclaimer is remembered with an expiry (`DISCLAIMER_TTL`), not forever: after it lapses people see it again.
"""

from __future__ import annotations

from bot.commands import consent_action
from bot.models import Reply
from bot.pipeline import Turn
from bot.prompts import Prompts


class ConsentStage:
    name = "consent"

    def __init__(self, prompts: Prompts, *, required: bool, llm_configured: bool, context_minutes: str) -> None:
        self._prompts = prompts
        self._required = required
        self._llm_configured = llm_configured
        self._disclaimer = prompts.say("disclaimer", context_minutes=context_minutes)

    async def run(self, turn: Turn) -> Reply | None:
        session = turn.session
        disclaimer = self._disclaimer
        if self._llm_configured and self._required and not session.consent:
            text = f"{disclaimer}\n\n{self._prompts.say('consent_needed')}"
            return Reply(text, actions=(consent_action(),), kind="disclaimer")
        if not session.disclaimer_seen and not session.consent:
            turn.notices.append(disclaimer)
        return None
