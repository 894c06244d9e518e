"""`python -m bot [console|discord|slack]`: start Hearth.

With no argument it runs what the settings configure (DESIGN.md, "Start-up"); with nothing configured, the
console. Any start-up problem is one line on stderr and exit code 2, never a traceback. SIGTERM and SIGINT stop
it gracefully (bot/shutdown.py), with exit code 0.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import logging
import os
import signal
import sys
from collections.abc import Awaitable, Callable
from typing import cast

from bot.bootstrap import App, running
from bot.config import ConfigError, load_settings
from bot.embedded_redis import EmbeddedRedisError
from bot.prompts import PromptError
from bot.shutdown import Shutdown, serve

PLATFORMS = ("console", "discord", "slack")

Runner = Callable[[App], Awaitable[None]]


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bot", description="Hearth, a peer-support bot.")
    parser.add_argument("platform", nargs="?", choices=PLATFORMS, help="force a platform (default: from settings)")
    parser.add_argument("--env-file", default=".env", help="settings file to read (default: .env)")
    return parser.parse_args(argv)


def _runner(platform: str) -> Runner:
    module = importlib.import_module(f"adapters.{platform}")
    return cast(Runner, module.run)


def _on_signals(loop: asyncio.AbstractEventLoop) -> Shutdown:
    """SIGTERM and SIGINT ask for a graceful stop instead of ending the process mid-reply."""
    shutdown = Shutdown()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, shutdown.request, sig.name)
    return shutdown


async def _serve(platform: str, env_file: str) -> None:
    shutdown = _on_signals(asyncio.get_running_loop())
    settings = load_settings(env_file=env_file)
    chosen = platform or settings.platform()
    settings.require(chosen)
    runner = _runner(chosen)
    async with running(settings) as app:
        await serve(runner(app), app.pipeline, shutdown, settings.process.shutdown_grace_seconds)


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    logging.basicConfig(
        level=os.environ.get("LOG_LEVEL", "WARNING").upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    try:
        asyncio.run(_serve(args.platform or "", args.env_file))
    except (ConfigError, PromptError, EmbeddedRedisError) as exc:
        print(f"hearth: {exc}", file=sys.stderr)  # noqa: T201 - the operator's one line
        return 2
    except KeyboardInterrupt:
        return 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
