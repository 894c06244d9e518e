"""Opt-in mood check-ins: nothing is recorded unless someone checks in, and check-ins expire on their own.

What /checkin says comes from `prompts/tools/<language>/checkin.yaml`, in the language `Crisis.language` chooses
for the turn, like every reply. "/checkin history" and the numbers 1 to 5 are what people type in every language.
"""

from __future__ import annotations

from bot.context import ContextStore
from bot.crisis import Crisis
from bot.models import ACTION_RESOURCES, Action, Reply
from bot.pipeline import Turn
from bot.prompts import Prompts
from bot.tools.content import CheckinContent, ToolBook

BARS = " ▁▂▃▄▅▆▇█"


def chart(scores: list[int]) -> str:
    """A one-line text chart of scores 1–5, oldest first (renders everywhere, no image needed)."""
    return "".join(BARS[min(8, max(1, score * 2 - 2 + 1))] for score in scores)


class CheckIns:
    def __init__(self, context: ContextStore, tools: ToolBook, prompts: Prompts, crisis: Crisis) -> None:
        self._context = context
        self._tools = tools
        self._prompts = prompts
        self._crisis = crisis

    async def handle(self, turn: Turn, argument: str) -> Reply:
        language = self._crisis.language(turn)
        said = self._tools(language).checkin
        first, _, note = argument.partition(" ")
        if first in {"1", "2", "3", "4", "5"}:
            return await self._record(turn, language, said, int(first), note.strip())
        if first.lower() == "history":
            return await self._history(turn, language, said)
        # A mood given that isn't 1 to 5 (`/checkin 9`, `/checkin abc`) is not silently ignored.
        wrong = f"{said.wrong}\n" if first else ""
        kept = self._prompts(language).duration(self._context.checkin_ttl)
        return self._reply(language, wrong + said.ask.format(time=kept))

    async def _record(self, turn: Turn, language: str, said: CheckinContent, score: int, note: str) -> Reply:
        await self._context.add_checkin(turn.msg.user, score, note[:200])
        scores = [entry[0] for entry in await self._context.checkins(turn.msg.user)]
        text = said.thanks.format(label=said.labels[score - 1], score=score, chart=chart(scores))
        actions: tuple[Action, ...] = ()
        if score == 1:
            text += f"\n{said.lowest}"
            actions = (Action(ACTION_RESOURCES, self._crisis.phrasebook(language).label("show_lines")),)
        return self._reply(language, text, actions)

    async def _history(self, turn: Turn, language: str, said: CheckinContent) -> Reply:
        entries = await self._context.checkins(turn.msg.user)
        if not entries:
            return self._reply(language, said.none)
        scores = [score for score, _, _ in entries]
        if len(scores) == 1:
            return self._reply(language, said.last_one.format(chart=chart(scores), score=scores[0]))
        average = f"{sum(scores) / len(scores):.1f}".replace(".", said.decimal)
        return self._reply(language, said.last_many.format(n=len(scores), chart=chart(scores), average=average))

    def _reply(self, language: str, text: str, actions: tuple[Action, ...] = ()) -> Reply:
        return Reply(text, actions=actions, private=True, kind="checkin", language=language)
