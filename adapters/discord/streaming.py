"""Shows an LLM reply as it arrives: the first partial sends a message, later partials edit it.

Edits are throttled (`DISCORD_EDIT_INTERVAL`, at least 1 s by default) on top of the core's own throttle, to
stay well inside Discord's edit rate limits. A failed edit stops the stream; the final reply still arrives.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

import discord

from adapters.discord.render import message_kwargs, preview
from bot.streaming import Throttle

log = logging.getLogger(__name__)

ChannelSource = Callable[[], Awaitable[discord.abc.Messageable]]


class StreamedMessage:
    def __init__(self, channel: ChannelSource, interval: float) -> None:
        self._channel = channel
        self._throttle = Throttle(self._show, interval)
        self.message: discord.Message | None = None

    async def __call__(self, text: str) -> None:
        await self._throttle(text)

    async def _show(self, text: str) -> None:
        try:
            if self.message is None:
                channel = await self._channel()
                self.message = await channel.send(**message_kwargs(preview(text)))
            else:
                self.message = await self.message.edit(**message_kwargs(preview(text)))
        except discord.HTTPException as exc:
            log.warning("streaming stopped: Discord answered %s", exc.status)
            self._throttle.close()

    def stop(self) -> None:
        """No more partials: the final reply replaces whatever was shown."""
        self._throttle.close()
