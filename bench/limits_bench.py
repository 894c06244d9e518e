"""Benchmark of Hearth's limiter and of the whole pipeline's Redis traffic, on one throwaway Redis.

    /work/main/.venv/bin/python -m bench.limits_bench [--decisions 20000] [--messages 5000]

Prints, in one run on the same private redis-server (unix socket, no persistence):
1. decisions/s and p50/p99 latency of Hearth's limiter (`bot.limits.Limiter`: one EVALSHA deciding the user,
   conversation, tenant and global windows and both token budgets) and of the `limits` library's moving-window
   limiter (`limits.aio.strategies.MovingWindowRateLimiter` over its async Redis storage with redis-py, as
   `coredis` is not installed) doing the same per-user check: one at a time (latency), then 32 at a time.
2. Redis round trips and commands per message through the whole pipeline, with an LLM stub that answers at
   once: round trips counted by a connection class of our own (a subclass given to redis-py's pool, counting
   each packet of commands sent), commands from Redis's own `INFO commandstats`; and messages/s on one process.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from typing import Any

from limits import parse
from limits.aio.storage import RedisStorage
from limits.aio.strategies import MovingWindowRateLimiter
from redis.asyncio import ConnectionPool, Redis
from redis.asyncio.connection import UnixDomainSocketConnection

from bot.config import load_settings
from bot.context import ContextStore
from bot.countries import load_countries
from bot.crisis import build_crisis
from bot.embedded_redis import EmbeddedRedis
from bot.ids import Pseudonymizer
from bot.limits import Limiter, Subject
from bot.llm import Completion
from bot.models import IncomingMessage, Platform
from bot.pipeline import Pipeline
from bot.prompts import load_prompts
from bot.stages import build_stages

USERS = 1000
PER_USER = "20/10m"
CONCURRENCY = 32


class CountingConnection(UnixDomainSocketConnection):
    """Counts every packet of commands sent: one per single command, one per pipeline or transaction."""

    sent = 0

    async def send_packed_command(self, command: Any, check_health: bool = True) -> None:
        CountingConnection.sent += 1
        await super().send_packed_command(command, check_health)


class InstantLLM:
    """Stands in for `ReplyService`: answers at once, reporting token usage like the API does."""

    async def complete(self, messages: Any, on_text: Any = None) -> Completion:
        return Completion("I hear you.", prompt_tokens=40, completion_tokens=5)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


async def timed(check: Any, count: int, concurrency: int) -> tuple[float, list[float]]:
    latencies: list[float] = []
    queue = iter(range(count))

    async def worker() -> None:
        for number in queue:
            start = time.perf_counter()
            await check(number)
            latencies.append(time.perf_counter() - start)

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return count / (time.perf_counter() - start), latencies


def row(name: str, rate: float, latencies: list[float]) -> str:
    p50, p99 = percentile(latencies, 0.5) * 1e3, percentile(latencies, 0.99) * 1e3
    return f"  {name:<52} {rate:>9,.0f}/s   p50 {p50:6.3f} ms   p99 {p99:6.3f} ms"


async def bench_limiters(url: str, socket: str, decisions: int) -> None:
    redis: Redis = Redis.from_url(url)
    settings = load_settings(
        env_file=None, rate_limit_per_user=PER_USER, rate_limit_global="100000000/1h",
        rate_limit_per_tenant="100000000/1h", rate_limit_per_channel="100000000/1h",
    )  # fmt: skip
    hearth = Limiter(redis, settings.limits)
    storage = RedisStorage(f"async+redis+unix://{socket}", implementation="redispy")
    anchor = MovingWindowRateLimiter(storage)
    item = parse(PER_USER.replace("/10m", " per 10 minutes"))

    async def hearth_check(number: int) -> None:
        user = f"user{number % USERS}"
        await hearth.check(Subject(user, f"conv{number % USERS}", "tenant"))

    async def anchor_check(number: int) -> None:
        await anchor.hit(item, "user", f"user{number % USERS}")

    print(f"Limiter decisions ({decisions:,} each; {USERS:,} users; per-user limit {PER_USER}):")
    for concurrency in (1, CONCURRENCY):
        for name, check in (("Hearth Limiter (4 windows + 2 budgets)", hearth_check),
                            ("limits MovingWindowRateLimiter (per user)", anchor_check)):  # fmt: skip
            await redis.flushall()
            await check(0)  # load scripts, open connections
            rate, latencies = await timed(check, decisions, concurrency)
            print(row(f"{name}, {concurrency} at a time", rate, latencies))
    await redis.aclose()


async def command_count(redis: Redis) -> int:
    stats = await redis.info("commandstats")
    return sum(int(value["calls"]) for name, value in stats.items() if name != "cmdstat_info")


async def bench_pipeline(socket: str, count: int) -> None:
    pool = ConnectionPool(connection_class=CountingConnection, path=socket)
    redis = Redis(connection_pool=pool)
    settings = load_settings(
        env_file=None, consent_required=False, openai_base_url="http://unused.invalid/v1",
        rate_limit_per_user="1000000/1h", rate_limit_per_channel="1000000/1h",
        rate_limit_per_tenant="100000000/1h", rate_limit_global="100000000/1h",
        llm_tokens_per_minute=10**12, llm_tokens_per_day_per_tenant=10**12,
    )  # fmt: skip
    privacy = settings.privacy
    context = ContextStore(
        redis, ttl=privacy.context_ttl, max_turns=privacy.context_max_turns, max_chars=privacy.context_max_chars,
        flag_ttl=privacy.disclaimer_ttl, crisis_ttl=settings.crisis.crisis_mode_ttl,
    )  # fmt: skip
    prompts = load_prompts(settings.prompts_dir)
    llm: Any = InstantLLM()
    crisis = build_crisis(settings)
    countries = load_countries(settings.prompts_dir / "countries.txt", crisis.directory.aliases)
    pipeline = Pipeline(build_stages(settings, prompts, context, crisis, llm, countries))
    ids = Pseudonymizer(b"bench-secret-0123456789abcdef")

    def msg(number: int) -> IncomingMessage:
        person = str(number % USERS)
        return IncomingMessage(
            platform=Platform.CONSOLE, tenant=ids("tenant", "bench"), user=ids("user", person),
            conversation=ids("conversation", person), text=f"a message of ordinary length, number {number}",
            event_id=f"evt-{number}",
        )  # fmt: skip

    kinds: dict[str, int] = {}

    async def one(number: int) -> None:
        reply = await pipeline.handle(msg(number))
        kinds[reply.kind] = kinds.get(reply.kind, 0) + 1

    await redis.flushall()
    # Every person's first contact (the disclaimer), the scripts' first load, and the pool's 32 connections
    # opened (opening one sends a few commands of its own, which would be counted against the messages).
    await timed(one, USERS, CONCURRENCY)
    print(f"\nWhole pipeline, instant LLM stub ({count:,} messages, {USERS:,} people, 1 process):")
    for round_number, concurrency in enumerate((1, CONCURRENCY), start=1):
        kinds.clear()
        sent, commands = CountingConnection.sent, await command_count(redis)
        rate, latencies = await timed(lambda n, base=round_number * 10**7: one(base + n), count, concurrency)
        trips = (CountingConnection.sent - sent) / count
        per_message = (await command_count(redis) - commands - 1) / count
        print(row(f"messages, {concurrency} at a time", rate, latencies))
        print(f"  {'':<52} Redis round trips/message {trips:.2f}   commands run/message {per_message:.1f}")
        print(f"  {'':<52} replies: {kinds}")
    await redis.aclose()
    await pool.disconnect()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--decisions", type=int, default=20_000)
    parser.add_argument("--messages", type=int, default=5_000)
    options = parser.parse_args()
    with EmbeddedRedis() as server:
        if server.socket is None:
            raise SystemExit("redis-server did not start")
        await bench_limiters(server.url, str(server.socket), options.decisions)
        await bench_pipeline(str(server.socket), options.messages)


if __name__ == "__main__":
    asyncio.run(main())
