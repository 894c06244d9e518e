"""Slack payloads → `IncomingMessage`: pseudonymous ids, plain text, and where the answer must go.

Raw Slack ids stay in the adapter (it needs them to answer); the core only sees HMACs from `app.ids`.
Context is per user per DM or per thread, so two people in one thread never share a conversation.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from adapters.slack import blocks
from bot.models import IncomingMessage, Platform

Ids = Callable[..., str]

_USER_MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")
_CHANNEL = re.compile(r"<#[CG][A-Z0-9]+\|([^>]*)>")
_CHANNEL_BARE = re.compile(r"<#[CG][A-Z0-9]+>")
_SPECIAL = re.compile(r"<!(?:subteam\^[A-Z0-9]+\|)?([^>|]+)(?:\|[^>]*)?>")
_LINK = re.compile(r"<((?:https?|mailto):[^>|]+)(?:\|([^>]*))?>")

# Message subtypes that are a person writing; everything else (joins, bots) is ignored, and an edit
# (`message_changed`) is read as the message it changed (`edited_message`).
USER_SUBTYPES = frozenset({None, "thread_broadcast", "file_share"})


@dataclass(frozen=True, slots=True)
class Place:
    """Where an answer goes: the Slack channel, the thread (if any) and the person it answers."""

    team: str
    channel: str
    user: str
    thread_ts: str | None = None
    is_dm: bool = False


def plain_text(text: str, bot_user: str | None = None) -> str:
    """Slack markup → the words a person typed: the bot's own mention removed, others' ids never kept."""

    def user(match: re.Match[str]) -> str:
        return "" if match.group(1) == bot_user else "@someone"

    text = _USER_MENTION.sub(user, text)
    text = _CHANNEL.sub(lambda m: f"#{m.group(1)}" if m.group(1) else "#channel", text)
    text = _CHANNEL_BARE.sub("#channel", text)
    text = _SPECIAL.sub(lambda m: f"@{m.group(1)}", text)
    text = _LINK.sub(lambda m: m.group(2) or m.group(1), text)
    text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    return re.sub(r"[ \t]{2,}", " ", text).strip()


def mentions(text: str, bot_user: str | None) -> bool:
    return bot_user is not None and any(m.group(1) == bot_user for m in _USER_MENTION.finditer(text))


def is_person_message(event: dict[str, Any]) -> bool:
    return (
        event.get("subtype") in USER_SUBTYPES
        and not event.get("bot_id")
        and not event.get("bot_profile")
        and bool(event.get("user"))
    )


def edited_message(event: dict[str, Any]) -> dict[str, Any] | None:
    """A `message_changed` event as the message a person now says, where they changed its words: Slack also sends
    one when it adds a link's preview or language metadata, and when an app updates its own message."""
    message, before = event.get("message"), event.get("previous_message")
    if not isinstance(message, dict) or not message.get("edited"):
        return None
    if isinstance(before, dict) and before.get("text") == message.get("text"):
        return None
    changed = {**message, "channel": event.get("channel"), "channel_type": event.get("channel_type")}
    return changed if is_person_message(changed) else None


def team_of(body: dict[str, Any], event: dict[str, Any] | None = None) -> str:
    """The workspace: top-level `team_id` for events, `team.id` for interactions, `team_id` for commands."""
    team = body.get("team_id") or (body.get("team") or {}).get("id") or (event or {}).get("team")
    return str(team or "")


def permalink(workspace_url: str | None, channel: str, ts: str, thread_ts: str | None = None) -> str | None:
    """The message's link in Slack's own archive format, without another API call per message."""
    if not workspace_url or not ts:
        return None
    link = f"{workspace_url.rstrip('/')}/archives/{channel}/p{ts.replace('.', '')}"
    if thread_ts and thread_ts != ts:
        link += f"?thread_ts={thread_ts}&cid={channel}"
    return link


def conversation(ids: Ids, place: Place) -> str:
    if place.is_dm:
        return str(ids("conversation", "slack", place.team, place.channel, place.user))
    return str(ids("conversation", "slack", place.team, place.channel, place.thread_ts or "", place.user))


def incoming(
    ids: Ids,
    place: Place,
    text: str,
    *,
    event_id: str | None = None,
    action: str | None = None,
    link: str | None = None,
    locale: str | None = None,
) -> IncomingMessage:
    """`locale`: the person's Slack locale ("es-ES"), the core's last resort for the language to answer in."""
    return IncomingMessage(
        platform=Platform.SLACK,
        tenant=ids("tenant", "slack", place.team),
        conversation=conversation(ids, place),
        user=ids("user", "slack", place.team, place.user),
        text=text,
        is_private=place.is_dm,
        event_id=ids("event", "slack", place.team, event_id) if event_id else None,
        action=action,
        link=link,
        channel=ids("channel", "slack", place.team, place.channel),
        locale=locale,
    )


def message_place(body: dict[str, Any], event: dict[str, Any]) -> Place:
    """DMs answer in the DM (in a thread only if the person wrote in one); channels always in a thread."""
    is_dm = event.get("channel_type") == "im" or str(event.get("channel", "")).startswith("D")
    thread = event.get("thread_ts") if is_dm else (event.get("thread_ts") or event.get("ts"))
    return Place(team_of(body, event), str(event.get("channel", "")), str(event["user"]), thread, is_dm)


def message_event_id(body: dict[str, Any], event: dict[str, Any]) -> str | None:
    """One id per message a person wrote: `client_msg_id` is the same in `message` and `app_mention` events
    about one message, so the core answers it once even when both arrive; Slack's retries keep `event_id`."""
    value = event.get("client_msg_id") or body.get("event_id") or event.get("ts")
    return str(value) if value else None


def from_message(
    ids: Ids,
    body: dict[str, Any],
    event: dict[str, Any],
    bot_user: str | None,
    workspace_url: str | None,
    *,
    edited: bool = False,
) -> tuple[Place, IncomingMessage]:
    """`edited`: `event` is an `edited_message`; each edit is an event of its own, apart from the message's."""
    place = message_place(body, event)
    # A DM with Hearth has a permalink too, but no champion can open it (deliver.alert_text says who to reach).
    link = (
        None
        if place.is_dm
        else permalink(workspace_url, place.channel, str(event.get("ts", "")), event.get("thread_ts"))
    )
    text = plain_text(str(event.get("text") or ""), bot_user)
    event_id = f"{event.get('ts')}:edit:{event['edited'].get('ts')}" if edited else message_event_id(body, event)
    return place, replace(incoming(ids, place, text, event_id=event_id, link=link), edited=edited)


def command_place(body: dict[str, Any]) -> Place:
    channel = str(body.get("channel_id", ""))
    is_dm = body.get("channel_name") == "directmessage" or channel.startswith("D")
    return Place(team_of(body), channel, str(body.get("user_id", "")), None, is_dm)


def action_place(body: dict[str, Any]) -> Place:
    """Buttons in a message answer where the message is; buttons on App Home have no channel (answer by DM)."""
    user = str((body.get("user") or {}).get("id", ""))
    channel = str((body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id") or "")
    message = body.get("message") or {}
    container = body.get("container") or {}
    # An ephemeral message's press has no `message`; the button's own value says which thread it was in.
    pressed = (body.get("actions") or [{}])[0]
    thread = blocks.button_thread(pressed.get("value")) or message.get("thread_ts") or container.get("thread_ts")
    is_dm = not channel or channel.startswith("D")
    return Place(team_of(body), channel, user, thread, is_dm)


def action_link(workspace_url: str | None, body: dict[str, Any], place: Place) -> str | None:
    """The conversation a button was pressed in, for champions: the thread's first message in a channel, or the
    button's own message when it is a public one. None in a DM or for an ephemeral reply outside a thread,
    where there is nothing a champion could open."""
    if place.is_dm or not place.channel:
        return None
    container = body.get("container") or {}
    own = (
        None if container.get("is_ephemeral") else (body.get("message") or {}).get("ts") or container.get("message_ts")
    )
    return permalink(workspace_url, place.channel, str(place.thread_ts or own or ""))
