"""One Discord message, end to end: decide whether Hearth was addressed, run the core, deliver the reply.

Hearth answers in DMs always; in a server when mentioned, in a channel an admin enabled, or in a thread it
opened. It ignores bots (itself included) and webhooks. A MESSAGE_CREATE delivered twice (e.g. replayed after a resume)
is recognised by the core from the message id (`event_id`) and answered once. An edit goes to the core as an
edited message (bot/edits.py), which answers it only when the new words are a crisis.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import discord

from adapters.discord.alerts import post_alert
from adapters.discord.community import community_of
from adapters.discord.delivery import DM, Place, say, send_all, send_dm, sensitive
from adapters.discord.lastresort import post_lines, private_way, public_lines, unreached
from adapters.discord.render import SILENT_KINDS, message_kwargs
from adapters.discord.streaming import StreamedMessage
from adapters.discord.translate import Origin, from_message, own_role_of, tenant_of
from adapters.discord.waiting import typing
from bot.bootstrap import App
from bot.community import Community
from bot.models import IncomingMessage, Reply

log = logging.getLogger(__name__)


def addressed(message: discord.Message, bot: discord.ClientUser, community: Community) -> bool:
    if message.guild is None:
        return True
    if any(user.id == bot.id for user in message.mentions):
        return True
    own_role = own_role_of(message)
    if own_role is not None and own_role in message.raw_role_mentions:
        # The role Discord made for the bot on invite: people pick it from the @ list by mistake.
        return True
    channel = message.channel
    if isinstance(channel, discord.Thread):
        return channel.owner_id == bot.id or str(channel.parent_id) in community.enabled_channels
    return str(channel.id) in community.enabled_channels


@dataclass(frozen=True)
class Delivered:
    """Where the person read the reply (None: only public words, which say nothing of moderators), and whether
    it reached them at all."""

    read_in: discord.abc.Messageable | None = None
    reached: bool = True


NOWHERE = Delivered(reached=False)


class MessageHandler:
    def __init__(self, app: App, client: discord.Client) -> None:
        self._app = app
        self._client = client

    async def on_message(self, message: discord.Message) -> None:
        """From arrival to the reply's last send, the message counts as in flight: a graceful shutdown
        (bot/shutdown.py) waits for the reply to reach the person, not only for the core to decide it."""
        with self._app.pipeline.delivering():
            await self._on_message(message)

    async def on_edit(self, message: discord.Message) -> None:
        """A message the person edited. Discord also sends updates that change no words (a link's preview, a
        pin): only one with a time of edit is one they made."""
        if message.edited_at is None:
            return
        with self._app.pipeline.delivering():
            await self._on_message(message, edited=True)

    async def _on_message(self, message: discord.Message, *, edited: bool = False) -> None:
        bot = self._client.user
        if bot is None or message.author.bot or message.webhook_id is not None or message.author.id == bot.id:
            return
        if message.type not in (discord.MessageType.default, discord.MessageType.reply):
            return
        community = Community()
        if message.guild is not None:
            tenant = tenant_of(self._app, message.guild.id, message.author.id)
            community = await community_of(self._app, tenant)
        if not addressed(message, bot, community):
            return
        await self.answer(message, from_message(self._app, message, bot.id, edited=edited), community)

    async def answer(self, message: discord.Message, msg: IncomingMessage, community: Community) -> None:
        phrasebook = self._app.crisis.phrasebook
        place = Place(message, phrasebook, phrasebook.language_of(msg.text))
        stream = StreamedMessage(place.channel, self._app.settings.discord.discord_edit_interval)
        async with typing(message.channel):
            reply = await self._app.pipeline.handle(msg, stream)
        stream.stop()
        if reply.kind in SILENT_KINDS:
            return
        place.language = reply.language or place.language
        delivered = await self._deliver(message, msg, reply, place, stream.message)
        if reply.alert is not None and not await post_alert(
            self._app, self._client, message.guild, community, reply.alert, reached=delivered.reached
        ):
            # They read that moderators were told; they must not wait for someone who is not coming.
            await say(delivered.read_in, reply.alert.undelivered)

    async def _deliver(
        self, message: discord.Message, msg: IncomingMessage, reply: Reply, place: Place, shown: discord.Message | None
    ) -> Delivered:
        """Sends the reply. One touching distress that its place refused goes by DM instead, and failing that its
        crisis lines go in the channel (`_in_channel`)."""
        try:
            if reply.private and place.public:
                return await self._privately(message, msg, reply, place, shown)
            channel = await place.channel()
            await send_all(channel, reply, shown)
            return Delivered(channel)
        except discord.HTTPException as exc:
            log.warning("could not deliver a reply: Discord answered %s (code %s)", exc.status, exc.code)
            if not sensitive(reply):
                return Delivered()
            if not place.public:  # their DM with Hearth was the only place
                unreached(exc)
                return NOWHERE
        dm = await send_dm(message.author, reply, Origin.of(message))
        if dm is DM.SENT:
            return Delivered(message.author.dm_channel)
        return await self._in_channel(message, await public_lines(self._app, msg, reply, dm))

    async def _in_channel(self, message: discord.Message, lines: Reply) -> Delivered:
        """The last resort, after no DM and no reply to their message (e.g. they deleted it, or the thread refused
        it): the crisis lines in the channel itself, not as a reply, mentioning them (`lastresort`)."""
        posted = await post_lines(message.channel, message.author, lines, private_way(self._app, lines))
        return Delivered() if posted else NOWHERE

    async def _privately(
        self, message: discord.Message, msg: IncomingMessage, reply: Reply, place: Place, shown: discord.Message | None
    ) -> Delivered:
        notice = reply.public_notice or self._app.crisis.phrasebook(reply.language).say("dm_sent")
        dm = await send_dm(message.author, reply, Origin.of(message))
        if dm is DM.SENT:
            try:
                if shown is not None:
                    await shown.edit(**message_kwargs(notice))
                else:
                    await place.notice(Reply(notice))
            except discord.HTTPException as exc:
                log.warning("could not leave the public notice: Discord answered %s (code %s)", exc.status, exc.code)
            return Delivered(message.author.dm_channel)
        fallback = await self._public_fallback(msg, reply, dm)
        try:
            if shown is not None:
                await send_all(await place.channel(), fallback, shown)
            else:
                await place.notice(fallback)
        except discord.HTTPException as exc:
            log.warning("could not leave the public fallback: Discord answered %s (code %s)", exc.status, exc.code)
            if sensitive(reply):
                return await self._in_channel(message, fallback)
        return Delivered()

    async def _public_fallback(self, msg: IncomingMessage, reply: Reply, dm: DM) -> Reply:
        """The DM did not arrive (`dm` says why): for anything touching distress, the crisis lines (from the core)
        and never the private text; for the rest (e.g. /mydata typed in a channel), a pointer to the private
        slash commands."""
        if not sensitive(reply):
            return Reply(dm.plain())
        return await public_lines(self._app, msg, reply, dm)
