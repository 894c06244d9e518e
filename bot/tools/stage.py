"""The tools that work with no LLM at all: breathing, grounding, journaling prompts, a CBT thought record,
preparing for a therapist, psychoeducation cards and opt-in mood check-ins.

It stands after the crisis stage, so a crisis written in the middle of an exercise is still answered as one.
Exercise answers live only in the conversation's short-lived memory and are erased by /forget.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Awaitable, Callable

from redis.exceptions import RedisError

from bot.commands import parse_command
from bot.context import ContextStore
from bot.crisis import Crisis
from bot.introduction import Introduction
from bot.models import ACTION_RESOURCES, ACTION_STOP_EXERCISE, Action, Reply
from bot.pipeline import Turn
from bot.prompts import Prompts
from bot.tools.checkin import CheckIns
from bot.tools.content import ToolBook, ToolContent
from bot.tools.flows import Flows

log = logging.getLogger(__name__)

Handler = Callable[[Turn, str], Awaitable[Reply]]

_STOP_WORDS = frozenset({"stop", "cancel", "quit", "exit", "stop it", "stop please", "please stop", "stop this"})


class ToolStage:
    name = "tools"

    def __init__(
        self,
        tools: ToolBook,
        prompts: Prompts,
        crisis: Crisis,
        context: ContextStore,
        introduction: Introduction | None = None,
    ) -> None:
        self._tools = tools
        self._prompts = prompts
        self._crisis = crisis
        self._context = context
        self._introduction = introduction
        self._flows = Flows(tools, prompts, context, crisis.language)
        self._checkins = CheckIns(context, tools, prompts, crisis)
        self._commands: dict[str, Handler] = {
            "breathe": self._breathe,
            **{name: self._flows.starter(name) for name in tools().flows},
            "journal": self._journal,
            "learn": self._learn,
            "checkin": self._checkins.handle,
            "stop": self._stop,
        }

    async def run(self, turn: Turn) -> Reply | None:
        try:
            return await self._run(turn)
        except (RedisError, OSError) as exc:
            # An exercise's step, a check-in or /stop needs the short-term memory: say that, not "something went
            # wrong", and what still works.
            log.warning("a tool could not reach its memory: %s", type(exc).__name__)
            said = self._prompts(self._crisis.language(turn))
            return Reply(said.say("storage_down"), private=True, kind="storage_down", language=said.language)

    async def _run(self, turn: Turn) -> Reply | None:
        if turn.msg.action == ACTION_STOP_EXERCISE:
            return await self._stop(turn)
        if turn.msg.action:
            return None
        if turn.text.startswith("/"):
            name, argument = parse_command(turn.text)
            handler = self._commands.get(name)
            if handler is None:
                return None
            return await self._introduced(turn, await handler(turn, argument))
        if turn.session.flow.get("done"):
            await self._flows.answered(turn)
            return None
        if turn.session.flow:
            if " ".join(turn.text.lower().strip(" .!").split()) in _STOP_WORDS:
                return await self._stop(turn)  # "stop" typed without the slash is not an answer to the step
            return await self._flows.answer(turn)
        return None

    async def _introduced(self, turn: Turn, reply: Reply) -> Reply:
        """Someone whose first message is a tool still sees, once, that Hearth is an automated bot."""
        return reply if self._introduction is None else await self._introduction.before(turn, reply)

    def _content(self, turn: Turn) -> ToolContent:
        """The tools in the language `Crisis.language` chooses for this turn, as every reply is."""
        return self._tools(self._crisis.language(turn))

    async def _breathe(self, turn: Turn, argument: str) -> Reply:
        content = self._content(turn)
        exercises = content.breathing
        wanted = argument.lower().strip(" .!?")
        key = wanted if wanted in exercises else next(iter(exercises))
        name, steps = exercises[key]
        others = ", ".join(f"/breathe {other}" for other in exercises if other != key)
        lines = [content.breathing_intro]
        if wanted and wanted != key:  # "/breathe foo" is not silently box breathing
            lines.insert(0, f"{content.breathing_unknown} {', '.join(f'/breathe {k}' for k in exercises)}.\n")
        lines += ["", f"**{name}**", *(f"{n}. {s}" for n, s in enumerate(steps, 1))]
        lines += ["", content.breathing_outro, content.breathing_others.format(others=others)] if others else []
        if not turn.session.flow or turn.session.flow.get("done"):  # an exercise in progress is left alone
            try:  # only so the next message is read as the answer to "how do you feel now?"
                await self._flows.ended(turn, "breathe", content.breathing_outro)
            except (RedisError, OSError) as exc:
                log.warning("could not note the breathing exercise: %s", type(exc).__name__)
        return Reply("\n".join(lines), kind="tool", language=content.language)

    async def _journal(self, turn: Turn, argument: str) -> Reply:
        content = self._content(turn)
        prompt = secrets.choice(content.journal)
        text = f"{content.journal_intro}\n\n> {prompt}\n\n{content.journal_outro}"
        return Reply(text, kind="tool", language=content.language)

    async def _learn(self, turn: Turn, argument: str) -> Reply:
        content = self._content(turn)
        cards = content.cards
        topic = "-".join(argument.lower().strip(" ?!.,").split())
        if topic in cards:
            title, text = cards[topic]
            show_lines = Action(ACTION_RESOURCES, self._crisis.phrasebook(content.language).label("show_lines"))
            return Reply(f"**{title}**\n{text}", actions=(show_lines,), kind="tool", language=content.language)
        topics = "\n".join(f"• /learn {key}: {title}" for key, (title, _) in cards.items())
        missing = f"{content.learn_missing} " if topic else ""
        return Reply(f"{missing}{content.learn_intro}\n{topics}", kind="tool", language=content.language)

    async def _stop(self, turn: Turn, argument: str = "") -> Reply:
        return await self._flows.stop(turn)
