"""Discord messages and interactions → `IncomingMessage`, with every platform id pseudonymised.

The pseudonyms are built here and only here, so the tenant a message is filed under is the very tenant
`/hearth-config` writes (the crisis stage reads the server's country through it). A conversation is one user
in one place: a DM, or a thread (a thread started from a message has that message's id, so a channel
message is filed under the thread Hearth is about to open for it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import discord

from bot.bootstrap import App
from bot.models import IncomingMessage, Platform

PLATFORM = "discord"


@dataclass(frozen=True, slots=True)
class Origin:
    """The server message a DM'd reply answers. It rides in the reply's button ids, so a press in the DM
    ("Talk to a person") still reaches that server's moderators, with its country and the original
    conversation, after a restart too. It holds only ids Discord already showed this user."""

    guild: int
    channel: int
    message: int
    in_thread: bool

    @property
    def place(self) -> int:
        return self.channel if self.in_thread else self.message

    @property
    def link(self) -> str:
        return f"https://discord.com/channels/{self.guild}/{self.channel}/{self.message}"

    def encode(self) -> str:
        return f":{self.guild}:{self.channel}:{self.message}:{'t' if self.in_thread else 'm'}"

    @staticmethod
    def of(message: discord.Message) -> Origin | None:
        if message.guild is None:
            return None
        in_thread = isinstance(message.channel, discord.Thread)
        return Origin(message.guild.id, message.channel.id, message.id, in_thread)

    @staticmethod
    def decode(guild: str | None, channel: str | None, message: str | None, place: str | None) -> Origin | None:
        if not (guild and channel and message and place):
            return None
        return Origin(int(guild), int(channel), int(message), place == "t")


def tenant_of(app: App, guild_id: int | None, user_id: int) -> str:
    """A server is a tenant; outside a server each person is their own tenant, so DM users share no budget."""
    if guild_id is None:
        return app.ids("tenant", PLATFORM, "dm", str(user_id))
    return app.ids("tenant", PLATFORM, str(guild_id))


def user_of(app: App, user_id: int) -> str:
    return app.ids("user", PLATFORM, str(user_id))


def conversation_of(app: App, place_id: int, user_id: int) -> str:
    return app.ids("conversation", PLATFORM, str(place_id), str(user_id))


def channel_of(app: App, channel_id: int) -> str:
    return app.ids("channel", PLATFORM, str(channel_id))


def is_private(channel: object) -> bool:
    return isinstance(channel, discord.DMChannel | discord.GroupChannel)


def place_of(message: discord.Message) -> int:
    """Where the conversation lives: the DM or thread itself, else the thread Hearth opens from the message."""
    if is_private(message.channel) or isinstance(message.channel, discord.Thread):
        return message.channel.id
    return message.id


def strip_mention(text: str, bot_id: int, own_role: int | None = None) -> str:
    """Without the mentions that address Hearth: of the bot, and of the role Discord made for it."""
    role = f"|<@&{own_role}>" if own_role is not None else ""
    return re.sub(rf"<@!?{bot_id}>{role}", "", text).strip()


def own_role_of(message: discord.Message) -> int | None:
    """The role Discord made for the bot when it was invited to the message's server (a managed role)."""
    role = message.guild.self_role if message.guild is not None else None
    return role.id if role is not None else None


def from_message(app: App, message: discord.Message, bot_id: int, *, edited: bool = False) -> IncomingMessage:
    """`edited`: the person changed the message; each edit is an event of its own (its id holds the time of edit)."""
    author = message.author.id
    event = f"{message.id}:edit:{message.edited_at.isoformat()}" if edited and message.edited_at else str(message.id)
    guild_id = message.guild.id if message.guild is not None else None
    return IncomingMessage(
        platform=Platform.DISCORD,
        tenant=tenant_of(app, guild_id, author),
        conversation=conversation_of(app, place_of(message), author),
        user=user_of(app, author),
        text=strip_mention(message.content, bot_id, own_role_of(message)),
        is_private=is_private(message.channel),
        event_id=event,
        link=message.jump_url,
        channel=channel_of(app, message.channel.id),
        edited=edited,
    )


def from_interaction(
    app: App,
    interaction: discord.Interaction,
    *,
    text: str = "",
    action: str | None = None,
    origin: Origin | None = None,
) -> IncomingMessage:
    """A slash command (as "/name argument") or a button press (as its action id). A press on a reply that
    was DM'd for a server message is filed under that server and that conversation (`origin`)."""
    author = interaction.user.id
    channel_id = interaction.channel_id or 0
    link = interaction.message.jump_url if interaction.message is not None else None
    guild_id, place = interaction.guild_id, channel_id
    if origin is not None:
        guild_id, place, link = origin.guild, origin.place, origin.link
    return IncomingMessage(
        platform=Platform.DISCORD,
        tenant=tenant_of(app, guild_id, author),
        conversation=conversation_of(app, place, author),
        user=user_of(app, author),
        text=text,
        is_private=interaction.guild_id is None,
        locale=str(interaction.locale),
        event_id=str(interaction.id),
        action=action,
        link=link,
        channel=channel_of(app, channel_id),
    )
