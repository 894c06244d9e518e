"""How Hearth connects to Slack: Socket Mode (no public URL needed) or HTTP mode (behind a load balancer).

`SLACK_MODE=http` serves Bolt on `PORT` at `/slack/events`, where Bolt verifies every request's signature;
otherwise Socket Mode connects out with `SLACK_APP_TOKEN`. Both run the same Bolt app and listeners.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from aiohttp import web
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.app.async_server import AsyncSlackAppServer
from slack_bolt.async_app import AsyncApp

from adapters.slack.app import build_bolt
from bot.bootstrap import App
from bot.config import ConfigError

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"


async def _healthy(request: web.Request) -> web.Response:
    """For a load balancer's health check: the process is up and serving."""
    return web.Response(text="ok")


@asynccontextmanager
async def http_server(bolt: AsyncApp, host: str, port: int) -> AsyncIterator[str]:
    """Serve Bolt over HTTP until the block ends; yields the events URL (port 0 picks a free port)."""
    server = AsyncSlackAppServer(port=port, path=EVENTS_PATH, app=bolt, host=host)
    server.web_app.router.add_get(HEALTH_PATH, _healthy)
    runner = web.AppRunner(server.web_app, access_log=None)
    await runner.setup()
    try:
        site = web.TCPSite(runner, host, port)
        await site.start()
        bound = runner.addresses[0][1] if runner.addresses else port
        yield f"http://{host}:{bound}{EVENTS_PATH}"
    finally:
        await runner.cleanup()


@asynccontextmanager
async def socket_mode(bolt: AsyncApp, app_token: str) -> AsyncIterator[AsyncSocketModeHandler]:
    """Connected to Slack's Socket Mode until the block ends."""
    handler = AsyncSocketModeHandler(bolt, app_token=app_token, logger=log)
    try:
        await handler.connect_async()  # type: ignore[no-untyped-call]
        yield handler
    finally:
        await handler.close_async()  # type: ignore[no-untyped-call]


async def run(app: App) -> None:
    slack = app.settings.slack
    bolt = build_bolt(app)
    if slack.slack_mode == "http":
        if slack.slack_signing_secret is None:
            raise ConfigError("Configuration error: SLACK_SIGNING_SECRET: required when SLACK_MODE=http")
        async with http_server(bolt, slack.slack_http_host, slack.port) as url:
            log.info("serving Slack over HTTP at %s", url)
            await asyncio.Event().wait()
        return
    if slack.slack_app_token is None:
        raise ConfigError("Configuration error: SLACK_APP_TOKEN: required for Socket Mode (or set SLACK_MODE=http)")
    async with socket_mode(bolt, slack.slack_app_token.get_secret_value()):
        log.info("connected to Slack in Socket Mode")
        await asyncio.Event().wait()
