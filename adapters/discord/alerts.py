"""Moderator alerts: a link and a level in the channel the server's admins chose, pinging only their role.

Moderators get a link to the conversation, never the user's words (SAFETY.md rule 12), unless the user agreed
and the core put a summary in the alert. It is written in the server's language (an admin's choice, else the
server's preferred locale: adapters/discord/community.py), not the person's: the summary alone is in the words
the person was shown and agreed to share.
"""

from __future__ import annotations

import logging

import discord

from adapters.discord.community import staff_texts
from bot.bootstrap import App
from bot.community import Community
from bot.models import ModeratorAlert
from bot.prompts import Messages

log = logging.getLogger(__name__)


def alert_text(
    alert: ModeratorAlert,
    role: str | None,
    said: Messages,
    *,
    reached: bool = True,
    member: int | None = None,
    where: int | None = None,
) -> str:
    """In `said`'s language (the server's, `staff_texts`). `member` (and the channel, `where`) for a slash command
    or button: its answers are private, so there is no message to link to, and the moderators would not know whom
    to reach. The level keeps Hearth's own name for it (imminent, urgent) in every language."""
    lines = [f"<@&{role}>"] if role else []
    lines.append(said.say("mod_alert", level=alert.level.value))
    if alert.link:
        lines.append(said.say("mod_link", link=alert.link))
    elif member is not None and where:
        lines.append(said.say("mod_member_in", member=f"<@{member}>", channel=f"<#{where}>"))
    elif member is not None:
        lines.append(said.say("mod_member", member=f"<@{member}>"))
    else:
        lines.append(said.say("mod_no_link"))
    if not reached:
        # Discord refused every route to the person: nobody else knows they got nothing.
        lines.append(said.say("mod_unreached"))
    if alert.summary:
        lines.append(said.say("mod_shared", summary=alert.summary))
    return "\n".join(lines)


def role_only(role: str | None) -> discord.AllowedMentions:
    if role is None or not role.isdigit():
        return discord.AllowedMentions.none()
    return discord.AllowedMentions(everyone=False, users=False, replied_user=False, roles=[discord.Object(int(role))])


async def post_alert(
    app: App,
    client: discord.Client,
    guild: discord.Guild | None,
    community: Community,
    alert: ModeratorAlert,
    *,
    reached: bool = True,
    member: int | None = None,
    where: int | None = None,
) -> bool:
    """Posted in the server's language (`staff_texts`). `reached` is False when Hearth's reply reached the person
    by no route: the alert says so. `member` and `where` name the person and channel where there is no message
    to link to (`alert_text`); the mention shows who it is and pings nobody but the moderators' role.

    True when the alert was posted. False when it was not: no usable alert channel is known (none set as far
    as the adapter can read, the bot no longer in the server, a channel that takes no messages) or Discord refused
    (missing access or permissions, an unknown channel, an outage). The core only alerts where the person is
    told moderators were alerted, so every False must reach them as `alert.undelivered`; the core is told too
    (`alert.failed()`), so that a later "Talk to a person" tries again."""
    posted = await _post(app, client, guild, community, alert, reached=reached, member=member, where=where)
    if not posted:
        await alert.failed()
    return posted


async def _post(
    app: App,
    client: discord.Client,
    guild: discord.Guild | None,
    community: Community,
    alert: ModeratorAlert,
    *,
    reached: bool,
    member: int | None,
    where: int | None,
) -> bool:
    target = community.moderator_channel
    if guild is None or target is None or not target.isdigit():
        log.warning("could not post a moderator alert: no usable alert channel")
        return False
    channel = guild.get_channel_or_thread(int(target)) or client.get_partial_messageable(int(target), guild_id=guild.id)
    if not isinstance(channel, discord.abc.Messageable):
        log.warning("could not post a moderator alert: the alert channel takes no messages")
        return False
    role = community.moderator_role
    said = staff_texts(app, community, guild.preferred_locale)
    try:
        text = alert_text(alert, role, said, reached=reached, member=member, where=where)
        await channel.send(text, allowed_mentions=role_only(role))
    except discord.HTTPException as exc:
        log.warning("could not post a moderator alert: Discord answered %s (code %s)", exc.status, exc.code)
        return False
    return True
