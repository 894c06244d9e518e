"""Input validation: make any text safe to handle, answer empty messages, and hold back over-long ones.

Over-long messages are screened for crisis first and only then answered with the limit message
(`LengthStage` stands after the crisis stage): a crisis must not go unanswered because it was long.
"""

from __future__ import annotations

import re
import unicodedata

from bot.crisis import Crisis
from bot.introduction import Introduction
from bot.models import Reply
from bot.pipeline import Turn
from bot.prompts import Prompts

# Control characters except tab and newline; lone surrogates; bidi overrides and isolates; zero-width
# and other invisible characters.
_UNSAFE = re.compile(
    r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\u202a-\u202e\u2066-\u2069\u200b-\u200f\u2060\ufeff\u00ad\u061c]"
)
# The crisis detector never needs more than this; a longer text is screened in full up to this bound.
SCREEN_LIMIT = 20_000


def clean(text: str) -> str:
    """Text with control, surrogate and direction-override characters removed, NFC-normalised, trimmed."""
    if len(text) > SCREEN_LIMIT * 2:
        text = text[: SCREEN_LIMIT * 2]
    text = _UNSAFE.sub("", text)
    return unicodedata.normalize("NFC", text).strip()


class ValidateStage:
    name = "validate"

    def __init__(self, prompts: Prompts, crisis: Crisis, max_chars: int) -> None:
        self._prompts = prompts
        self._crisis = crisis
        self._max_chars = max_chars

    async def run(self, turn: Turn) -> Reply | None:
        turn.text = clean(turn.msg.text)
        if turn.msg.action:
            return None
        if not turn.text:
            said = self._prompts(self._crisis.language(turn))  # nothing to read: the kept language, or the locale
            return Reply(said.say("empty"), language=said.language)
        if len(turn.text) > self._max_chars:
            turn.over_length = True
            turn.text = turn.text[:SCREEN_LIMIT]
        return None


class LengthStage:
    name = "length"

    def __init__(
        self, prompts: Prompts, crisis: Crisis, max_chars: int, introduction: Introduction | None = None
    ) -> None:
        self._prompts = prompts
        self._crisis = crisis
        self._max_chars = max_chars
        self._introduction = introduction

    async def run(self, turn: Turn) -> Reply | None:
        if not turn.over_length:
            return None
        said = self._prompts(self._crisis.language(turn))
        reply = Reply(said.say("too_long", limit=f"{self._max_chars:,}"), language=said.language)
        # A first message that is too long is still first contact: the person is told what Hearth is now.
        return reply if self._introduction is None else await self._introduction.before(turn, reply)
