"""Slash commands: the core's commands (`bot.commands.CORE_COMMANDS`) and `/hearth-config` for admins.

The core's commands are sent through the pipeline as text ("/resources GB"), exactly as typed on other
platforms. What the command picker says about each command and option comes from the prompt files, in the
Discord client's language (adapters/discord/command_texts.py). `/hearth-config` only writes community settings
(country, channels, moderators): Discord hides it from members without Manage Server, and it checks that
permission again itself.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

import discord
from discord import app_commands
from redis.exceptions import RedisError

from adapters.discord.command_texts import picker_text
from adapters.discord.interactions import respond
from adapters.discord.translate import from_interaction, tenant_of
from bot.bootstrap import App
from bot.commands import CommandSpec
from bot.community import Community

CommandCallback = Callable[..., Awaitable[None]]

NOT_ADMIN = "Only members with the Manage Server permission can change Hearth's settings here."
STORAGE_DOWN = "Hearth's storage isn't answering right now, so nothing was changed. Please try again in a minute."
BAD_COUNTRY = "Please give the country as a two-letter ISO code, e.g. US, GB, DE or IN. Nothing was changed."
NOT_A_COUNTRY = "{code} is not a country code. " + BAD_COUNTRY


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


def describe(community: Community) -> str:
    channels = ", ".join(f"<#{channel}>" for channel in community.enabled_channels) or "none (mentions and DMs only)"
    alerts = f"<#{community.moderator_channel}>" if community.moderator_channel else "not set"
    role = f"<@&{community.moderator_role}>" if community.moderator_role else "not set"
    return "\n".join(
        (
            "Hearth's settings for this server:",
            f"• Country for crisis lines: {community.country or 'not set (the bot default is used)'}",
            f"• Channels where Hearth answers every message: {channels}",
            f"• Moderators' alert channel: {alerts}",
            f"• Moderator role pinged on alerts: {role}",
        )
    )


def changes(
    community: Community,
    country: str | None,
    enable: discord.abc.GuildChannel | None,
    disable: discord.abc.GuildChannel | None,
    alert_channel: discord.abc.GuildChannel | None,
    alert_role: discord.Role | None,
) -> dict[str, Any]:
    updated: dict[str, Any] = {}
    if country is not None:
        updated["country"] = country.strip().upper()
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


def config_command(app: App) -> app_commands.Command[Any, ..., None]:
    options = ("country", "enable", "disable", "alert_channel", "alert_role")

    @app_commands.command(name="hearth-config", description=picker_text(app, "hearth-config.description"))
    @app_commands.default_permissions(manage_guild=True)
    @app_commands.guild_only()
    @app_commands.describe(**{option: picker_text(app, f"hearth-config.options.{option}") for option in options})
    async def hearth_config(
        interaction: discord.Interaction,
        country: str | None = None,
        enable: discord.TextChannel | None = None,
        disable: discord.TextChannel | None = None,
        alert_channel: discord.TextChannel | None = None,
        alert_role: discord.Role | None = None,
    ) -> None:
        if interaction.guild_id is None or not interaction.permissions.manage_guild:
            await _private(interaction, NOT_ADMIN)
            return
        if country is not None and not re.fullmatch(r"\s*[A-Za-z]{2}\s*", country):
            await _private(interaction, BAD_COUNTRY)
            return
        if country is not None and not app.countries.known(country):  # ZZ: never the fallback for a whole server
            await _private(interaction, NOT_A_COUNTRY.format(code=country.strip().upper()))
            return
        tenant = tenant_of(app, interaction.guild_id, interaction.user.id)
        try:
            community = await app.communities.get(tenant)
            updated = changes(community, country, enable, disable, alert_channel, alert_role)
            if updated:
                community = await app.communities.update(tenant, **updated)
        except (RedisError, OSError):
            await _private(interaction, STORAGE_DOWN)
            return
        await _private(interaction, describe(community))

    return hearth_config


async def _private(interaction: discord.Interaction, text: str) -> None:
    await interaction.response.send_message(text, ephemeral=True, allowed_mentions=discord.AllowedMentions.none())


def build_tree(client: discord.Client, app: App, specs: Iterable[CommandSpec]) -> app_commands.CommandTree[Any]:
    tree: app_commands.CommandTree[Any] = app_commands.CommandTree(client)
    for spec in specs:
        tree.add_command(core_command(app, spec))
    tree.add_command(config_command(app))
    return tree
