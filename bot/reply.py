"""The last stage: an LLM reply in the right mode, screened before anyone sees it, then remembered.

Without an LLM configured it answers honestly with what works without one. When the LLM fails it answers
with the tools and resources, and the user's turn is still kept in context.
"""

from __future__ import annotations

import logging

from redis.exceptions import RedisError

from bot.context import ContextStore, Role
from bot.crisis import Crisis
from bot.llm import ChatMessage, LLMUnavailable, ReplyService
from bot.models import ACTION_RESOURCES, Action, Level, PartialSink, Reply
from bot.pipeline import Turn
from bot.prompts import Prompts
from bot.routing import choose_mode
from bot.streaming import Throttle

log = logging.getLogger(__name__)


class ReplyStage:
    name = "reply"

    def __init__(
        self,
        prompts: Prompts,
        context: ContextStore,
        crisis: Crisis,
        llm: ReplyService | None,
        stream_interval: float,
    ) -> None:
        self._prompts = prompts
        self._context = context
        self._crisis = crisis
        self._llm = llm
        self._interval = stream_interval

    async def run(self, turn: Turn) -> Reply:
        if self._llm is None:
            await self._remember(turn, ())
            return self._reply(turn, self._prompts.say("no_llm"), kind="no_llm")
        throttle = Throttle(self._screened_sink(turn.sink), self._interval) if turn.sink else None
        try:
            completion = await self._llm.complete(self.messages_for(turn), on_text=throttle)
        except LLMUnavailable as exc:
            log.warning("LLM unavailable: %s", exc.reason)
            await self._remember(turn, (("user", turn.text),))
            return self._reply(turn, self._prompts.say("llm_down"), kind="llm_down")
        text = completion.text.strip()
        if not text or not self._crisis.screen_output(text):
            if throttle:
                throttle.close()
            log.info("an LLM reply was withheld by the output screen")
            await self._remember(turn, (("user", turn.text),))
            return self._reply(turn, self._prompts.say("screened_out"), kind="screened", streamed=False)
        if throttle:
            await throttle.flush()
        await self._remember(turn, (("user", turn.text), ("assistant", text)))
        return self._reply(turn, text, kind="llm", streamed=bool(throttle and throttle.sent_anything))

    def messages_for(self, turn: Turn) -> list[ChatMessage]:
        """System prompt and mode prompt, the recent turns, then the user's words: only ever in a user turn."""
        mode = choose_mode(turn)
        messages = [ChatMessage("system", f"{self._prompts.system}\n\n{self._prompts.modes[mode]}")]
        messages += [ChatMessage(past.role, past.text) for past in turn.session.turns]
        messages.append(ChatMessage("user", turn.text))
        return messages

    def _screened_sink(self, sink: PartialSink) -> PartialSink:
        blocked = False

        async def forward(text: str) -> None:
            # Partial text is screened too: a method detail must not flash up and be edited away later.
            nonlocal blocked
            blocked = blocked or not self._crisis.screen_output(text)
            if not blocked:
                await sink(text)

        return forward

    def _reply(self, turn: Turn, text: str, *, kind: str, streamed: bool = False) -> Reply:
        actions: tuple[Action, ...] = ()
        if turn.assessment.level.at_least(Level.CONCERN) or kind != "llm":
            actions = (Action(ACTION_RESOURCES, "Show crisis lines"),)
        if turn.notices:
            text = "\n\n".join((*turn.notices, text))
            streamed = False
        return Reply(text, actions=actions, level=turn.assessment.level, kind=kind, streamed=streamed)

    async def _remember(self, turn: Turn, turns: tuple[tuple[Role, str], ...]) -> None:
        flags = ("disclaimer",) if turn.notices else ()
        if not turns and not flags:
            return
        try:
            await self._context.save(turn.msg.user, turn.msg.conversation, turns=turns, flags=flags)
        except (RedisError, OSError) as exc:
            log.warning("could not save context: %s", type(exc).__name__)
