"""Slash commands and button presses → the core → an interaction response.

Personal answers are ephemeral in a server (only the person who asked sees them); in a DM everything is
private anyway. Discord wants an answer within 3 s, so a slow core turn is deferred first and followed up.
Every interaction is acknowledged, even when the core answers nothing, or Discord shows "This interaction
failed". When Discord no longer takes the interaction's answer (an expired token, an outage), a reply touching
distress goes to the person by DM instead, and failing that its crisis lines go in the channel where they used
Hearth, mentioning them (`lastresort`): the crisis lines are never dropped.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from enum import Enum, auto

import discord

from adapters.discord.alerts import post_alert
from adapters.discord.community import community_of
from adapters.discord.delivery import DM, dm_parts, sensitive
from adapters.discord.lastresort import post_lines, private_way, public_lines
from adapters.discord.render import SILENT_KINDS, message_kwargs, parts
from adapters.discord.translate import Origin
from bot.bootstrap import App
from bot.models import IncomingMessage, Reply

log = logging.getLogger(__name__)

# Sends one more line to the person, where they read the reply; False if it could not be sent.
Say = Callable[[str], Awaitable[bool]]


class Ack(Enum):
    """Where the interaction stands with Discord before the answer is sent."""

    OPEN = auto()  # not acknowledged yet: the answer is the response
    DEFERRED = auto()  # "Hearth is thinking…": the answer is a follow-up
    LOST = auto()  # Discord refused the deferral (e.g. the token expired): only a DM can reach the person


async def respond(
    app: App,
    interaction: discord.Interaction,
    msg: IncomingMessage,
    *,
    personal: bool,
    guild: discord.Guild | None,
    origin: Origin | None = None,
) -> None:
    """Answer through the core; `guild` is the server whose moderators an alert goes to. For a press in a DM on
    a reply that came from a server (`origin`), the answer's own buttons carry that server on too.

    The turn and the sending of its answer count as one message in flight, so a graceful shutdown waits for
    the answer (or the follow-up after "thinking…") to reach the person."""
    with app.pipeline.delivering():
        # The turn's task inherits this context, so it is counted once, with this block.
        turn = asyncio.ensure_future(app.pipeline.handle(msg))
        in_server = interaction.guild_id is not None
        ack = Ack.OPEN
        try:
            reply = await asyncio.wait_for(asyncio.shield(turn), app.settings.discord.discord_defer_after)
        except TimeoutError:
            ack = await _defer(interaction, ephemeral=in_server)
            reply = await turn
        if reply.kind in SILENT_KINDS:
            await _acknowledge_silently(interaction, ack)
            return
        ephemeral = in_server and (personal or reply.private or ack is not Ack.OPEN)
        tell = await _deliver(app, interaction, msg, reply, origin, ack=ack, ephemeral=ephemeral)
        if reply.alert is not None:
            community = await community_of(app, msg.tenant)
            posted = await post_alert(
                app,
                interaction.client,
                guild,
                community,
                reply.alert,
                reached=tell is not None,
                member=interaction.user.id,
                where=interaction.channel_id,
            )
            if not posted:
                # They read that moderators were told; they must not wait for someone who is not coming.
                await (tell or _nowhere)(reply.alert.undelivered)


async def _defer(interaction: discord.Interaction, *, ephemeral: bool) -> Ack:
    try:
        await interaction.response.defer(ephemeral=ephemeral, thinking=True)
    except discord.HTTPException as exc:
        log.warning("could not defer an interaction: Discord answered %s (code %s)", exc.status, exc.code)
        return Ack.LOST
    return Ack.DEFERRED


async def _acknowledge_silently(interaction: discord.Interaction, ack: Ack) -> None:
    """The core answered nothing (a replayed or folded event), but Discord still wants an acknowledgement:
    a button press is acknowledged with no message; a command's "thinking…" is removed again."""
    try:
        if ack is Ack.OPEN and interaction.type is discord.InteractionType.component:
            await interaction.response.defer()
            return
        if ack is Ack.OPEN:
            await interaction.response.defer(ephemeral=True, thinking=True)
        if ack is not Ack.LOST:
            await interaction.delete_original_response()
    except discord.HTTPException as exc:
        # E.g. a replayed interaction, already acknowledged the first time.
        log.info("could not acknowledge a silent interaction: Discord answered %s (code %s)", exc.status, exc.code)


async def _deliver(
    app: App,
    interaction: discord.Interaction,
    msg: IncomingMessage,
    reply: Reply,
    origin: Origin | None,
    *,
    ack: Ack,
    ephemeral: bool,
) -> Say | None:
    """Sends the answer by the interaction; when Discord no longer takes it, what is left of a reply touching
    distress by DM, and failing that its crisis lines in the channel (`_last_resort`). Returns how to tell the
    person one more thing by the same route; None when a reply touching distress reached them nowhere."""
    sends = parts(reply, origin)
    sent = 0
    if ack is not Ack.LOST:
        try:
            if ack is Ack.OPEN:
                await interaction.response.send_message(ephemeral=ephemeral, **sends[0])
                sent = 1
            for kwargs in sends[sent:]:
                await interaction.followup.send(ephemeral=ephemeral, **kwargs)
                sent += 1
            return _by_followup(interaction, ephemeral)
        except discord.HTTPException as exc:
            log.warning("could not answer an interaction: Discord answered %s (code %s)", exc.status, exc.code)
    if not sensitive(reply):
        return _nowhere
    # The DM's buttons must still reach this server's moderators and conversation.
    rest = parts(reply, origin or _origin_of(interaction))[sent:]
    dm = await dm_parts(interaction.user, rest)
    if dm is not DM.SENT:
        return await _last_resort(app, interaction, msg, reply, dm)
    return _by_dm(interaction.user)


async def _last_resort(
    app: App, interaction: discord.Interaction, msg: IncomingMessage, reply: Reply, dm: DM
) -> Say | None:
    """Neither the interaction nor a DM reached them: the crisis lines in the channel where they used Hearth,
    mentioning them (`lastresort`). Nothing more is said there, so the route it returns tells nothing."""
    channel = _channel_of(interaction)
    if channel is None:  # an interaction in a DM: the DM was the only place
        log.error("a reply touching distress reached the person by no route: their DM refused it")
        return None
    lines = await public_lines(app, msg, reply, dm)
    if not await post_lines(channel, interaction.user, lines, private_way(app, lines)):
        return None
    return _nowhere


def _by_followup(interaction: discord.Interaction, ephemeral: bool) -> Say:
    async def tell(text: str) -> bool:
        if not text:
            return False
        try:
            await interaction.followup.send(ephemeral=ephemeral, **message_kwargs(text))
        except discord.HTTPException as exc:
            log.warning("could not follow up an interaction: Discord answered %s (code %s)", exc.status, exc.code)
            return await _by_dm(interaction.user)(text)
        return True

    return tell


def _by_dm(user: discord.User | discord.Member) -> Say:
    async def tell(text: str) -> bool:
        return bool(text) and await dm_parts(user, [message_kwargs(text)]) is DM.SENT

    return tell


async def _nowhere(text: str) -> bool:
    return False


def _channel_of(interaction: discord.Interaction) -> discord.abc.Messageable | None:
    """The server channel (or thread) the interaction came from; None for one in a DM."""
    if interaction.guild_id is None or interaction.channel_id is None:
        return None
    channel = interaction.channel
    if isinstance(channel, discord.abc.Messageable):
        return channel
    return interaction.client.get_partial_messageable(interaction.channel_id, guild_id=interaction.guild_id)


def _origin_of(interaction: discord.Interaction) -> Origin | None:
    """Where a server interaction came from, for buttons DM'd in its place; the conversation is the channel's,
    as for the interaction itself (`translate.from_interaction`)."""
    if interaction.guild_id is None or interaction.channel_id is None:
        return None
    message = interaction.message.id if interaction.message is not None else interaction.id
    return Origin(interaction.guild_id, interaction.channel_id, message, in_thread=True)
