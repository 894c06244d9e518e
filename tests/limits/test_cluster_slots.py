"""Redis Cluster refuses a script or a transaction whose keys live in different hash slots (CROSSSLOT).

Hearth promises that it works on a cluster: every script and every MULTI/EXEC block keeps its keys in one slot
(hash tags), and a script touches only keys in its own slot. This test watches everything a whole conversation
sends to the real Redis (MONITOR) and asks Redis itself which arguments are keys (COMMAND GETKEYS).
"""

from __future__ import annotations

import asyncio
import re
from collections import defaultdict
from dataclasses import dataclass, field

from redis.asyncio import Redis
from redis.crc import key_slot
from redis.exceptions import ResponseError

from tests.fakes.openai_server import Script
from tests.helpers import message

_LINE = re.compile(r"^\+?[\d.]+ \[\d+ (?P<client>[^\]]+)\] (?P<args>.*)$")
_ARG = re.compile(r'"((?:[^"\\]|\\.)*)"')
_NO_KEYS = {"MULTI", "EXEC", "DISCARD", "SCRIPT", "PING", "CLIENT", "HELLO", "SELECT", "INFO", "COMMAND"}


@dataclass
class Watch:
    lines: list[tuple[str, list[str]]] = field(default_factory=list)


async def _monitor(redis: Redis, watch: Watch, started: asyncio.Event) -> None:
    connection = redis.connection_pool.make_connection()
    await connection.connect()
    try:
        await connection.send_command("MONITOR")
        await connection.read_response()
        started.set()
        while True:
            raw = await connection.read_response()
            line = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
            parsed = _LINE.match(line)
            if parsed:
                args = [arg.encode().decode("unicode_escape") for arg in _ARG.findall(parsed["args"])]
                watch.lines.append((parsed["client"], args))
    finally:
        await connection.disconnect()


async def _keys(redis: Redis, args: list[str]) -> list[str]:
    if args[0].upper() in _NO_KEYS:
        return []
    try:
        found = await redis.command_getkeys(*args)
    except ResponseError:
        return []  # a command with no key arguments
    return [key.decode() if isinstance(key, bytes) else str(key) for key in found]


async def _slot_violations(redis: Redis, watch: Watch) -> list[str]:
    problems: list[str] = []
    open_blocks: dict[str, set[int]] = {}
    script_slot: int | None = None
    per_client: dict[str, list[list[str]]] = defaultdict(list)
    for client, args in watch.lines:
        per_client[client].append(args)
        name = args[0].upper()
        slots = {key_slot(key.encode()) for key in await _keys(redis, args)}
        if client == "lua":  # a command issued from inside the script that ran just before
            if script_slot is not None and slots - {script_slot}:
                problems.append(f"a script reaches outside its slot: {args[0]} {sorted(slots)} vs {script_slot}")
            continue
        if name in ("EVALSHA", "EVAL", "FCALL"):
            if len(slots) > 1:
                problems.append(f"script keys in {len(slots)} slots: {args[3 : 3 + int(args[2])]}")
            script_slot = next(iter(slots)) if slots else None
        if name == "MULTI":
            open_blocks[client] = set()
        elif name in ("EXEC", "DISCARD"):
            if len(open_blocks.pop(client, set())) > 1:
                problems.append(f"a transaction spans several slots (client {client})")
        elif client in open_blocks:
            open_blocks[client] |= slots
    return problems


async def test_every_script_and_transaction_keeps_its_keys_in_one_cluster_slot(make_app, fake_llm, redis):
    app = make_app(openai_base_url=fake_llm.base_url, consent_required=True)
    await app.communities.update(app.ids("tenant", "test"), country="GB", moderator_channel="123")
    fake_llm.push(*[Script(text="I'm here with you.")] * 10)
    watch, started = Watch(), asyncio.Event()
    monitor = asyncio.create_task(_monitor(redis, watch, started))
    await asyncio.wait_for(started.wait(), timeout=5)
    conversation = [
        "hello", "/consent", "I've been feeling low", "/checkin 2 tired", "/breathe", "/stop", "work is a lot",
        "I lost my job and I can't go on", "what bridges are tallest near me", "/mydata", "ok thanks", "/forget",
    ]  # fmt: skip
    try:
        for number, text in enumerate(conversation):
            await app.pipeline.handle(message(app, text, event_id=f"event-{number}"))
        await app.pipeline.handle(message(app, "again", event_id="event-1"))  # a duplicate delivery
        await app.pipeline.handle(message(app, "", action="handoff", link="https://x/1"))
        await asyncio.sleep(0.2)  # MONITOR lines arrive after the replies they belong to
    finally:
        monitor.cancel()
        await asyncio.gather(monitor, return_exceptions=True)

    scripts = [args for client, args in watch.lines if args[0].upper() in ("EVALSHA", "EVAL")]
    assert len(scripts) >= 10  # the watch really saw the conversation's scripts
    assert await _slot_violations(redis, watch) == []
