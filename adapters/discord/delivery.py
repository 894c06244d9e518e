"""Where a reply goes, and how it gets there privately when it must.

Private by default for sensitive replies: a reply the core marks private, written in a server, goes to the
user by DM and leaves only a neutral line in public. If the DM cannot be delivered (their DMs are closed, or
Discord failed), the public fallback still carries the crisis lines: resources are never dropped.
"""

from __future__ import annotations

import logging
from enum import Enum
from typing import Any

import discord

from adapters.discord.render import message_kwargs, parts
from adapters.discord.translate import Origin
from bot.crisis.replies import Phrasebook, Texts
from bot.models import Level, Reply

log = logging.getLogger(__name__)

# Discord's JSON error code for a DM the user's privacy settings refuse.
CANNOT_DM = 50007
# Replies whose every fallback must carry the crisis lines whatever their level says.
SENSITIVE_KINDS = frozenset({"crisis", "resources", "handoff"})


class DM(Enum):
    """How a DM went, and the words the public fallback gives for a DM that did not arrive."""

    SENT = ""
    CLOSED = "your DMs are closed"
    FAILED = "Discord had a problem delivering it just now"

    def with_lines(self, texts: Texts) -> str:
        """Before the crisis lines, in the language of the person's reply (`dm_missed` in the crisis texts)."""
        return texts.say("dm_missed", why=texts.say("dm_closed" if self is DM.CLOSED else "dm_failed"))

    def plain(self) -> str:
        return (
            f"I couldn't send you a private message ({self.value}). The slash commands, e.g. /mydata, answer you "
            "privately instead."
        )


def sensitive(reply: Reply) -> bool:
    """A reply touching distress: it must reach the person by some route, with the crisis lines."""
    return reply.level.at_least(Level.CONCERN) or reply.kind in SENSITIVE_KINDS or reply.alert is not None


class Place:
    """The public side of one message's answer. A channel message is answered in a thread opened from it,
    opened only when something is actually posted there (a private reply opens none).

    The thread is named in `language` (`thread_name` in the crisis texts): the reply's, once the core has chosen
    one (`Reply.language`), else the language of the message's own words, for a streamed reply that opens the
    thread before the core has decided."""

    def __init__(self, message: discord.Message, phrasebook: Phrasebook, language: str | None = None) -> None:
        self.message = message
        self.language = language
        self._phrasebook = phrasebook
        self._target: discord.abc.Messageable | None = None

    @property
    def public(self) -> bool:
        return self.message.guild is not None

    async def channel(self) -> discord.abc.Messageable:
        if self._target is None:
            channel = self.message.channel
            if not self.public or isinstance(channel, discord.Thread):
                self._target = channel
            else:
                self._target = await self._open_thread()
        return self._target

    async def _open_thread(self) -> discord.abc.Messageable:
        try:
            name = self._phrasebook(self.language).say("thread_name")
            return await self.message.create_thread(name=name[:100], auto_archive_duration=1440)
        except discord.HTTPException as exc:
            # E.g. no Create Public Threads permission: answering in the channel beats not answering.
            log.warning("could not open a thread: Discord answered %s", exc.status)
            return self.message.channel

    async def notice(self, reply: Reply) -> None:
        """A public reply that opens no thread: in the thread if there is one, else as a reply to the message."""
        sends = parts(reply)
        channel: discord.abc.Messageable
        if self._target is None and not isinstance(self.message.channel, discord.Thread):
            await self.message.reply(mention_author=False, **sends.pop(0))
            channel = self.message.channel
        else:
            channel = await self.channel()
        for kwargs in sends:
            await channel.send(**kwargs)


async def send_all(
    channel: discord.abc.Messageable, reply: Reply, shown: discord.Message | None = None, origin: Origin | None = None
) -> None:
    """Send a reply in chunks; `shown` is a streamed message that the first chunk replaces."""
    sends = parts(reply, origin)
    if shown is not None:
        await shown.edit(**sends.pop(0))
    for kwargs in sends:
        await channel.send(**kwargs)


async def send_dm(user: discord.User | discord.Member, reply: Reply, origin: Origin | None) -> DM:
    """Whether the DM arrived; when it did not, the caller falls back in public."""
    return await dm_parts(user, parts(reply, origin))


async def dm_parts(user: discord.User | discord.Member, sends: list[dict[str, Any]]) -> DM:
    try:
        channel = user.dm_channel or await user.create_dm()
        for kwargs in sends:
            await channel.send(**kwargs)
    except discord.HTTPException as exc:
        if isinstance(exc, discord.Forbidden) and exc.code == CANNOT_DM:
            log.info("could not DM a user: their DMs are closed")
            return DM.CLOSED
        log.warning("could not DM a user: Discord answered %s (code %s)", exc.status, exc.code)
        return DM.FAILED
    return DM.SENT


async def say(channel: discord.abc.Messageable | None, text: str) -> bool:
    """One more line after a reply, where the person read that reply; False if it could not be sent."""
    if channel is None or not text:
        return False
    try:
        await channel.send(**message_kwargs(text))
    except discord.HTTPException as exc:
        log.warning("could not send a follow-up line: Discord answered %s (code %s)", exc.status, exc.code)
        return False
    return True
