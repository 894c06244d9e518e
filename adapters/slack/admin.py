"""`/hearth config …`: workspace admins see and set the country, the language, the champions' channel and the
enabled channels.

Only Slack's own admins and owners may see or change them (checked with users.info on every change, so a demoted
admin loses the right at once). What they set is community configuration, stored by the core's
`CommunityStore`, never anything about a person. Hearth answers in the workspace's language (`staff_texts`).
"""

from __future__ import annotations

import logging
import re

from redis.exceptions import RedisError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack import blocks
from adapters.slack.deliver import SEND_ERRORS
from bot.bootstrap import App
from bot.community import Community, parse_language
from bot.prompts import Messages
from bot.staff import SHOWN, language_shown, not_a_language

log = logging.getLogger(__name__)

_CHANNEL = re.compile(r"^<#([CG][A-Z0-9]+)(?:\|[^>]*)?>$|^([CG][A-Z0-9]+)$")
_COUNTRY = re.compile(r"^[A-Za-z]{2}$")


def staff_texts(app: App, community: Community) -> Messages:
    """What Hearth writes to a workspace's champions and admins: in the language an admin chose, else English.
    (Slack's Web API tells an app no workspace language: team.info has none, and users.info only each person's.)"""
    return app.prompts(community.language)


def describe(app: App, community: Community) -> str:
    said = staff_texts(app, community)
    channels = ", ".join(f"<#{channel}>" for channel in community.enabled_channels)
    moderators = f"<#{community.moderator_channel}>" if community.moderator_channel else said.say("config_unset")
    lines = (
        said.say("config_country", country=community.country or said.say("config_country_unset")),
        said.say("config_language", language=language_shown(app.prompts, community, said, None)),
        said.say("config_slack_champions", channel=moderators),
        said.say("config_slack_channels", channels=channels or said.say("config_channels_none")),
    )
    return "\n".join(lines)


def channel_id(argument: str) -> str | None:
    match = _CHANNEL.match(argument.strip())
    return (match.group(1) or match.group(2)) if match else None


async def is_admin(client: AsyncWebClient, user: str) -> bool:
    answer = await client.users_info(user=user)
    person = answer.get("user") or {}
    return any(bool(person.get(flag)) for flag in ("is_admin", "is_owner", "is_primary_owner"))


async def configure(client: AsyncWebClient, app: App, tenant: str, user: str, args: str) -> str:
    """The text to show (ephemerally): the settings, the new settings, or what was wrong, in one line.

    Showing is for admins too: the settings name the champions' channel, which is theirs to share. The settings
    are read first, for their language; without Redis, English, and nothing is shown or saved."""
    try:
        current: Community | None = await app.communities.get(tenant)
    except (RedisError, OSError) as exc:
        log.warning("workspace settings unavailable: %s", type(exc).__name__)
        current = None
    said = staff_texts(app, current or Community())
    try:
        if not await is_admin(client, user):
            return said.say("config_slack_not_admin")
    except SEND_ERRORS:
        return said.say("config_slack_unavailable")
    try:
        if current is None:
            return said.say("config_slack_store_down")
        return await _apply(app, tenant, current, args)
    except (RedisError, OSError) as exc:
        log.warning("workspace settings unavailable: %s", type(exc).__name__)
        return said.say("config_slack_store_down")


async def _apply(app: App, tenant: str, current: Community, args: str) -> str:
    verb, _, rest = args.strip().partition(" ")
    verb, rest = verb.lower(), rest.strip()
    said = staff_texts(app, current)
    if not verb or verb == "show":
        return describe(app, current)
    if verb == "country" and rest:
        code = app.countries.code_of(rest)  # "GB", or a name in any of Hearth's languages: "United Kingdom"
        if code is None:  # ZZ, Narnia: say so, rather than silently give the whole workspace the fallback
            shown = rest.upper() if _COUNTRY.match(rest) else rest[:SHOWN]
            return said.say("config_slack_not_a_country", code=blocks.escape(shown))
        updated = await app.communities.update(tenant, country=code)
    elif verb == "language" and rest:
        try:
            language = parse_language(rest)
        except ValueError:
            return not_a_language(said, blocks.escape(rest[:SHOWN]))
        updated = await app.communities.update(tenant, language=language)
    elif verb in ("moderators", "enable", "disable") and (channel := channel_id(rest)):
        if verb == "moderators":
            updated = await app.communities.update(tenant, moderator_channel=channel)
        elif verb == "enable":
            channels = (*[c for c in current.enabled_channels if c != channel], channel)
            updated = await app.communities.update(tenant, enabled_channels=channels)
        else:
            channels = tuple(c for c in current.enabled_channels if c != channel)
            updated = await app.communities.update(tenant, enabled_channels=channels)
    else:
        return said.say("config_slack_usage")
    # Said in the language just saved, if that is what changed.
    return f"{staff_texts(app, updated).say('config_saved')}\n{describe(app, updated)}"
