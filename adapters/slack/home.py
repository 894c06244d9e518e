"""The App Home tab: what Hearth is, what it keeps, the workspace's crisis lines, and buttons for what works now.

Everything shown comes from the core (the `about` text, the crisis resources for the workspace's country, the
`home_` messages, the lines button's and the check-in's own names), in the person's Slack language where Hearth
has texts in it, so the Home tab never says something the bot itself would not.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from adapters.slack import blocks, checkin
from bot.models import ACTION_RESOURCES, Action, ActionStyle
from bot.prompts import Messages

# The commands App Home offers after the lines and the check-in: (command, its button's message, style).
HOME_COMMANDS = (
    ("breathe", "home_breathe", ActionStyle.SECONDARY),
    ("ground", "home_ground", ActionStyle.SECONDARY),
    ("mydata", "home_mydata", ActionStyle.SECONDARY),
    ("forget", "home_forget", ActionStyle.DANGER),
    ("help", "home_help", ActionStyle.SECONDARY),
)


@dataclass(frozen=True, slots=True)
class HomeTexts:
    """What App Home shows, in one language: `said` the core's messages, `about` its /about, `resources` the
    workspace's crisis lines, `show_lines` the lines button, `checkin` the check-in's name."""

    said: Messages
    about: str
    resources: str
    show_lines: str
    checkin: str


def _header(text: str) -> blocks.Block:
    return {"type": "header", "text": {"type": "plain_text", "text": text, "emoji": True}}


def _buttons(texts: HomeTexts) -> blocks.Block:
    buttons = [
        blocks.button(Action(ACTION_RESOURCES, texts.show_lines, ActionStyle.PRIMARY)),
        blocks.button(Action("checkin", texts.checkin), checkin.OPEN_ACTION),
        *(
            blocks.button(Action(name, texts.said.say(key), style), f"{blocks.COMMAND_PREFIX}{name}")
            for name, key, style in HOME_COMMANDS
        ),
    ]
    return blocks.actions_block(buttons, block_id="hearth_home_tools")


def home_view(texts: HomeTexts, country: str | None) -> dict[str, Any]:
    said = texts.said
    where = said.say("home_lines_in", country=country) if country else said.say("home_lines")
    view_blocks: list[blocks.Block] = [
        _header("Hearth"),
        *blocks.sections(texts.about),
        {"type": "divider"},
        _header(where),
        *blocks.sections(texts.resources),
        {"type": "divider"},
        _header(said.say("home_tools")),
        *blocks.sections(said.say("home_how")),
        _buttons(texts),
    ]
    return {"type": "home", "blocks": view_blocks[:100]}
