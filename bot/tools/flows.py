"""Step-by-step exercises (grounding, the thought record, preparing for a therapist).

One question per message; the answers so far are kept in the conversation's short-lived memory (the `flow`
key, with the context's expiry) so the exercise survives a restart or another replica, and vanish with it.
An exercise keeps the language it was started in (chosen by `Crisis.language`, like every reply): an answer
such as "the tree, my phone" says nothing of the person's language, and the steps must not switch under them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from bot.context import ContextStore
from bot.models import ACTION_STOP_EXERCISE, Action, Reply
from bot.pipeline import Turn
from bot.prompts import Messages, Prompts
from bot.tools.content import ToolBook

MAX_ANSWER = 600


class Flows:
    def __init__(
        self, tools: ToolBook, prompts: Prompts, context: ContextStore, language: Callable[[Turn], str]
    ) -> None:
        self._tools = tools
        self._prompts = prompts
        self._context = context
        self._language = language

    def starter(self, name: str) -> Callable[[Turn, str], Awaitable[Reply]]:
        """The command handler that starts exercise `name` (its argument is ignored)."""

        async def start(turn: Turn, argument: str) -> Reply:
            return await self._start(turn, name)

        return start

    async def _start(self, turn: Turn, name: str) -> Reply:
        language = self._language(turn)
        flow = self._tools(language).flows[name]
        await self._save(turn, {"tool": name, "step": 0, "answers": {}, "language": language})
        return self._ask(language, f"{flow.intro}\n\n{flow.steps[0].ask}")

    async def answer(self, turn: Turn) -> Reply | None:
        state = turn.session.flow
        kept = state.get("language")
        language = kept if isinstance(kept, str) else self._language(turn)
        content = self._tools(language)
        flow = content.flows.get(str(state.get("tool")))
        step = state.get("step")
        answers = state.get("answers")
        if flow is None or not isinstance(step, int) or not isinstance(answers, dict) or step >= len(flow.steps):
            await self._save(turn, {})
            return None
        same = {"tool": flow.name, "language": language}
        if state.get("paused"):
            # The last message was Hearth's direct question about safety: this one answers that, not the step.
            await self._save(turn, {**same, "step": step, "answers": answers})
            return self._ask(language, f"{self._said(language).say('exercise_resume')}\n\n{flow.steps[step].ask}")
        answers[flow.steps[step].key] = turn.text[:MAX_ANSWER]
        step += 1
        if step < len(flow.steps):
            await self._save(turn, {**same, "step": step, "answers": answers})
            return self._ask(language, flow.steps[step].ask)
        await self.ended(turn, flow.name, flow.summary)
        filled = {key.key: str(answers.get(key.key, "")).replace("{", "(").replace("}", ")") for key in flow.steps}
        return Reply(flow.summary.format(**filled), private=True, kind="tool", language=content.language)

    async def ended(self, turn: Turn, name: str, closing: str) -> None:
        """An exercise is over. When its closing words ask a question ("How are you feeling now?"), the next
        message is taken as the answer to it (`Turn.after_exercise`), not as the start of a new conversation."""
        await self._save(turn, {"tool": name, "done": True} if "?" in closing else {})

    async def answered(self, turn: Turn) -> None:
        """The message after an exercise's closing question: it answers that question, and only it does."""
        await self._save(turn, {})
        turn.session.flow = {}
        turn.after_exercise = True

    async def stop(self, turn: Turn) -> Reply:
        had_one = bool(turn.session.flow)
        kept = turn.session.flow.get("language")
        said = self._said(kept if isinstance(kept, str) else self._language(turn))
        await self._save(turn, {})
        text = said.say("exercise_stopped" if had_one else "exercise_none")
        return Reply(text, private=True, kind="tool", language=said.language)

    def _said(self, language: str) -> Messages:
        return self._prompts(language)

    def _ask(self, language: str, text: str) -> Reply:
        """A step, with the button that stops the exercise, in the exercise's language."""
        stop = Action(ACTION_STOP_EXERCISE, self._said(language).say("stop_exercise"))
        return Reply(text, actions=(stop,), private=True, kind="tool", language=self._said(language).language)

    async def _save(self, turn: Turn, state: dict[str, Any]) -> None:
        await self._context.save(turn.msg.user, turn.msg.conversation, flow=state)
