"""What a person would see in a Slack payload Hearth sent: its section text and its buttons."""

from __future__ import annotations

from typing import Any

from bot.bootstrap import App
from bot.models import Assessment, Category, IncomingMessage, Level, Platform
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


def core_crisis_text(app: App, country: str | None) -> str:
    """The core's own crisis reply for `country`, escaped as Slack shows it: what the adapter must deliver."""
    from adapters.slack.blocks import mrkdwn

    msg = IncomingMessage(platform=Platform.SLACK, tenant="t", conversation="c", user="u", text="x")
    turn = Turn(msg=msg, text="x", country=country, assessment=Assessment(Level.URGENT, frozenset({Category.SUICIDE})))
    return mrkdwn(app.crisis.crisis_reply(turn).text)
