"""Opt-in mood check-ins: nothing is recorded unless someone checks in, and check-ins expire on their own."""

from __future__ import annotations

from bot.context import ContextStore
from bot.models import ACTION_RESOURCES, Action, Reply
from bot.pipeline import Turn

BARS = " ▁▂▃▄▅▆▇█"
LABELS = {1: "very low", 2: "low", 3: "okay", 4: "good", 5: "very good"}


def chart(scores: list[int]) -> str:
    """A one-line text chart of scores 1–5, oldest first (renders everywhere, no image needed)."""
    return "".join(BARS[min(8, max(1, score * 2 - 2 + 1))] for score in scores)


class CheckIns:
    def __init__(self, context: ContextStore) -> None:
        self._context = context

    async def handle(self, turn: Turn, argument: str) -> Reply:
        first, _, note = argument.partition(" ")
        if first in {"1", "2", "3", "4", "5"}:
            return await self._record(turn, int(first), note.strip())
        if first.lower() == "history":
            return await self._history(turn)
        days = round(self._context.checkin_ttl / 86400)
        # A mood given that isn't 1 to 5 (`/checkin 9`, `/checkin abc`) is not silently ignored.
        wrong = "I can only record a whole number from 1 to 5, so I haven't saved that one.\n" if first else ""
        text = wrong + (
            "How are you feeling right now, from 1 (very low) to 5 (very good)?\n"
            "Reply with /checkin and a number, and a note if you like: `/checkin 3 tired but okay`.\n"
            f"Check-ins are opt-in and kept for {days} days, so you can see how things change. "
            "/checkin history shows them; /forget erases them."
        )
        return Reply(text, private=True, kind="checkin")

    async def _record(self, turn: Turn, score: int, note: str) -> Reply:
        await self._context.add_checkin(turn.msg.user, score, note[:200])
        scores = [entry[0] for entry in await self._context.checkins(turn.msg.user)]
        text = f"Thanks for checking in: {LABELS[score]} ({score}/5).\nYour recent check-ins: {chart(scores)}"
        actions: tuple[Action, ...] = ()
        if score == 1:
            text += (
                "\nI'm sorry it's so hard right now. Would talking to someone help? /resources shows who you can reach."
            )
            actions = (Action(ACTION_RESOURCES, "Show crisis lines"),)
        return Reply(text, actions=actions, private=True, kind="checkin")

    async def _history(self, turn: Turn) -> Reply:
        entries = await self._context.checkins(turn.msg.user)
        if not entries:
            return Reply("You have no check-ins yet. /checkin starts one.", private=True, kind="checkin")
        scores = [score for score, _, _ in entries]
        average = sum(scores) / len(scores)
        if len(scores) == 1:
            text = f"Your last check-in: {chart(scores)} ({scores[0]}/5)"
        else:
            text = f"Your last {len(scores)} check-ins, oldest first: {chart(scores)} (average {average:.1f}/5)"
        return Reply(text, private=True, kind="checkin")
