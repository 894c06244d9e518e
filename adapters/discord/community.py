"""A server's settings, read so that a Redis outage never silences Hearth, and the language its staff read.

Without Redis a mention is still answered (the crisis path needs no Redis); only the admin's choices (enabled
channels, alert channel, language) are unknown until Redis is back.
"""

from __future__ import annotations

import logging

import discord
from redis.exceptions import RedisError

from bot.bootstrap import App
from bot.community import Community
from bot.prompts import Messages

log = logging.getLogger(__name__)


async def community_of(app: App, tenant: str) -> Community:
    try:
        return await app.communities.get(tenant)
    except (RedisError, OSError) as exc:
        log.warning("community settings unavailable: %s", type(exc).__name__)
        return Community()


def server_language(app: App, locale: discord.Locale | None) -> str | None:
    """Hearth's language for a server's preferred locale ("es-ES" → "es"), None where Hearth has no texts in it."""
    return app.crisis.phrasebook.of_locale(locale.value if locale is not None else None)


def staff_texts(app: App, community: Community, locale: discord.Locale | None) -> Messages:
    """What Hearth writes to a server's moderators and admins (alerts, /hearth-config): in the language an admin
    chose, else the server's own (`locale`, its preferred locale, where Hearth has texts in it), else English.
    Never the person's language: the moderators are the server's."""
    return app.prompts(community.language or server_language(app, locale))
