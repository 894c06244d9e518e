"""An ordered chain of small async stages. The first stage that answers stops the rest.

The order is the safety argument (DESIGN.md, "One message, end to end"): validation, then crisis
interception before anything that can be limited or can call an LLM. A stage that fails is logged (never
with the message text) and answered with a calm reply; a failure in a stage marked `fail_closed` is answered
by that stage's own safe fallback instead, which is how the crisis path fails closed.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Protocol

from bot.admission import Admission
from bot.context import Session
from bot.models import ACTION_RESOURCES, Action, Assessment, IncomingMessage, PartialSink, Reply

log = logging.getLogger(__name__)

# The last resort when even the person's language cannot be chosen; the composition root gives the pipeline a
# `sorry` that says this in the person's language (prompts/messages/<language>.yaml, `sorry`).
SORRY = (
    "Sorry, something went wrong on my side and I couldn't answer that. Please try again in a moment. "
    "If you need someone right now, the button below shows crisis lines."
)


@dataclass
class Turn:
    """Everything the stages learn about one message while it passes through the pipeline."""

    msg: IncomingMessage
    text: str
    sink: PartialSink | None = None
    session: Session = field(default_factory=Session.empty)
    assessment: Assessment = field(default_factory=Assessment.none)
    over_length: bool = False
    notices: list[str] = field(default_factory=list)
    country: str | None = None
    # The message answers no to the direct safety question Hearth asked in its last reply (not merely a "no"
    # some time after it): answered warmly, and the LLM is told what the "no" answers.
    answered_no: bool = False
    # The message, right after a crisis reply, says the reply misread it ("lol no, I meant the game"): thanked
    # plainly, while the conversation stays in crisis mode.
    corrected: bool = False
    # The message answers the question an exercise ended with ("How are you feeling now?").
    after_exercise: bool = False
    # The message is the next one after a crisis reply or Hearth's direct safety question, so it answers that: an
    # "ok" or a "yes" here is not an answer to the consent question (bot/consent.py).
    after_crisis_reply: bool = False
    admission: Admission = field(default_factory=Admission)
    # Run once the reply is decided, whichever stage gave it (e.g. give back a rate-limit slot and the
    # conversation lock when no LLM call was made). A failing one is logged, never shown.
    cleanups: list[Callable[[], Awaitable[None]]] = field(default_factory=list)


class Stage(Protocol):
    name: str

    async def run(self, turn: Turn) -> Reply | None:
        """Answer the message, or return None to let the next stage try."""
        ...


class FailClosed(Protocol):
    def fallback(self, turn: Turn) -> Reply:
        """The reply to give when `run` raised: must need nothing that can fail (no Redis, no network)."""
        ...


def plain_sorry(turn: Turn) -> Reply:
    """The calm reply when a stage fails, in English. It never holds the exception's text."""
    return Reply(SORRY, actions=(Action(ACTION_RESOURCES, "Show crisis lines"),))


Finish = Callable[[Turn, Reply], Awaitable[Reply]]


class Pipeline:
    def __init__(
        self, stages: Sequence[Stage], sorry: Callable[[Turn], Reply] = plain_sorry, finish: Finish | None = None
    ) -> None:
        """`sorry` words the reply to a failed stage for the turn (its language); it is given no exception, so
        it cannot show one, and must need nothing that can fail (no Redis, no network). `finish` sees the reply
        whichever stage gave it (`Introduction.after`); when it fails, the reply goes as it was."""
        self._stages = tuple(stages)
        self._sorry = sorry
        self._finish = finish
        self._in_flight = 0
        self._idle = asyncio.Event()
        self._idle.set()
        # Whether the running task is already counted as in flight; one per pipeline, not a global.
        self._counted = ContextVar(f"pipeline-{id(self)}-counted", default=False)

    @property
    def stage_names(self) -> tuple[str, ...]:
        return tuple(stage.name for stage in self._stages)

    @property
    def in_flight(self) -> int:
        """Messages being handled or delivered now."""
        return self._in_flight

    @contextmanager
    def delivering(self) -> Iterator[None]:
        """Count the block as a message in flight. `handle()` counts itself; an adapter wraps `handle()` and
        the sending of its reply in this, so that `drained()` also waits for the reply to reach the person.
        Nested blocks (`handle()` inside an adapter's) count once."""
        if self._counted.get():
            yield
            return
        token = self._counted.set(True)
        self._in_flight += 1
        self._idle.clear()
        try:
            yield
        finally:
            self._counted.reset(token)
            self._in_flight -= 1
            if not self._in_flight:
                self._idle.set()

    async def handle(self, msg: IncomingMessage, sink: PartialSink | None = None) -> Reply:
        turn = Turn(msg=msg, text=msg.text, sink=sink)
        with self.delivering():
            try:
                return await self._run(turn)
            finally:
                for cleanup in turn.cleanups:
                    try:
                        await cleanup()
                    except Exception as exc:
                        log.error("cleanup after a message failed: %s", type(exc).__name__)

    async def drained(self, timeout: float) -> bool:
        """Wait until no message is being handled or delivered (for shutting down without cutting a reply, or
        a session save, in half); False if some still were after `timeout` seconds."""
        try:
            await asyncio.wait_for(self._idle.wait(), timeout)
        except TimeoutError:
            return False
        return True

    async def _run(self, turn: Turn) -> Reply:
        for stage in self._stages:
            try:
                reply = await stage.run(turn)
            except Exception as exc:
                log.error("stage %s failed: %s", stage.name, type(exc).__name__)
                fallback = getattr(stage, "fallback", None)
                if fallback is not None:
                    return fallback(turn)  # type: ignore[no-any-return]
                return self._sorry_for(turn)
            if reply is not None:
                return await self._finished(turn, reply)
        return self._sorry_for(turn)

    async def _finished(self, turn: Turn, reply: Reply) -> Reply:
        if self._finish is None:
            return reply
        try:
            return await self._finish(turn, reply)
        except Exception as exc:
            log.error("finishing a reply failed: %s", type(exc).__name__)
            return reply

    def _sorry_for(self, turn: Turn) -> Reply:
        try:
            return self._sorry(turn)
        except Exception as exc:
            log.error("the sorry reply failed: %s", type(exc).__name__)
            return plain_sorry(turn)
