"""Who writes to Hearth in the Discord tests, and small checks on what the bot sent."""

from __future__ import annotations

from tests.fakes.discord_server import Call
from tests.fakes.openai_server import Script

ALICE = 600_000_000_000_000_001
BOB = 600_000_000_000_000_002
LLM_TEXT = Script().text  # what the LLM stand-in answers unless scripted otherwise
LONG_TEXT = "I hear you. That sounds like a heavy day, and it makes sense that you feel worn out by it."
CRISIS_TEXT = "i want to kill myself"


def no_pings(call: Call) -> bool:
    mentions = call.allowed_mentions
    return mentions is not None and mentions.get("parse") == [] and not mentions.get("roles")


def ephemeral(call: Call) -> bool:
    return bool(call.flags & 64)
