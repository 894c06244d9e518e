"""A server's settings, read so that a Redis outage never silences Hearth.

Without Redis a mention is still answered (the crisis path needs no Redis); only the admin's choices (enabled
channels, alert channel) are unknown until Redis is back.
"""

from __future__ import annotations

import logging

from redis.exceptions import RedisError

from bot.bootstrap import App
from bot.community import Community

log = logging.getLogger(__name__)


async def community_of(app: App, tenant: str) -> Community:
    try:
        return await app.communities.get(tenant)
    except (RedisError, OSError) as exc:
        log.warning("community settings unavailable: %s", type(exc).__name__)
        return Community()
