"""The crisis lines in public, pinging only the person, when Discord took no private route to them.

A reply touching distress goes privately (ephemeral, or by DM). When that fails too (DMs closed, an expired
interaction, an outage), the person would otherwise be left with nothing: so Hearth posts one short message in
the channel where they were, mentioning them, with the emergency number and their country's lines (the core's
`resources` answer, in the community's country and their language) and how to hear from Hearth privately. It
never repeats or hints at what they wrote, and pings nobody else. If Discord refuses even that, one line with
the status and code only is logged, and the moderators' alert (where there is one) says so.
"""

from __future__ import annotations

import logging
from dataclasses import replace

import discord

from adapters.discord.delivery import DM
from adapters.discord.render import parts
from bot.bootstrap import App
from bot.models import ACTION_RESOURCES, IncomingMessage, Reply

log = logging.getLogger(__name__)


async def public_lines(app: App, msg: IncomingMessage, reply: Reply, dm: DM) -> Reply:
    """What may be said in public instead of `reply`: why the DM did not come, then the core's crisis lines for
    this person (never the private text). The reply's buttons come along: a press is answered only to the presser.

    All of it in the language the core wrote `reply` in: the core is asked for the lines with that language as
    the message's locale (its choice when the conversation's note is lost, e.g. Redis down), and the words
    around them come from the crisis texts in the language it answered in."""
    asked = replace(msg, text="", action=ACTION_RESOURCES, event_id=None, locale=reply.language or msg.locale)
    lines = await app.pipeline.handle(asked)
    texts = app.crisis.phrasebook(lines.language)
    text = f"{dm.with_lines(texts)}\n\n{lines.text}"
    return replace(lines, text=text, actions=reply.actions or lines.actions)


def private_way(app: App, lines: Reply) -> str:
    """How to hear from Hearth privately, in the language of `lines`."""
    return app.crisis.phrasebook(lines.language).say("dm_how")


def only(user: discord.abc.User) -> discord.AllowedMentions:
    return discord.AllowedMentions(everyone=False, roles=False, replied_user=False, users=[discord.Object(user.id)])


async def post_lines(channel: discord.abc.Messageable, user: discord.abc.User, lines: Reply, how: str) -> bool:
    """Posts `lines` (from `public_lines`) in `channel`, mentioning `user` so they see it, then `how` they can hear
    from Hearth privately (`private_way`); False if refused."""
    shown = replace(lines, text=f"{user.mention} {lines.text}\n\n{how}")
    try:
        for kwargs in parts(shown):
            await channel.send(**{**kwargs, "allowed_mentions": only(user)})
    except discord.HTTPException as exc:
        unreached(exc)
        return False
    return True


def unreached(exc: discord.HTTPException) -> None:
    log.error(
        "a reply touching distress reached the person by no route (the last one tried: Discord answered %s, code %s)",
        exc.status,
        exc.code,
    )
