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
MAX_BLOCKS = 50
# On escaped text: a Markdown link to a web address, or a bare web address. One pass, so neither is linked twice.
_LINKS = re.compile(r"\[(?P<label>[^\[\]\n]+)\]\((?P<target>https?://[^\s|()]+)\)|(?P<bare>https?://[^\s|<>]+)")
_TRAILING = ".,;:!?)]}'\""
_DOUBLE_STARS = re.compile(r"\*\*(.+?)\*\*")
_HEADING = re.compile(r"^[ \t]{0,3}#{1,6}[ \t]+(.+?)[ \t#]*$", re.MULTILINE)
_THREAD_KEY = "thread="
_BUTTON_THREAD = re.compile(r"(?:^|\s)thread=([0-9]+\.[0-9]+)$")
_SHORTENED = "… (this reply was too long for Slack, so part of it is left out)"
# The core says "/resources"; on Slack that is "/hearth resources" (one slash command for the whole app).
_COMMAND_NAMES = sorted({spec.name for spec in CORE_COMMANDS} | {"start", "stop"}, key=len, reverse=True)
_CORE_COMMAND = re.compile(r"(?<![\w/.:])/(" + "|".join(map(re.escape, _COMMAND_NAMES)) + r")\b")

Block = dict[str, Any]


def escape(text: str) -> str:
    """Text Slack shows as written: no mentions, no channel links, no formatting tricks through `<...>`."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _link(match: re.Match[str]) -> str:
    if match.group("target"):
        # The label is escaped text already; `|` would end Slack's address early, so it is shown as a bar lookalike.
        return f"<{match.group('target')}|{match.group('label').replace('|', '¦')}>"
    url = match.group("bare")
    stripped = url.rstrip(_TRAILING)
    return f"<{stripped}|{stripped}>{url[len(stripped) :]}"


def _heading(match: re.Match[str]) -> str:
    """Slack has no headings in mrkdwn: a Markdown heading becomes a bold line."""
    title = match.group(1).replace("**", "").replace("*", "")
    return f"*{title}*" if title.strip() else match.group(0)


def _formatted(escaped: str) -> str:
    """Markdown headings and bold as Slack's bold, and Markdown links and web addresses as Slack links."""
    return _LINKS.sub(_link, _DOUBLE_STARS.sub(r"*\1*", _HEADING.sub(_heading, escaped)))


def slack_commands(text: str) -> str:
    """The core's `/about` as Slack users must type it: `/hearth about`."""
    return _CORE_COMMAND.sub(r"/hearth \1", text)


def mrkdwn(text: str) -> str:
    """Escaped text with links, headings and bold in Slack's own markup, and commands as `/hearth …`."""
    return _formatted(escape(slack_commands(text)))


def _safe_cut(text: str, cut: int) -> int:
    """`cut` moved back so that it falls outside a `<link|label>` and outside an entity such as `&amp;`."""
    opened = text.rfind("<", 0, cut)
    if opened > text.rfind(">", 0, cut):
        cut = opened
    amp = text.rfind("&", max(0, cut - 5), cut)
    if amp != -1 and ";" not in text[amp:cut]:
        cut = amp
    return cut


def _chunks(text: str, limit: int) -> list[str]:
    """Pieces under Slack's section limit, split at paragraph or line ends where possible, never inside a link."""
    pieces: list[str] = []
    while len(text) > limit:
        cut = max(text.rfind("\n\n", 0, limit), text.rfind("\n", 0, limit), text.rfind(" ", 0, limit))
        cut = _safe_cut(text, cut if cut > limit // 2 else limit)
        cut = cut if cut > 0 else limit
        pieces.append(text[:cut])
        text = text[cut:].lstrip("\n ")
    pieces.append(text)
    return [piece for piece in pieces if piece.strip()]


def _section(text: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text, "verbatim": True}}


def sections(text: str, most: int = MAX_BLOCKS) -> list[Block]:
    """At most `most` sections. Past that, the first ones and the last one with a note between them: a crisis
    reply's emergency number comes first and its lines last, so both stay whatever is left out."""
    # Split before escaping would leave a link or an entity cut in half; split the escaped text at spaces.
    pieces = _chunks(mrkdwn(text), SECTION_LIMIT)
    if len(pieces) > most:
        pieces = [*pieces[: most - 2], _SHORTENED, pieces[-1]]
    return [_section(piece) for piece in pieces]


def button(action: Action, action_id: str | None = None, thread_ts: str | None = None) -> Block:
    """`thread_ts`: the thread the button's message is in. Slack's block_actions payload for an ephemeral message
    has no `message`, and its `container.thread_ts` is not documented, so the button carries its thread itself."""
    element: Block = {
        "type": "button",
        "action_id": action_id or f"{ACTION_PREFIX}{action.id}",
        "value": f"{action.id} {_THREAD_KEY}{thread_ts}" if thread_ts else action.id,
        "text": {"type": "plain_text", "text": action.label[:75], "emoji": True},
    }
    if action.style is not ActionStyle.SECONDARY:
        element["style"] = action.style.value
    return element


def actions_block(buttons: Iterable[Block], block_id: str = "hearth_actions") -> Block:
    return {"type": "actions", "block_id": block_id, "elements": list(buttons)[:25]}


def fallback(text: str) -> str:
    """The notification text that goes with blocks: escaped too, since Slack parses it as well."""
    formatted = mrkdwn(text)
    if len(formatted) <= FALLBACK_LIMIT:
        return formatted
    return formatted[: _safe_cut(formatted, FALLBACK_LIMIT - 1)] + "…"


def message(text: str, actions: Sequence[Action] = (), thread_ts: str | None = None) -> dict[str, Any]:
    """Arguments for chat.postMessage / chat.update / chat.postEphemeral / a response_url, within Slack's limits
    (50 blocks, 3000 characters a section), so Slack never refuses a reply for its length. `thread_ts` only for
    a message posted in that thread, so that its buttons answer there."""
    blocks = sections(text, MAX_BLOCKS - 1 if actions else MAX_BLOCKS)
    if actions:
        blocks.append(actions_block(button(action, thread_ts=thread_ts) for action in actions))
    return {"text": fallback(text), "blocks": blocks}


def reply_message(reply: Reply, thread_ts: str | None = None) -> dict[str, Any]:
    return message(reply.text, reply.actions, thread_ts)


def button_thread(value: object) -> str | None:
    """The thread a pressed button's message was posted in, as `button` wrote it into the value; None if absent."""
    match = _BUTTON_THREAD.search(value) if isinstance(value, str) else None
    return match.group(1) if match else None


def action_from_id(action_id: str) -> tuple[str | None, str | None]:
    """(core action, command) for a button's action_id; (None, None) when it is not for the core."""
    if action_id.startswith(MODAL_PREFIX):
        return None, None
    if action_id.startswith(COMMAND_PREFIX):
        return None, action_id.removeprefix(COMMAND_PREFIX) or None
    if action_id.startswith(ACTION_PREFIX):
        return action_id.removeprefix(ACTION_PREFIX) or None, None
    return None, None
