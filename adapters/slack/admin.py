"""`/hearth config …`: workspace admins see and set the country, the champions' channel and the enabled channels.

Only Slack's own admins and owners may see or change them (checked with users.info on every change, so a demoted
admin loses the right at once). What they set is community configuration, stored by the core's
`CommunityStore`, never anything about a person.
"""

from __future__ import annotations

import logging
import re

from redis.exceptions import RedisError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.deliver import SEND_ERRORS
from bot.bootstrap import App
from bot.community import Community, CommunityStore
from bot.countries import Countries

log = logging.getLogger(__name__)

_CHANNEL = re.compile(r"^<#([CG][A-Z0-9]+)(?:\|[^>]*)?>$|^([CG][A-Z0-9]+)$")
_COUNTRY = re.compile(r"^[A-Za-z]{2}$")

USAGE = (
    "Workspace settings (admins only):\n"
    "• `/hearth config country GB` sets the country whose crisis lines Hearth gives\n"
    "• `/hearth config moderators #channel` sends alerts (a link and a level, never words) to your wellbeing "
    "champions' channel; invite Hearth to it first\n"
    "• `/hearth config enable #channel` / `disable #channel` lets Hearth answer every message in a channel, "
    "not only mentions\n"
    "• `/hearth config` shows the current settings"
)
NOT_A_COUNTRY = (
    "{code} is not a country code: give a two-letter ISO 3166 code, e.g. `/hearth config country DE`. "
    "Nothing was changed."
)
NOT_ADMIN = "Only workspace admins and owners can see or change Hearth's settings; ask one of them if needed."
UNAVAILABLE = "I couldn't check your permissions with Slack just now. Please try again in a minute."
STORE_DOWN = "I can't reach Hearth's settings store just now, so nothing was shown or saved. Please try again soon."


def describe(community: Community) -> str:
    channels = ", ".join(f"<#{channel}>" for channel in community.enabled_channels) or "none (mentions and DMs only)"
    moderators = f"<#{community.moderator_channel}>" if community.moderator_channel else "not set"
    return (
        f"Country for crisis lines: {community.country or 'not set'}\n"
        f"Wellbeing champions' channel: {moderators}\n"
        f"Channels where Hearth answers every message: {channels}"
    )


def channel_id(argument: str) -> str | None:
    match = _CHANNEL.match(argument.strip())
    return (match.group(1) or match.group(2)) if match else None


async def is_admin(client: AsyncWebClient, user: str) -> bool:
    answer = await client.users_info(user=user)
    person = answer.get("user") or {}
    return any(bool(person.get(flag)) for flag in ("is_admin", "is_owner", "is_primary_owner"))


async def configure(client: AsyncWebClient, app: App, tenant: str, user: str, args: str) -> str:
    """The text to show (ephemerally): the settings, the new settings, or what was wrong, in one line.

    Showing is for admins too: the settings name the champions' channel, which is theirs to share."""
    try:
        if not await is_admin(client, user):
            return NOT_ADMIN
    except SEND_ERRORS:
        return UNAVAILABLE
    try:
        return await _apply(app.communities, app.countries, tenant, args)
    except (RedisError, OSError) as exc:
        log.warning("workspace settings unavailable: %s", type(exc).__name__)
        return STORE_DOWN


async def _apply(communities: CommunityStore, countries: Countries, tenant: str, args: str) -> str:
    verb, _, rest = args.strip().partition(" ")
    verb, rest = verb.lower(), rest.strip()
    current = await communities.get(tenant)
    if not verb or verb == "show":
        return describe(current)
    if verb == "country" and _COUNTRY.match(rest):
        if not countries.known(rest):  # ZZ: say so, rather than silently give the whole workspace the fallback
            return NOT_A_COUNTRY.format(code=rest.upper())
        updated = await communities.update(tenant, country=rest.upper())
    elif verb in ("moderators", "enable", "disable") and (channel := channel_id(rest)):
        if verb == "moderators":
            updated = await communities.update(tenant, moderator_channel=channel)
        elif verb == "enable":
            channels = (*[c for c in current.enabled_channels if c != channel], channel)
            updated = await communities.update(tenant, enabled_channels=channels)
        else:
            channels = tuple(c for c in current.enabled_channels if c != channel)
            updated = await communities.update(tenant, enabled_channels=channels)
    else:
        return USAGE
    return "Saved.\n" + describe(updated)
