"""First contact: show what Hearth is and is not, and ask for consent before any LLM conversation.

The disclaimer is remembered with an expiry (`DISCLAIMER_TTL`), not forever: after it lapses people see it again.
It is shown once: a later message from someone who has not agreed yet gets the short consent question, and a
plain "yes" or "no" to that question is taken as the answer (people reply in words, not only with /consent), in
any language Hearth has texts in (`consent_answers` in prompts/crisis/replies/<language>.yaml).
"""

from __future__ import annotations

import logging

from redis.exceptions import RedisError

from bot.commands import consent_action
from bot.context import ContextStore
from bot.crisis import Crisis
from bot.crisis.replies import Texts
from bot.introduction import Introduction
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
        introduction: Introduction,
        context: ContextStore | None = None,
    ) -> None:
        self._crisis = crisis
        self._required = required
        self._llm_configured = llm_configured
        self._context = context
        self._introduction = introduction

    async def run(self, turn: Turn) -> Reply | None:
        session = turn.session
        if self._llm_configured and self._required and not session.consent:
            return await self._ask(turn)
        if self._introduction.due(turn):  # the reply stage shows it, and keeps the flag with the turn
            turn.notices.append(self._introduction.text(turn))
            self._introduction.shown(turn)
        return None

    async def _ask(self, turn: Turn) -> Reply:
        texts = self._crisis.texts_for(turn)
        introduced = not self._introduction.due(turn)
        # Only a message that can answer the consent question is read as one: not one right after a crisis reply
        # or the direct question (a "no" to it, "I was joking", an "ok"), which also introduce Hearth but ask
        # nothing about the language model.
        if introduced and not turn.after_crisis_reply:
            answer = self._crisis.phrasebook.consent.understood(turn.text, texts.language)
            if answer is not None:  # answered in the language of their words ("oui" after an English question)
                said = self._crisis.phrasebook(answer.language)
                if answer.agreed and await self._keep(turn, ("consent", "disclaimer")):
                    return Reply(said.say("consent_given"), kind="consent", language=said.language)
                if not answer.agreed:
                    return self._question(turn, said, said.say("consent_declined"))
        if introduced:
            text = texts.say("consent_needed")
            if turn.answered_no or turn.corrected:  # they just told Hearth they are ok: thank them first
                text = f"{self._crisis.thanks_for_answer(turn, texts)}\n\n{text}"
            return self._question(turn, texts, text)
        await self._keep(turn, ("disclaimer",))
        self._introduction.shown(turn)
        disclaimer = self._introduction.text(turn)  # in the language of `texts`: both follow `Crisis.language`
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
