"""What a person would see in a Slack payload Hearth sent: its section text and its buttons."""

from __future__ import annotations

from typing import Any

from bot.bootstrap import App
from bot.models import IncomingMessage, Platform
from bot.pipeline import Turn


def text_of(call: dict[str, Any]) -> str:
    return "\n".join(block["text"]["text"] for block in call.get("blocks", []) if block["type"] == "section")


def action_ids(call: dict[str, Any]) -> list[str]:
    return [
        element["action_id"]
        for block in call.get("blocks", [])
        if block["type"] == "actions"
        for element in block["elements"]
    ]


def core_crisis_text(app: App, country: str | None, text: str = "I want to kill myself tonight") -> str:
    """The core's own crisis reply to `text` for `country`, escaped as Slack shows it: what the adapter must
    deliver. The level comes from the real detector, so an imminent message expects the emergency number first."""
    from adapters.slack.blocks import mrkdwn

    msg = IncomingMessage(platform=Platform.SLACK, tenant="t", conversation="c", user="u", text=text)
    turn = Turn(msg=msg, text=text, country=country)
    turn.assessment = app.crisis.assess(text, turn)
    return mrkdwn(app.crisis.crisis_reply(turn).text)
