"""The crisis stage: runs before anything that can be limited or call an LLM, and fails closed.

It also answers the handoff buttons, and keeps a short note (levels and categories, never text) so that a
later ambiguous message in the same conversation is read in the light of an earlier one. In crisis mode the
note is also kept for the person (`Session.person_crisis`), so their other conversations are read in its light
too: a crisis told in a server channel is answered by DM, and that DM is where they answer it. Redis being
down only loses the notes: the reply still goes out in full.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any

from redis.exceptions import RedisError

from bot.alerted import AlertMarks, Claim
from bot.context import ContextStore, Session
from bot.crisis.service import AFTER_REPLY, ANSWER_DUE, Crisis, expected_answer
from bot.introduction import Introduction
from bot.models import ACTION_HANDOFF, ACTION_HANDOFF_SHARE, Level, ModeratorAlert, Reply
from bot.pipeline import Turn

log = logging.getLogger(__name__)


def _in_light_of_the_persons_crisis(session: Session) -> None:
    """A conversation not in crisis mode, of a person in crisis mode in another one, takes that crisis's note
    (without the answer it awaited there): the lines, the emergency number after danger and the crisis prompt
    follow the person, not the place."""
    carried = session.person_crisis
    if session.crisis.get("mode") != "crisis" and carried.get("mode") == "crisis":
        session.crisis = {**session.crisis, **{k: v for k, v in carried.items() if k != ANSWER_DUE}}


def _released_on_failure(alert: ModeratorAlert, claim: Claim) -> ModeratorAlert:
    """The alert, which gives its claim back when the adapter could not deliver it (`ModeratorAlert.failed`)."""
    return replace(alert, on_failure=claim.release) if claim.release is not None else alert


def _ended(flow: dict[str, Any]) -> dict[str, Any] | None:
    """A crisis reply ends an exercise in progress: what comes next is about the crisis, not the next step."""
    return {} if flow else None


def _paused(flow: dict[str, Any]) -> dict[str, Any] | None:
    """A direct question only pauses it: the answer to the question is not taken as the step's answer."""
    return {**flow, "paused": True} if flow else None


class CrisisStage:
    name = "crisis"

    def __init__(
        self,
        crisis: Crisis,
        context: ContextStore | None = None,
        alerts: AlertMarks | None = None,
        introduction: Introduction | None = None,
    ) -> None:
        self._crisis = crisis
        self._context = context
        self._alerts = alerts
        self._introduction = introduction

    async def run(self, turn: Turn) -> Reply | None:
        _in_light_of_the_persons_crisis(turn.session)
        turn.country = self._crisis.country_for(turn, turn.session.country)
        if turn.msg.action in (ACTION_HANDOFF, ACTION_HANDOFF_SHARE):
            return await self._handoff(turn, share=turn.msg.action == ACTION_HANDOFF_SHARE)
        if turn.msg.action or (turn.msg.edited and turn.admission.duplicate):
            # An edit read before, sent again (Discord resends a message when it is pinned or gets a preview):
            # it was answered then, and the edits stage drops it.
            return None
        assessment = self._crisis.assess(turn.text, turn)
        if not turn.text.startswith("/"):
            assessment = await self._crisis.second_opinion(turn.text, assessment)
        turn.assessment = assessment
        answer_due = expected_answer(turn)
        turn.answered_no = answer_due is True and assessment.declined
        turn.after_crisis_reply = answer_due is not None
        turn.corrected = assessment.corrected
        if assessment.level.at_least(Level.URGENT):
            reply = self._crisis.crisis_reply(turn)
            if reply.alert is not None:  # the reply says moderators know: true too when they were told already
                claim = await self._claim(turn, reply.alert, share=False)
                reply = replace(reply, alert=_released_on_failure(reply.alert, claim) if claim.send else None)
            log.info("crisis reply sent (level %s)%s", reply.level, ", moderators alerted" if reply.alert else "")
            note = {**self._crisis.note(turn), ANSWER_DUE: AFTER_REPLY}
            await self._remember(turn, note, flow=_ended(turn.session.flow), introduced=True)
            return reply
        if self._crisis.should_check_in(turn):
            note = {**self._crisis.note(turn, asked=True), ANSWER_DUE: True}
            await self._remember(turn, note, flow=_paused(turn.session.flow), introduced=True)
            return self._crisis.check_in_reply(turn)
        if self._crisis.worth_noting(turn):
            kept = turn.session.crisis.get(ANSWER_DUE) if turn.msg.edited else None  # an edit answers nothing
            await self._remember(turn, {**self._crisis.note(turn), **({ANSWER_DUE: kept} if kept else {})})
        elif answer_due:  # this message was the answer, whatever it said: the next one is not
            await self._remember(turn, {k: v for k, v in turn.session.crisis.items() if k != ANSWER_DUE})
        return None

    async def _handoff(self, turn: Turn, *, share: bool) -> Reply:
        """ "Talk to a person", "Share a summary": moderators are alerted once per conversation per crisis; a
        press after that tells the person when they were told, with the lines, and alerts no one again."""
        reply = self._crisis.handoff_reply(turn, share=share)
        if reply.alert is None:
            return reply
        claim = await self._claim(turn, reply.alert, share=share)
        if not claim.send:
            log.info("moderators were alerted already in this crisis: not again")
            return self._crisis.handoff_reply(turn, share=share, told=(claim.ago, claim.shared))
        log.info("moderators alerted at the user's request")
        return replace(reply, alert=_released_on_failure(reply.alert, claim))

    async def _claim(self, turn: Turn, alert: ModeratorAlert, *, share: bool) -> Claim:
        if self._alerts is None:
            return Claim(send=True)
        return await self._alerts.claim(turn.msg.user, turn.msg.conversation, alert.level, share=share)

    async def _remember(
        self, turn: Turn, note: dict[str, Any], flow: dict[str, Any] | None = None, *, introduced: bool = False
    ) -> None:
        """Keep the note; `flow` also ends (`{}`) or pauses an exercise in progress, on the same round trip.
        `introduced`: the reply says Hearth is an automated bot (the crisis reply, the direct question), which is
        the introduction for someone whose first words these were, so none is shown on their next message; what
        Hearth keeps, which it does not say, is then owed to their next reply that is no crisis reply."""
        flags: tuple[str, ...] = ()
        if introduced and self._introduction is not None and self._introduction.due(turn):
            self._introduction.shown(turn)
            flags = ("disclaimer", *self._introduction.owed(turn))
        if self._context is None:
            return
        person = {k: v for k, v in note.items() if k != ANSWER_DUE} if note.get("mode") == "crisis" else None
        try:
            await self._context.save(
                turn.msg.user, turn.msg.conversation, crisis=note, flow=flow, person_crisis=person, flags=flags
            )
        except (RedisError, OSError) as exc:
            log.warning("could not keep the crisis note: %s", type(exc).__name__)
        turn.session.crisis = note
        if flow is not None:
            turn.session.flow = flow

    def fallback(self, turn: Turn) -> Reply:
        return self._crisis.crisis_reply(turn)
