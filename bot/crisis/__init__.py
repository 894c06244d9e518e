"""Crisis interception: normalise → detect → respond. Needs no Redis and no LLM to answer a crisis."""

from bot.crisis.service import Crisis, build_crisis

__all__ = ["Crisis", "build_crisis"]
