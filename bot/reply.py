"""The last stage: an LLM reply in the right mode, screened before anyone sees it, then remembered.

Without an LLM configured it answers honestly with what works without one. When the LLM fails, or every LLM
slot of this process stays taken (`LLM_MAX_CONCURRENCY`, `LLM_QUEUE_SIZE`, `LLM_QUEUE_WAIT`), it answers with
the tools and resources, and the user's turn is still kept in context.

Remembering the turn is the message's second and last Redis round trip: the release of the conversation lock
rides inside the save script, and the real token usage the API reported goes beside it (bot/gatekeeper.py).
"""

from __future__ import annotations

import logging
from dataclasses import replace

from redis.exceptions import RedisError

from bot.concurrency import Busy, ConcurrencyGate
from bot.context import ContextStore, Role
from bot.crisis import Crisis
from bot.crisis.screen import finished_sentences
from bot.gatekeeper import Gatekeeper
from bot.llm import ChatMessage, LLMUnavailable, ReplyService
from bot.models import Action, PartialSink, Reply
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
        gate: ConcurrencyGate | None = None,
        gatekeeper: Gatekeeper | None = None,
    ) -> None:
        self._prompts = prompts
        self._context = context
        self._crisis = crisis
        self._llm = llm
        self._interval = stream_interval
        self._gate = gate or ConcurrencyGate(limit=8, queue_size=32, queue_wait=10.0)
        self._gatekeeper = gatekeeper

    async def run(self, turn: Turn) -> Reply:
        if self._llm is None:
            await self._remember(turn, ())
            # Not the generic notice, nor the lines first again, to someone who just said they are ok or that the
            # crisis reply misread them: the thanks says the lines stay one tap away, and the button keeps them so.
            if turn.answered_no or turn.corrected:
                texts = self._crisis.texts_for(turn)
                text = f"{self._crisis.thanks_for_answer(turn, texts)}\n\n{texts.say('safety_no_offer')}"
                return replace(self._reply(turn, text, kind="no_llm"), language=texts.language)
            # In the person's language: in crisis mode it follows their crisis lines.
            text = self._crisis.texts_for(turn).say("no_llm_after_exercise" if turn.after_exercise else "no_llm")
            return self._instead(turn, text, kind="no_llm")
        throttle = Throttle(self._screened_sink(turn.sink), self._interval) if turn.sink else None
        try:
            async with self._gate.slot():
                completion = await self._llm.complete(self.messages_for(turn), on_text=throttle)
        except Busy:
            log.warning("LLM busy: no slot came free in time")
            await self._remember(turn, (("user", turn.text),))
            return self._instead(turn, self._crisis.texts_for(turn).say("llm_busy"), kind="busy")
        except LLMUnavailable as exc:
            log.warning("LLM unavailable: %s", exc.reason)
            await self._remember(turn, (("user", turn.text),))
            return self._instead(turn, self._llm_down(turn), kind="llm_down")
        text = completion.text.strip()
        if not text or not self._crisis.screen_output(text):
            if throttle:
                throttle.close()
            await self._remember(turn, (("user", turn.text),), completion.total_tokens)
            if not text:  # nothing was written, so nothing was held back: say so, not "I shouldn't send it"
                log.warning("the LLM sent an empty reply")
                return self._instead(turn, self._llm_down(turn), kind="llm_down")
            log.info("an LLM reply was withheld by the output screen")
            # A promise of secrecy is not medical or method information: say what was really held back.
            key = "screened_secrecy" if self._crisis.screen.reason(text) == "secrecy" else "screened_out"
            said = self._prompts(self._crisis.language(turn))
            return replace(self._instead(turn, said.say(key), kind="screened"), language=said.language)
        if throttle:
            await throttle.flush()
        await self._remember(turn, (("user", turn.text), ("assistant", text)), completion.total_tokens)
        return self._reply(turn, text, kind="llm", streamed=bool(throttle and throttle.sent_anything))

    def messages_for(self, turn: Turn) -> list[ChatMessage]:
        """System prompt and mode prompt, the recent turns, then the user's words: only ever in a user turn."""
        mode = choose_mode(turn)
        messages = [ChatMessage("system", f"{self._prompts.system}\n\n{self._prompts.modes[mode]}")]
        messages += [ChatMessage(past.role, past.text) for past in turn.session.turns]
        messages.append(ChatMessage("user", turn.text))
        return messages

    def _llm_down(self, turn: Turn) -> str:
        return self._crisis.texts_for(turn).say("llm_down")

    def _screened_sink(self, sink: PartialSink) -> PartialSink:
        blocked = False

        async def forward(text: str) -> None:
            # Partial text is screened too: a method detail must not flash up and be edited away later. The
            # sentence still being written is held back, since the words that make it one may not have arrived
            # yet ("...the bridge is about 67" becomes a height for a fall only with "meters", "sleeping pills
            # and alcohol" a method only with "together"): the screen reads a sentence as a whole, so one shown
            # finished can no longer turn out to be a method. The whole reply, once screened, shows the rest.
            nonlocal blocked
            blocked = blocked or not self._crisis.screen_output(text)
            settled = finished_sentences(text)
            if not blocked and settled:
                await sink(settled)

        return forward

    def _instead(self, turn: Turn, text: str, *, kind: str) -> Reply:
        """A reply Hearth gives instead of the LLM's (none configured, busy, failing, empty, withheld): in crisis
        mode it starts with the crisis lines (`Crisis.lines_first`), whichever way the LLM let the person down."""
        return self._reply(turn, self._crisis.lines_first(turn, text), kind=kind)

    def _reply(self, turn: Turn, text: str, *, kind: str, streamed: bool = False) -> Reply:
        actions: tuple[Action, ...] = ()
        # Any reply not in the plain listening mode (a concern, the rest of a conversation where distress or a
        # crisis was seen) keeps the crisis lines one press away, not only the crisis reply itself.
        if kind != "llm" or choose_mode(turn) != "listen":
            actions = self._crisis.nearby_actions(turn)
        if turn.notices:
            text = "\n\n".join((*turn.notices, text))
            streamed = False
        return Reply(text, actions=actions, level=turn.assessment.level, kind=kind, streamed=streamed)

    async def _remember(self, turn: Turn, turns: tuple[tuple[Role, str], ...], tokens: int = 0) -> None:
        flags = ("disclaimer",) if turn.notices else ()
        gatekeeper = self._gatekeeper
        spend = release = None
        settling = gatekeeper is not None and turn.admission.checked
        if gatekeeper is not None and settling:
            spend, release = gatekeeper.settling(turn, tokens)
        if not turns and not flags and not settling:
            return
        try:
            results = await self._context.save(
                turn.msg.user, turn.msg.conversation, turns=turns, flags=flags, also=spend, release=release
            )
        except (RedisError, OSError) as exc:
            log.warning("could not save context: %s", type(exc).__name__)
            turn.admission.released = False  # the pipeline's cleanup tries the lock again
            return
        if gatekeeper is not None and settling:
            try:
                await gatekeeper.recover(turn, tokens, results)
            except (RedisError, OSError) as exc:
                log.warning("could not count the tokens: %s", type(exc).__name__)
