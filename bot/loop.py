"""The event loop Hearth runs on: uvloop where it is installed (it is a dependency on Linux and macOS), else
asyncio's own.

Why: on one process, a message's cost is mostly the client's (event loop wake-ups, socket writes, Redis
replies parsed), not Redis's; uvloop's loop, written in C over libuv, does that work for less. discord.py, Bolt,
aiohttp and redis-py run on it unchanged (the test suite runs on the same loop as the bot: tests/conftest.py).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


def loop_factory() -> Callable[[], asyncio.AbstractEventLoop] | None:
    """uvloop's `new_event_loop`, or None (asyncio's default) when uvloop is not installed."""
    try:
        import uvloop
    except ImportError:
        return None
    return uvloop.new_event_loop


def run(main: Coroutine[Any, Any, T]) -> T:
    """`asyncio.run(main)` on the loop above."""
    with asyncio.Runner(loop_factory=loop_factory()) as runner:
        return runner.run(main)
