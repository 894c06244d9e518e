"""Benchmark of the Slack adapter's own overhead: the real Bolt app, over loopback, against the Slack stand-in.

    /work/main/.venv/bin/python -m bench.slack_bench [--messages 200]

Prints, for HTTP mode (signed POSTs to /slack/events) and Socket Mode (envelopes over the websocket), one DM at a
time, with no LLM configured so only Hearth's pipeline, Redis and the Slack round trips are measured:
- ack: from sending the event to Slack's receiving the acknowledgement (Slack allows 3 s);
- reply: from sending the event to the reply's chat.postMessage arriving at the stand-in.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time
from typing import Any

import aiohttp
from redis.asyncio import Redis
from slack_sdk.signature import SignatureVerifier

from adapters.slack.app import build_bolt
from adapters.slack.modes import http_server, socket_mode
from bot.bootstrap import build_app
from bot.config import load_settings
from bot.embedded_redis import EmbeddedRedis
from tests.fakes.slack_server import APP_TOKEN, BOT_TOKEN, TEAM, FakeSlack

SECRET = "bench-signing-secret"  # noqa: S105 - a throwaway secret for a loopback stand-in


def _dm(number: int) -> dict[str, Any]:
    ts = f"{int(time.time())}.{number:06d}"
    event = {"type": "message", "channel_type": "im", "channel": "D0BENCH", "user": f"U0B{number % 50}",
             "text": "/about", "ts": ts, "client_msg_id": f"bench-{number}", "team": TEAM}  # fmt: skip
    return {"team_id": TEAM, "type": "event_callback", "event_id": f"EvB{number}", "event": event}


def _figures(name: str, samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[int(len(ordered) * 0.95) - 1]
    return f"{name:<22} p50 {statistics.median(ordered) * 1000:6.1f} ms   p95 {p95 * 1000:6.1f} ms   n={len(ordered)}"


async def _http(app: Any, slack: FakeSlack, count: int) -> tuple[list[float], list[float]]:
    acks, replies = [], []
    async with http_server(build_bolt(app), "127.0.0.1", 0) as url, aiohttp.ClientSession() as session:
        for number in range(count):
            body = json.dumps(_dm(number))
            stamp = str(int(time.time()))
            signature = SignatureVerifier(SECRET).generate_signature(timestamp=stamp, body=body)
            headers = {"Content-Type": "application/json", "X-Slack-Request-Timestamp": stamp,
                       "X-Slack-Signature": signature}  # fmt: skip
            before, start = len(slack.called("chat.postMessage")), time.perf_counter()
            async with session.post(url, data=body.encode(), headers=headers) as response:
                await response.read()
            acks.append(time.perf_counter() - start)
            await slack.wait_for(lambda before=before: len(slack.called("chat.postMessage")) > before)
            replies.append(time.perf_counter() - start)
    return acks, replies


async def _socket(app: Any, slack: FakeSlack, count: int) -> tuple[list[float], list[float]]:
    acks, replies = [], []
    async with socket_mode(build_bolt(app), APP_TOKEN):
        await slack.connected()
        for number in range(count):
            before, start = len(slack.called("chat.postMessage")), time.perf_counter()
            envelope = await slack.send_envelope("events_api", _dm(100_000 + number))
            await slack.wait_for(lambda envelope=envelope: envelope in slack.acks)
            acks.append(time.perf_counter() - start)
            await slack.wait_for(lambda before=before: len(slack.called("chat.postMessage")) > before)
            replies.append(time.perf_counter() - start)
    return acks, replies


async def main(count: int) -> None:
    with EmbeddedRedis() as server:
        redis: Redis = Redis.from_url(server.url)
        slack = FakeSlack()
        await slack.start()
        settings = load_settings(
            env_file=None, redis_url=server.url, openai_api_key=None, openai_base_url=None,
            slack_bot_token=BOT_TOKEN, slack_app_token=APP_TOKEN, slack_signing_secret=SECRET,
            slack_api_base_url=slack.base_url,
        )  # fmt: skip
        app = build_app(settings, redis, hash_secret=b"b" * 32)
        try:
            http_acks, http_replies = await _http(app, slack, count)
            socket_acks, socket_replies = await _socket(app, slack, count)
        finally:
            await slack.stop()
            await redis.aclose()
    print(_figures("HTTP mode ack", http_acks))
    print(_figures("HTTP mode reply", http_replies))
    print(_figures("Socket Mode ack", socket_acks))
    print(_figures("Socket Mode reply", socket_replies))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=200)
    asyncio.run(main(parser.parse_args().messages))
