"""Slash commands: the core's commands (`bot.commands.CORE_COMMANDS`) and `/hearth-config` for admins.

The core's commands are sent through the pipeline as text ("/resources GB"), exactly as typed on other
platforms. What the command picker says about each command and option comes from the prompt files, in the
Discord client's language (adapters/discord/command_texts.py). `/hearth-config` only writes community settings
(country, language, channels, moderators): Discord hides it from members without Manage Server, and it checks
that permission again itself. It answers in the server's staff language (adapters/discord/community.py), from
the texts in prompts/messages/.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

import discord
from discord import app_commands
from redis.exceptions import RedisError

from adapters.discord.command_texts import picker_text
from adapters.discord.community import server_language, staff_texts
from adapters.discord.interactions import respond
from adapters.discord.translate import from_interaction, tenant_of
from bot.bootstrap import App
from bot.commands import CommandSpec
from bot.community import Community, parse_language
from bot.prompts import Messages
from bot.staff import SHOWN, language_shown, not_a_language

CommandCallback = Callable[..., Awaitable[None]]


def core_command(app: App, spec: CommandSpec) -> app_commands.Command[Any, ..., None]:
    async def run(interaction: discord.Interaction, argument: str) -> None:
        text = f"/{spec.name} {argument}".strip()
        msg = from_interaction(app, interaction, text=text)
        await respond(app, interaction, msg, personal=spec.personal, guild=interaction.guild)

    callback: CommandCallback
    if spec.argument:

        async def with_argument(interaction: discord.Interaction, value: str | None = None) -> None:
            await run(interaction, (value or "")[:100])

        described = app_commands.describe(value=picker_text(app, f"{spec.name}.options.{spec.argument}"))
        callback = app_commands.rename(value=spec.argument)(described(with_argument))
    else:

        async def without_argument(interaction: discord.Interaction) -> None:
            await run(interaction, "")

        callback = without_argument
    description = picker_text(app, f"{spec.name}.description")
    return app_commands.Command(name=spec.name, description=description, callback=callback)


def describe(app: App, community: Community, locale: discord.Locale | None) -> str:
    """The settings, in the server's staff language; `locale`: the server's preferred locale."""
    said = staff_texts(app, community, locale)
    unset = said.say("config_unset")
    channels = ", ".join(f"<#{channel}>" for channel in community.enabled_channels)
    alerts = f"<#{community.moderator_channel}>" if community.moderator_channel else unset
    role = f"<@&{community.moderator_role}>" if community.moderator_role else unset
    language = language_shown(app.prompts, community, said, server_language(app, locale))
    lines = (
        said.say("config_country", country=community.country or said.say("config_country_unset")),
        said.say("config_language", language=language),
        said.say("config_channels", channels=channels or said.say("config_channels_none")),
        said.say("config_alerts", channel=alerts),
        said.say("config_role", role=role),
    )
    return "\n".join((said.say("config_title"), *(f"• {line}" for line in lines)))


def changes(
    community: Community,
    country: str | None,
    language: str | None,
    enable: discord.abc.GuildChannel | None,
    disable: discord.abc.GuildChannel | None,
    alert_channel: discord.abc.GuildChannel | None,
    alert_role: discord.Role | None,
) -> dict[str, Any]:
    """`country` as `Countries.code_of` read it ("Deutschland" → "DE"); `language` as typed (already checked with
    `parse_language`)."""
    updated: dict[str, Any] = {}
    if country is not None:
        updated["country"] = country
    if language is not None:
        updated["language"] = parse_language(language)
    channels = list(community.enabled_channels)
    if enable is not None and str(enable.id) not in channels:
        channels.append(str(enable.id))
    if disable is not None and str(disable.id) in channels:
        channels.remove(str(disable.id))
    if tuple(channels) != community.enabled_channels:
        updated["enabled_channels"] = tuple(channels)
    if alert_channel is not None:
        updated["moderator_channel"] = str(alert_channel.id)
    if alert_role is not None:
        updated["moderator_role"] = str(alert_role.id)
    return updated


def refusal(app: App, said: Messages, country: str | None, language: str | None) -> str | None:
    """What is wrong with what the admin typed, in words, before anything is changed. A country is its code or its
    name in any of Hearth's languages ("GB", "United Kingdom", "Reino Unido")."""
    if country is not None and app.countries.code_of(country) is None:
        if re.fullmatch(r"\s*[A-Za-z]{2}\s*", country):  # ZZ: never the fallback for a whole server
            return said.say("config_not_a_country", code=country.strip().upper())
        return said.say("config_bad_country")
    if language is not None:
        try:
            parse_language(language)
        except ValueError:
            return not_a_language(said, language.strip()[:SHOWN])
    return None


def config_command(app: App) -> app_commands.Command[Any, ..., None]:
    options = ("country", "language", "enable", "disable", "alert_channel", "alert_role")

    @app_commands.command(name="hearth-config", description=picker_text(app, "hearth-config.description"))
    @app_commands.default_permissions(manage_guild=True)
    @app_commands.guild_only()
    @app_commands.describe(**{option: picker_text(app, f"hearth-config.options.{option}") for option in options})
    async def hearth_config(
        interaction: discord.Interaction,
        country: str | None = None,
        language: str | None = None,
        enable: discord.TextChannel | None = None,
        disable: discord.TextChannel | None = None,
        alert_channel: discord.TextChannel | None = None,
        alert_role: discord.Role | None = None,
    ) -> None:
        """Answered in the server's staff language: the one chosen before, or (once saved) the one just chosen."""
        locale = interaction.guild_locale
        tenant = tenant_of(app, interaction.guild_id, interaction.user.id)
        community = await _read(app, tenant)
        said = staff_texts(app, community or Community(), locale)
        if interaction.guild_id is None or not interaction.permissions.manage_guild:
            await _private(interaction, said.say("config_not_admin"))
            return
        wrong = refusal(app, said, country, language)
        if wrong is not None:
            await _private(interaction, wrong)
            return
        if community is not None:
            code = app.countries.code_of(country) if country is not None else None
            updated = changes(community, code, language, enable, disable, alert_channel, alert_role)
            community = await _saved(app, tenant, community, updated)
        if community is None:
            await _private(interaction, said.say("config_storage_down"))
            return
        await _private(interaction, describe(app, community, locale))

    return hearth_config


async def _read(app: App, tenant: str) -> Community | None:
    """The server's settings; None when Redis does not answer."""
    try:
        return await app.communities.get(tenant)
    except (RedisError, OSError):
        return None


async def _saved(app: App, tenant: str, community: Community, updated: dict[str, Any]) -> Community | None:
    """The settings with `updated` saved; None when Redis did not answer, and nothing was changed."""
    if not updated:
        return community
    try:
        return await app.communities.update(tenant, **updated)
    except (RedisError, OSError):
        return None


async def _private(interaction: discord.Interaction, text: str) -> None:
    await interaction.response.send_message(text, ephemeral=True, allowed_mentions=discord.AllowedMentions.none())


def build_tree(client: discord.Client, app: App, specs: Iterable[CommandSpec]) -> app_commands.CommandTree[Any]:
    tree: app_commands.CommandTree[Any] = app_commands.CommandTree(client)
    for spec in specs:
        tree.add_command(core_command(app, spec))
    tree.add_command(config_command(app))
    return tree
