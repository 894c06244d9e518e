"""The typing indicator while the core works. Best effort: a channel where Hearth may not show typing
(or a Discord hiccup) must never stop the reply itself."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import discord

# Discord shows "typing" for about 10 s after each call.
REFRESH = 8.0


@contextlib.asynccontextmanager
async def typing(channel: discord.abc.Messageable) -> AsyncIterator[None]:
    task = asyncio.create_task(_keep_typing(channel))
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def _keep_typing(channel: discord.abc.Messageable) -> None:
    while True:
        with contextlib.suppress(discord.HTTPException):
            await channel.typing()
        await asyncio.sleep(REFRESH)
