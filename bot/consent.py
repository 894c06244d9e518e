"""First contact: show what Hearth is and is not, and ask for consent before any LLM conversation.

The disclaimer is remembered with an expiry (`DISCLAIMER_TTL`), not forever: after it lapses people see it again.
It is shown once: a later message from someone who has not agreed yet gets the short consent question, and a
plain "yes" or "no" to that question is taken as the answer (people reply in words, not only with /consent), in
any language Hearth has texts in (`consent_answers` in prompts/crisis/replies/<language>.yaml).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from redis.exceptions import RedisError

from bot.commands import consent_action
from bot.context import ContextStore
from bot.crisis import Crisis
from bot.crisis.replies import Texts
from bot.models import Action, Reply
from bot.pipeline import Turn

log = logging.getLogger(__name__)


class ConsentStage:
    name = "consent"

    def __init__(
        self,
        crisis: Crisis,
        *,
        required: bool,
        llm_configured: bool,
        disclaimer: Callable[[Turn], str],
        context: ContextStore | None = None,
    ) -> None:
        self._crisis = crisis
        self._required = required
        self._llm_configured = llm_configured
        self._context = context
        self._disclaimer = disclaimer

    async def run(self, turn: Turn) -> Reply | None:
        session = turn.session
        if self._llm_configured and self._required and not session.consent:
            return await self._ask(turn)
        if not session.disclaimer_seen and not session.consent:
            turn.notices.append(self._disclaimer(turn))
        return None

    async def _ask(self, turn: Turn) -> Reply:
        session = turn.session
        texts = self._crisis.texts_for(turn)
        if session.disclaimer_seen and not turn.assessment.declined and not turn.corrected:
            answer = self._crisis.phrasebook.consent.understood(turn.text, texts.language)
            if answer is not None:  # answered in the language of their words ("oui" after an English question)
                said = self._crisis.phrasebook(answer.language)
                if answer.agreed and await self._keep(turn, ("consent", "disclaimer")):
                    return Reply(said.say("consent_given"), kind="consent", language=said.language)
                if not answer.agreed:
                    return self._question(turn, said, said.say("consent_declined"))
        if session.disclaimer_seen:
            text = texts.say("consent_needed")
            if turn.answered_no or turn.corrected:  # they just told Hearth they are ok: thank them first
                text = f"{self._crisis.thanks_for_answer(turn, texts)}\n\n{text}"
            return self._question(turn, texts, text)
        await self._keep(turn, ("disclaimer",))
        disclaimer = self._disclaimer(turn)  # in the language of `texts`: both follow `Crisis.language`
        return self._question(turn, texts, f"{disclaimer}\n\n{texts.say('consent_needed')}")

    def _question(self, turn: Turn, texts: Texts, text: str) -> Reply:
        """The consent question, in the person's language (`Reply.language`: an adapter's words around it follow).
        In crisis mode the crisis lines come first and stay one press away: someone who has just said they want to
        die and then "ok" must not be left with a question about the language model alone."""
        actions: tuple[Action, ...] = (consent_action(texts),)
        if self._crisis.crisis_mode(turn):
            text = self._crisis.lines_first(turn, text)
            actions = (*actions, *self._crisis.nearby_actions(turn, texts))
        return Reply(text, actions=actions, kind="disclaimer", language=texts.language)

    async def _keep(self, turn: Turn, flags: tuple[str, ...]) -> bool:
        if self._context is None:
            return False
        try:
            await self._context.save(turn.msg.user, turn.msg.conversation, flags=flags)
        except (RedisError, OSError) as exc:
            log.warning("could not keep the consent flags: %s", type(exc).__name__)
            return False
        return True
