"""How long a Discord user waits: from MESSAGE_CREATE on the gateway to Hearth's last REST call for the reply.

Real discord.py, real Redis and the real openai client, against the local stand-ins (tests/fakes), so the
figures are Hearth's and the libraries' own overhead, not Discord's or an LLM's.

    /work/main/.venv/bin/python -m bench.discord_roundtrip [messages]
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import time
import warnings

from redis.asyncio import Redis

from bot.bootstrap import build_app
from bot.config import load_settings
from bot.embedded_redis import EmbeddedRedis
from tests.fakes.discord_server import FakeDiscord
from tests.fakes.openai_server import FakeOpenAI, Script

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    from adapters.discord import run


async def one(server: FakeDiscord, user: int, text: str, expect: str) -> float:
    start = len(server.calls)
    began = time.perf_counter()
    await server.send_message(text, author=user, guild=False)
    await server.wait_for_text(server.dm_channel(user), expect, start)
    return (time.perf_counter() - began) * 1000


def describe(name: str, samples: list[float]) -> None:
    ordered = sorted(samples)
    p95 = ordered[max(0, round(len(ordered) * 0.95) - 1)]
    print(f"{name:<44} n={len(samples):<4} median {statistics.median(samples):7.1f} ms   p95 {p95:7.1f} ms")


async def main(count: int) -> None:
    with EmbeddedRedis() as embedded:
        redis: Redis = Redis.from_url(embedded.url)
        llm, server = FakeOpenAI(default=Script(text="I hear you.")), FakeDiscord()
        await llm.start()
        await server.start()
        settings = load_settings(
            env_file=None, redis_url=embedded.url, openai_base_url=llm.base_url, openai_api_key="bench",
            consent_required=False, discord_token="test-token", discord_api_base_url=server.base_url,  # noqa: S106
            discord_gateway_url=server.gateway_url, discord_guild_ready_timeout=0.05,
        )  # fmt: skip
        app = build_app(settings, redis, hash_secret=b"bench-secret-0123456789abcdef")
        bot = asyncio.create_task(run(app))
        try:
            await server.wait_ready()
            users = iter(range(500_000_000_000_000_000, 600_000_000_000_000_000))
            describe(
                "DM → LLM reply (stand-in LLM, streamed)",
                [await one(server, next(users), "hi", "I hear you.") for _ in range(count)],
            )
            describe(
                "DM → crisis reply (no LLM)",
                [await one(server, next(users), "i want to die", "findahelpline") for _ in range(count)],
            )
            began = time.perf_counter()
            together = await asyncio.gather(*(one(server, next(users), "hi", "I hear you.") for _ in range(count)))
            describe(f"{count} DMs at once, each", list(together))
            print(f"{count} DMs at once, all answered after {(time.perf_counter() - began) * 1000:.0f} ms")
        finally:
            bot.cancel()
            await asyncio.gather(bot, return_exceptions=True)
            if app.llm is not None:
                await app.llm.aclose()
            await server.stop()
            await llm.stop()
            await redis.aclose()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 30))
