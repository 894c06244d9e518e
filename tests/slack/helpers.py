"""What a person would see in a Slack payload Hearth sent: its section text and its buttons."""

from __future__ import annotations

from typing import Any

from bot.bootstrap import App
from bot.models import IncomingMessage, Platform
from bot.pipeline import Turn


def text_of(call: dict[str, Any]) -> str:
    return "\n".join(block["text"]["text"] for block in call.get("blocks", []) if block["type"] == "section")


async def streamed_to(slack: Any, ending: str) -> dict[str, Any]:
    """The last edit of a streamed reply, once an edit shows `ending`. A streamed reply is edited in place as it
    grows; on a busy machine the first edit seen can be a middle one, so waiting for "an edit" is not enough."""
    await slack.wait_for(lambda: any(ending in text_of(call) for call in slack.called("chat.update")))
    last: dict[str, Any] = slack.called("chat.update")[-1]
    return last


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
