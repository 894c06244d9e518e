"""One Redis round trip for the hot path: a few commands in one packet, their raw replies back.

A message's two round trips carry five commands in all, and on one process each cost the client far more than
Redis spends on it: redis-py's pipeline adds, per command, argument encoding and packing in Python, reply
callbacks and bookkeeping, and per round trip a pool checkout with its lock, metrics and a readiness probe.
Here the commands are packed by hiredis (C) into one packet, the replies are read by redis-py's own parser with
its socket timeout, and none is post-processed: callers get what the scripts and GET return.

Connections come from the client's own pool (same URL, TLS, timeouts and retry policy). They are checked out
once and then kept in a small free list of our own, so the pool still closes them when the client closes. Each
is used by one round trip at a time; one that fails or is cancelled mid-way is disconnected before reuse, so a
late reply can never be read as the answer to the next round trip. A packet that could not be delivered because
Redis had closed an idle connection is sent once more on a new one; a round trip that fails after delivery is
not repeated (a script may have run), and the caller fails open as when Redis is down.
"""

from __future__ import annotations

from typing import Any

import hiredis
from redis.asyncio import Redis
from redis.asyncio.connection import AbstractConnection
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import ResponseError

Arg = str | int


class Batch:
    """The commands of one round trip, in order. Their results come back in the same order."""

    __slots__ = ("commands",)

    def __init__(self) -> None:
        self.commands: list[tuple[Arg, ...]] = []

    def evalsha(self, sha: str, numkeys: int, *keys_and_args: Arg) -> None:
        self.commands.append(("EVALSHA", sha, numkeys, *keys_and_args))

    def command(self, *args: Arg) -> None:
        self.commands.append(args)


class RoundTrips:
    def __init__(self, redis: Redis) -> None:
        self._pool = redis.connection_pool
        self._idle: list[AbstractConnection] = []

    async def send(self, batch: Batch) -> list[Any]:
        """Every command's reply, an error reply as its `ResponseError` in place (not raised). Raises only when
        the round trip itself failed (Redis unreachable, a time-out): then no reply can be trusted."""
        if not batch.commands:
            return []
        # hiredis's stub types the tuple as one element long; it takes any number.
        packet = b"".join([hiredis.pack_command(command) for command in batch.commands])  # type: ignore[arg-type]
        connection = self._idle.pop() if self._idle else await self._pool.get_connection()  # type: ignore[no-untyped-call]
        try:
            try:
                await self._send(connection, packet)
            except RedisConnectionError:
                # Redis closed this connection while it sat idle (a restart, its `timeout` setting), as the pool's
                # own check-out would have found: the packet was not delivered, so connect again and send it once.
                await connection.disconnect(nowait=True)
                await self._send(connection, packet)
            return await self._replies(connection, len(batch.commands))
        except BaseException:
            await connection.disconnect(nowait=True)
            raise
        finally:
            self._idle.append(connection)

    @staticmethod
    async def _send(connection: AbstractConnection, packet: bytes) -> None:
        if not connection.is_connected:
            await connection.connect()  # type: ignore[no-untyped-call]
        await connection.send_packed_command(packet)

    @staticmethod
    async def _replies(connection: AbstractConnection, count: int) -> list[Any]:
        replies: list[Any] = []
        for _ in range(count):
            try:
                replies.append(await connection.read_response())
            except ResponseError as error:
                replies.append(error)
        return replies
