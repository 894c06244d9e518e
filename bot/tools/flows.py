"""Step-by-step exercises (grounding, the thought record, preparing for a therapist).

One question per message; the answers so far are kept in the conversation's short-lived memory (the `flow`
key, with the context's expiry) so the exercise survives a restart or another replica, and vanish with it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from bot.context import ContextStore
from bot.models import ACTION_STOP_EXERCISE, Action, Reply
from bot.pipeline import Turn
from bot.tools.content import FlowContent

STOP = Action(ACTION_STOP_EXERCISE, "Stop this exercise")
MAX_ANSWER = 600
RESUME = "Thank you for telling me. If you'd like to carry on with the exercise, here's where we were (or /stop):"


class Flows:
    def __init__(self, flows: dict[str, FlowContent], context: ContextStore) -> None:
        self._flows = flows
        self._context = context

    def starter(self, name: str) -> Callable[[Turn, str], Awaitable[Reply]]:
        """The command handler that starts exercise `name` (its argument is ignored)."""

        async def start(turn: Turn, argument: str) -> Reply:
            return await self._start(turn, name)

        return start

    async def _start(self, turn: Turn, name: str) -> Reply:
        flow = self._flows[name]
        await self._save(turn, {"tool": name, "step": 0, "answers": {}})
        return Reply(f"{flow.intro}\n\n{flow.steps[0].ask}", actions=(STOP,), private=True, kind="tool")

    async def answer(self, turn: Turn) -> Reply | None:
        state = turn.session.flow
        flow = self._flows.get(str(state.get("tool")))
        step = state.get("step")
        answers = state.get("answers")
        if flow is None or not isinstance(step, int) or not isinstance(answers, dict) or step >= len(flow.steps):
            await self._save(turn, {})
            return None
        if state.get("paused"):
            # The last message was Hearth's direct question about safety: this one answers that, not the step.
            await self._save(turn, {"tool": flow.name, "step": step, "answers": answers})
            return Reply(f"{RESUME}\n\n{flow.steps[step].ask}", actions=(STOP,), private=True, kind="tool")
        answers[flow.steps[step].key] = turn.text[:MAX_ANSWER]
        step += 1
        if step < len(flow.steps):
            await self._save(turn, {"tool": flow.name, "step": step, "answers": answers})
            return Reply(flow.steps[step].ask, actions=(STOP,), private=True, kind="tool")
        await self.ended(turn, flow.name, flow.summary)
        filled = {key.key: str(answers.get(key.key, "")).replace("{", "(").replace("}", ")") for key in flow.steps}
        return Reply(flow.summary.format(**filled), private=True, kind="tool")

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
        await self._save(turn, {})
        text = "Okay, we've stopped. Nothing from it is kept." if had_one else "There's no exercise running."
        return Reply(f"{text} I'm here if you want to talk, or try /help.", private=True, kind="tool")

    async def _save(self, turn: Turn, state: dict[str, Any]) -> None:
        await self._context.save(turn.msg.user, turn.msg.conversation, flow=state)
