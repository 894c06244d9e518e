"""Block Kit rendering of the core's words: escaped so nothing Hearth sends can ping anyone.

Slack reads `<@U…>`, `<!channel>` and `<!here>` as mentions, so `&`, `<` and `>` are escaped in every text
Hearth sends, and sections are `verbatim` so Slack adds no links or mentions of its own. Web addresses are
turned into links here instead, after escaping, so a crisis line's site is still one tap away.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from bot.commands import CORE_COMMANDS
from bot.models import Action, ActionStyle, Reply

ACTION_PREFIX = "hearth:"
COMMAND_PREFIX = "hearth:cmd:"
MODAL_PREFIX = "hearth:modal:"
SECTION_LIMIT = 3000
FALLBACK_LIMIT = 3000
_URL = re.compile(r"https?://[^\s|<>]+")
_TRAILING = ".,;:!?)]}'\""
_DOUBLE_STARS = re.compile(r"\*\*(.+?)\*\*")
# The core says "/resources"; on Slack that is "/hearth resources" (one slash command for the whole app).
_COMMAND_NAMES = sorted({spec.name for spec in CORE_COMMANDS} | {"start", "stop"}, key=len, reverse=True)
_CORE_COMMAND = re.compile(r"(?<![\w/.:])/(" + "|".join(map(re.escape, _COMMAND_NAMES)) + r")\b")

Block = dict[str, Any]


def escape(text: str) -> str:
    """Text Slack shows as written: no mentions, no channel links, no formatting tricks through `<...>`."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _link(match: re.Match[str]) -> str:
    url = match.group(0)
    stripped = url.rstrip(_TRAILING)
    return f"<{stripped}|{stripped}>{url[len(stripped) :]}"


def slack_commands(text: str) -> str:
    """The core's `/about` as Slack users must type it: `/hearth about`."""
    return _CORE_COMMAND.sub(r"/hearth \1", text)


def mrkdwn(text: str) -> str:
    """Escaped text with web addresses as links, Markdown bold as Slack bold, and commands as `/hearth …`."""
    return _URL.sub(_link, _DOUBLE_STARS.sub(r"*\1*", escape(slack_commands(text))))


def _chunks(text: str, limit: int) -> list[str]:
    """Pieces under Slack's section limit, split at paragraph or line ends where possible."""
    pieces: list[str] = []
    while len(text) > limit:
        cut = max(text.rfind("\n\n", 0, limit), text.rfind("\n", 0, limit), text.rfind(" ", 0, limit))
        cut = cut if cut > limit // 2 else limit
        pieces.append(text[:cut])
        text = text[cut:].lstrip("\n ")
    pieces.append(text)
    return [piece for piece in pieces if piece.strip()]


def sections(text: str) -> list[Block]:
    # Split before escaping would leave a link or an entity cut in half; split the escaped text at spaces.
    return [
        {"type": "section", "text": {"type": "mrkdwn", "text": piece, "verbatim": True}}
        for piece in _chunks(mrkdwn(text), SECTION_LIMIT)
    ]


def button(action: Action, action_id: str | None = None) -> Block:
    element: Block = {
        "type": "button",
        "action_id": action_id or f"{ACTION_PREFIX}{action.id}",
        "value": action.id,
        "text": {"type": "plain_text", "text": action.label[:75], "emoji": True},
    }
    if action.style is not ActionStyle.SECONDARY:
        element["style"] = action.style.value
    return element


def actions_block(buttons: Iterable[Block], block_id: str = "hearth_actions") -> Block:
    return {"type": "actions", "block_id": block_id, "elements": list(buttons)[:25]}


def fallback(text: str) -> str:
    """The notification text that goes with blocks: escaped too, since Slack parses it as well."""
    return _DOUBLE_STARS.sub(r"*\1*", escape(slack_commands(text)))[:FALLBACK_LIMIT]


def message(text: str, actions: Sequence[Action] = ()) -> dict[str, Any]:
    """Arguments for chat.postMessage / chat.update / chat.postEphemeral / a response_url."""
    blocks = sections(text)
    if actions:
        blocks.append(actions_block(button(action) for action in actions))
    return {"text": fallback(text), "blocks": blocks}


def reply_message(reply: Reply) -> dict[str, Any]:
    return message(reply.text, reply.actions)


def action_from_id(action_id: str) -> tuple[str | None, str | None]:
    """(core action, command) for a button's action_id; (None, None) when it is not for the core."""
    if action_id.startswith(MODAL_PREFIX):
        return None, None
    if action_id.startswith(COMMAND_PREFIX):
        return None, action_id.removeprefix(COMMAND_PREFIX) or None
    if action_id.startswith(ACTION_PREFIX):
        return action_id.removeprefix(ACTION_PREFIX) or None, None
    return None, None
