"""What a person would see in a Slack payload Hearth sent: its section text and its buttons."""

from __future__ import annotations

from typing import Any

from bot.bootstrap import App
from bot.models import IncomingMessage, Platform
from bot.pipeline import Turn


def text_of(call: dict[str, Any]) -> str:
    return "\n".join(block["text"]["text"] for block in call.get("blocks", []) if block["type"] == "section")


async def streamed_to(slack: Any, ending: str) -> dict[str, Any]:
    """The reply as it finally shows, once it shows `ending`: the last edit of a streamed reply, which is edited in
    place as it grows (on a busy machine the first edit seen can be a middle one, so waiting for "an edit" is not
    enough), or the message itself where nothing was shown before it was complete. Only finished sentences
    stream, so a reply of one sentence is posted whole."""

    def shown() -> dict[str, Any] | None:
        edits = slack.called("chat.update")
        if any(ending in text_of(call) for call in edits):
            last: dict[str, Any] = edits[-1]
            return last
        posted = [call for call in slack.called("chat.postMessage") if ending in text_of(call)]
        return posted[-1] if posted and not edits else None

    await slack.wait_for(lambda: shown() is not None)
    final = shown()
    assert final is not None
    return final


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
