"""The App Home tab: what Hearth is, what it keeps, the workspace's crisis lines, and buttons for what works now.

Everything shown comes from the core (the `about` text, the crisis resources for the workspace's country),
so the Home tab never says something the bot itself would not.
"""

from __future__ import annotations

from typing import Any

from adapters.slack import blocks, checkin
from bot.models import ACTION_RESOURCES, Action, ActionStyle

HOME_BUTTONS = (
    (Action(ACTION_RESOURCES, "Show crisis lines", ActionStyle.PRIMARY), None),
    (Action("checkin", "Mood check-in"), checkin.OPEN_ACTION),
    (Action("breathe", "Breathe for a minute"), f"{blocks.COMMAND_PREFIX}breathe"),
    (Action("ground", "Grounding, 5-4-3-2-1"), f"{blocks.COMMAND_PREFIX}ground"),
    (Action("mydata", "What do you hold about me?"), f"{blocks.COMMAND_PREFIX}mydata"),
    (Action("forget", "Erase what you hold about me", ActionStyle.DANGER), f"{blocks.COMMAND_PREFIX}forget"),
    (Action("help", "Everything Hearth can do"), f"{blocks.COMMAND_PREFIX}help"),
)


def _header(text: str) -> blocks.Block:
    return {"type": "header", "text": {"type": "plain_text", "text": text, "emoji": True}}


def _buttons() -> blocks.Block:
    return blocks.actions_block(
        (blocks.button(action, action_id) for action, action_id in HOME_BUTTONS), block_id="hearth_home_tools"
    )


def home_view(about: str, resources: str, country: str | None) -> dict[str, Any]:
    where = f"Crisis lines ({country})" if country else "Crisis lines"
    view_blocks: list[blocks.Block] = [
        _header("Hearth"),
        *blocks.sections(about),
        {"type": "divider"},
        _header(where),
        *blocks.sections(resources),
        {"type": "divider"},
        _header("Tools"),
        *blocks.sections("Write to me in the Messages tab, mention me in a channel, or use /hearth."),
        _buttons(),
    ]
    return {"type": "home", "blocks": view_blocks[:100]}
