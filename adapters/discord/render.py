"""A `Reply` → what discord.py sends: 2,000-character chunks, buttons, and no pings ever.

Buttons carry custom ids of the form "hearth:<action id>" and are routed by a `DynamicItem` template, so a
button on a week-old message still works after a restart and no view is kept in memory per message.
"""

from __future__ import annotations

import re
from typing import Any

import discord

from adapters.discord.translate import Origin
from bot.dedupe import DUPLICATE
from bot.edits import EDITED
from bot.fold import FOLDED
from bot.models import Action, ActionStyle, Reply

LIMIT = 2000
# Replies the core gives with no text, to be dropped without a word: an event answered before, a message
# already answered together with the earlier ones of its conversation, and an edit that is no crisis.
SILENT_KINDS = frozenset({DUPLICATE, FOLDED, EDITED})
CUSTOM_ID_PREFIX = "hearth:"

_STYLES = {
    ActionStyle.PRIMARY: discord.ButtonStyle.primary,
    ActionStyle.SECONDARY: discord.ButtonStyle.secondary,
    ActionStyle.DANGER: discord.ButtonStyle.danger,
}
# Labels for buttons rebuilt from a custom id alone (their label is not sent back with a press).
_FALLBACK_LABEL = "Hearth"


def chunks(text: str, limit: int = LIMIT) -> list[str]:
    """Split at paragraph, then line, then word boundaries; never lose a character of the text."""
    pieces: list[str] = []
    rest = text.strip() or "…"
    while len(rest) > limit:
        window = rest[:limit]
        cut = max(window.rfind("\n\n"), window.rfind("\n"))
        if cut < limit // 2:
            cut = window.rfind(" ")
        if cut < limit // 2:
            cut = limit
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    pieces.append(rest)
    return pieces


def preview(text: str, limit: int = LIMIT) -> str:
    """A streamed partial that fits one message (the final reply is chunked properly)."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


# "hearth:<action>", or "hearth:<action>:<guild>:<channel>:<message>:<t|m>" on a reply DM'd for a server
# message (at most 82 characters; Discord allows 100).
_TEMPLATE = (
    r"hearth:(?P<action>[a-z_]{1,20})"
    r"(?::(?P<guild>\d{1,20}):(?P<channel>\d{1,20}):(?P<message>\d{1,20}):(?P<place>[tm]))?"
)


class ActionButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=_TEMPLATE):
    """A button that sends one of the core's action ids back through the pipeline."""

    def __init__(
        self,
        action: str,
        label: str = _FALLBACK_LABEL,
        style: ActionStyle = ActionStyle.SECONDARY,
        origin: Origin | None = None,
    ) -> None:
        custom_id = f"{CUSTOM_ID_PREFIX}{action}{origin.encode() if origin else ''}"
        button: discord.ui.Button[Any] = discord.ui.Button(label=label[:80], style=_STYLES[style], custom_id=custom_id)
        super().__init__(button)
        self.action = action
        self.origin = origin

    @classmethod
    async def from_custom_id(  # type: ignore[override]
        cls, interaction: discord.Interaction, item: discord.ui.Button[Any], match: re.Match[str], /
    ) -> ActionButton:
        origin = Origin.decode(match["guild"], match["channel"], match["message"], match["place"])
        return cls(match["action"], item.label or _FALLBACK_LABEL, origin=origin)

    async def callback(self, interaction: discord.Interaction) -> None:
        on_action = getattr(interaction.client, "on_hearth_action", None)
        if on_action is not None:
            await on_action(interaction, self.action, self.origin)


def view_for(actions: tuple[Action, ...], origin: Origin | None = None) -> discord.ui.View | None:
    if not actions:
        return None
    view = discord.ui.View(timeout=None)
    for action in actions[:25]:
        view.add_item(ActionButton(action.id, action.label, action.style, origin))
    # A finished view is sent but not stored: presses are routed by the DynamicItem template instead.
    view.stop()
    return view


def message_kwargs(text: str, view: discord.ui.View | None = None) -> dict[str, Any]:
    kwargs: dict[str, Any] = {"content": text, "allowed_mentions": discord.AllowedMentions.none()}
    if view is not None:
        kwargs["view"] = view
    return kwargs


def parts(reply: Reply, origin: Origin | None = None) -> list[dict[str, Any]]:
    """One send per chunk; the buttons go with the last chunk so they sit under the whole reply."""
    texts = chunks(reply.text)
    view = view_for(reply.actions, origin)
    return [message_kwargs(text, view if index == len(texts) - 1 else None) for index, text in enumerate(texts)]
