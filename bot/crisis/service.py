"""The crisis package's face to the rest of the core (placeholder until the detector issue lands)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.config import Settings
from bot.models import (
    ACTION_HANDOFF,
    ACTION_RESOURCES,
    Action,
    ActionStyle,
    Assessment,
    Category,
    Level,
    Reply,
)
from bot.pipeline import Turn

_DIRECT = re.compile(r"\b(kill myself|suicide|want to die|end my life|kms)\b", re.IGNORECASE)

FALLBACK_LINES = (
    "If you are in danger right now, call your local emergency number.\n"
    "Find a free, confidential helpline in your country: https://findahelpline.com"
)


@dataclass(frozen=True)
class Crisis:
    default_country: str | None

    def assess(self, text: str, turn: Turn) -> Assessment:
        if _DIRECT.search(text):
            return Assessment(Level.URGENT, frozenset({Category.SUICIDE}))
        return Assessment()

    def resources_reply(self, country: str | None) -> Reply:
        return Reply(FALLBACK_LINES, private=True, kind="resources")

    def crisis_reply(self, turn: Turn) -> Reply:
        text = (
            "I'm really glad you told me. I'm Hearth, an automated bot, not a person, and I can't keep you safe "
            "on my own, but people can help right now.\n\n" + FALLBACK_LINES
        )
        actions = (
            Action(ACTION_HANDOFF, "Talk to a person", ActionStyle.PRIMARY),
            Action(ACTION_RESOURCES, "Show crisis lines"),
        )
        return Reply(text, actions=actions, private=True, level=turn.assessment.level, kind="crisis")

    def screen_output(self, text: str) -> bool:
        """True when an LLM reply is safe to send."""
        return True


def build_crisis(settings: Settings) -> Crisis:
    return Crisis(settings.crisis.default_country)
