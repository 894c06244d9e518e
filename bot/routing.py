"""Picks the conversation mode, and so the mode prompt, for an LLM reply.

`crisis` while the conversation is in crisis mode (set by the crisis stage after an urgent message, with an
expiry), `declined` for a "no" to the direct safety question Hearth just asked (the LLM never saw that
question), `careful` for a message of concern and for the rest of a conversation where distress was seen
(the crisis note's `watch` mode, with the note's expiry), `listen` otherwise. The tools add their own modes
as they land.
"""

from __future__ import annotations

from typing import Literal

from bot.models import Level
from bot.pipeline import Turn

Mode = Literal["listen", "careful", "crisis", "declined"]


def choose_mode(turn: Turn) -> Mode:
    if turn.session.crisis.get("mode") == "crisis":
        return "crisis"
    if turn.answered_no:
        return "declined"
    if turn.assessment.level.at_least(Level.CONCERN) or turn.session.crisis.get("mode") == "watch":
        return "careful"
    return "listen"
