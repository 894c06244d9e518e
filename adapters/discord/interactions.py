"""Slash commands and button presses → the core → an interaction response.

Personal answers are ephemeral in a server (only the person who asked sees them); in a DM everything is
private anyway. Discord wants an answer within 3 s, so a slow core turn is deferred first and followed up.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import discord

from adapters.discord.alerts import post_alert
from adapters.discord.community import community_of
from adapters.discord.render import SILENT_KINDS, parts
from adapters.discord.translate import Origin
from bot.bootstrap import App
from bot.models import IncomingMessage

log = logging.getLogger(__name__)


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
        deferred = False
        try:
            reply = await asyncio.wait_for(asyncio.shield(turn), app.settings.discord.discord_defer_after)
        except TimeoutError:
            try:
                await interaction.response.defer(ephemeral=in_server, thinking=True)
            except discord.HTTPException:
                await turn  # nothing can be answered now, but the turn (and its session save) stays in flight
                raise
            deferred = True
            reply = await turn
        if reply.kind in SILENT_KINDS:
            return
        ephemeral = in_server and (personal or reply.private or deferred)
        try:
            await _send(interaction, parts(reply, origin), ephemeral=ephemeral, deferred=deferred)
        except discord.HTTPException as exc:
            log.warning("could not answer an interaction: Discord answered %s", exc.status)
        if reply.alert is not None and guild is not None:
            community = await community_of(app, msg.tenant)
            await post_alert(interaction.client, guild, community, reply.alert)


async def _send(
    interaction: discord.Interaction, sends: list[dict[str, Any]], *, ephemeral: bool, deferred: bool
) -> None:
    if not deferred:
        await interaction.response.send_message(ephemeral=ephemeral, **sends.pop(0))
    for kwargs in sends:
        await interaction.followup.send(ephemeral=ephemeral, **kwargs)
