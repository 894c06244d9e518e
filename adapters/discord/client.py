"""The discord.py client: intents, shards, where Discord is, and the wiring of events to handlers.

`DISCORD_API_BASE_URL` and `DISCORD_GATEWAY_URL` set discord.py's two URL class attributes (the only
library state Hearth touches) for the life of the client, so a self-hosted server or a test stand-in can
serve the bot. Without `DISCORD_SHARD_COUNT`, discord.py asks the API (`GET /gateway/bot`) for the gateway.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import discord
import yarl
from discord.gateway import DiscordWebSocket
from discord.http import Route

from adapters.discord.command_texts import CommandTranslator
from adapters.discord.commands import build_tree
from adapters.discord.interactions import respond
from adapters.discord.messages import MessageHandler
from adapters.discord.render import ActionButton
from adapters.discord.translate import Origin, from_interaction
from bot.bootstrap import App
from bot.commands import CORE_COMMANDS
from bot.config import ConfigError, DiscordSettings

log = logging.getLogger(__name__)


def intents() -> discord.Intents:
    """Servers, messages in servers and DMs, and their text. Message content is a privileged intent."""
    wanted = discord.Intents.none()
    wanted.guilds = True
    wanted.guild_messages = True
    wanted.dm_messages = True
    wanted.message_content = True
    return wanted


class _NoVoiceWarnings(logging.Filter):
    """Hearth never joins voice, so discord.py's start-up warnings about missing voice libraries are noise."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().endswith("voice will NOT be supported")


def quiet_voice_warnings() -> None:
    library_log = logging.getLogger("discord.client")
    if not any(isinstance(existing, _NoVoiceWarnings) for existing in library_log.filters):
        library_log.addFilter(_NoVoiceWarnings())


@contextmanager
def pointed_at(settings: DiscordSettings) -> Iterator[None]:
    before = Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY
    if settings.discord_api_base_url:
        Route.BASE = settings.discord_api_base_url.rstrip("/")
    if settings.discord_gateway_url:
        DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(settings.discord_gateway_url)
    try:
        yield
    finally:
        Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY = before


class HearthClient(discord.AutoShardedClient):
    def __init__(self, app: App, **options: Any) -> None:
        settings = app.settings.discord
        shards: dict[str, Any] = {"shard_count": settings.discord_shard_count}
        if settings.discord_shard_ids:
            shards["shard_ids"] = list(settings.discord_shard_ids)
        quiet_voice_warnings()
        super().__init__(
            intents=intents(),
            **shards,
            allowed_mentions=discord.AllowedMentions.none(),
            # No message cache: Hearth never needs old messages, and it would keep their text in memory.
            max_messages=None,
            chunk_guilds_at_startup=False,
            guild_ready_timeout=settings.discord_guild_ready_timeout,
            **options,
        )
        self.app = app
        self._in_flight: set[asyncio.Task[Any]] = set()
        self.tree = build_tree(self, app, CORE_COMMANDS)
        self._messages = MessageHandler(app, self)

    async def setup_hook(self) -> None:
        self.add_dynamic_items(ActionButton)
        await self.tree.set_translator(CommandTranslator(self.app.prompts))  # the picker in the client's language
        try:
            await self.tree.sync()
        except discord.HTTPException as exc:
            # The commands registered by an earlier start keep working; messages never depended on them.
            log.warning("could not register slash commands: Discord answered %s", exc.status)

    async def on_message(self, message: discord.Message) -> None:
        with self._tracked():
            await self._messages.on_message(message)

    async def on_raw_message_edit(self, payload: discord.RawMessageUpdateEvent) -> None:
        # The raw event: with no message cache, discord.py's on_message_edit never fires.
        with self._tracked():
            await self._messages.on_edit(payload.message)

    async def on_hearth_action(self, interaction: discord.Interaction, action: str, origin: Origin | None) -> None:
        with self._tracked():
            msg = from_interaction(self.app, interaction, action=action, origin=origin)
            guild = self.get_guild(origin.guild) if origin else interaction.guild
            await respond(self.app, interaction, msg, personal=True, guild=guild, origin=origin)

    @contextmanager
    def _tracked(self) -> Iterator[None]:
        """discord.py runs each event in its own task; remember them so `close()` can end them too."""
        task = asyncio.current_task()
        if task is not None:
            self._in_flight.add(task)
        try:
            yield
        finally:
            self._in_flight.discard(task)

    async def close(self) -> None:
        """Ends the events still running. On a graceful shutdown this comes after bot/shutdown.py has waited
        (up to the grace) for `pipeline.drained()`, so only what outlasted the grace is cut off."""
        for task in list(self._in_flight):
            if task is not asyncio.current_task():
                task.cancel()
        await super().close()


async def run(app: App) -> None:
    token = app.settings.discord.discord_token
    if token is None:
        raise ConfigError("Configuration error: DISCORD_TOKEN is not set; discord needs it (see .env.example)")
    with pointed_at(app.settings.discord):
        async with HearthClient(app) as client:
            try:
                await client.start(token.get_secret_value())
            except discord.LoginFailure:
                raise ConfigError(
                    "Configuration error: DISCORD_TOKEN was refused by Discord (reset it under Bot)"
                ) from None
            except discord.PrivilegedIntentsRequired:
                raise ConfigError(
                    "Configuration error: Discord refused the Message Content intent; turn it on in the Developer "
                    "Portal under Bot → Privileged Gateway Intents"
                ) from None
