"""A terminal chat. Interactive on a terminal; with stdin not a terminal, each line is one message, each
reply is printed as soon as it is ready, and it exits at end of input, so a conversation can be scripted.

The console user is the OS user: with the same `REDIS_URL` and `ID_HASH_SECRET`, a later run is the same person.
"""

from __future__ import annotations

import asyncio
import getpass
import os
import sys
import threading
from typing import IO

from adapters.console.markdown import for_terminal, styled_output
from bot.bootstrap import App
from bot.models import ACTION_HANDOFF, ACTION_HANDOFF_SHARE, ACTION_STOP_EXERCISE, IncomingMessage, Platform, Reply

# Buttons become commands in the console: the reply lists them and typing one presses the button.
_ACTION_COMMANDS = {ACTION_HANDOFF, ACTION_HANDOFF_SHARE, ACTION_STOP_EXERCISE}


class Console:
    def __init__(self, app: App, stdin: IO[bytes], stdout: IO[str], interactive: bool, *, styled: bool = False) -> None:
        self._app = app
        self._stdin = stdin
        self._stdout = stdout
        self._interactive = interactive
        self._styled = styled
        os_user = _os_user()
        ids = app.ids
        self._base = {
            "platform": Platform.CONSOLE,
            "tenant": ids("tenant", "console"),
            "user": ids("user", "console", os_user),
            "conversation": ids("conversation", "console", os_user),
        }

    def message(self, line: str) -> IncomingMessage:
        text = line.strip()
        action = text[1:] if text.startswith("/") and text[1:] in _ACTION_COMMANDS else None
        return IncomingMessage(
            platform=Platform.CONSOLE,
            tenant=self._base["tenant"],
            user=self._base["user"],
            conversation=self._base["conversation"],
            text="" if action else line,
            is_private=True,
            action=action,
        )

    async def run(self) -> None:
        lines = _Lines(self._stdin.fileno(), asyncio.get_running_loop())
        if self._interactive:
            self._write("Hearth (console). Type /help for commands, Ctrl-D to leave.\n\n")
        while True:
            if self._interactive:
                self._write("you> ")
            raw = await lines.next()
            if not raw:
                break
            line = raw.decode("utf-8", errors="replace").rstrip("\r\n")
            if not line.strip() and not self._interactive:
                continue
            await self.exchange(line)

    async def exchange(self, line: str) -> None:
        shown = ""

        async def show_partial(text: str) -> None:
            nonlocal shown
            if not shown:
                self._write("hearth> ")
            self._write(text[len(shown) :] if text.startswith(shown) else "\n" + text)
            shown = text

        with self._app.pipeline.delivering():
            reply = await self._app.pipeline.handle(self.message(line), show_partial if self._interactive else None)
            self._show(reply, shown)

    def _show(self, reply: Reply, shown: str) -> None:
        if shown and reply.streamed and reply.text.startswith(shown):
            self._write(reply.text[len(shown) :] + "\n")
            self._write(render_actions(reply))
        else:
            if shown:
                self._write("\n")
            self._write(render(reply, prefix="hearth> " if self._interactive else "", styled=self._styled))
        self._write("\n")

    def _write(self, text: str) -> None:
        self._stdout.write(text)
        self._stdout.flush()


class _Lines:
    """stdin's lines, read by a daemon thread straight from the file descriptor.

    A shutdown must not wait for a read that ends only when the person types: asyncio's executor threads are
    joined at exit. And a daemon thread blocked inside the buffered `sys.stdin` aborts the interpreter at exit.
    """

    def __init__(self, fd: int, loop: asyncio.AbstractEventLoop) -> None:
        self._queue: asyncio.Queue[bytes] = asyncio.Queue()
        self._loop = loop
        threading.Thread(target=self._read, args=(fd,), name="console-stdin", daemon=True).start()

    async def next(self) -> bytes:
        """The next line with its newline; b"" at end of input."""
        return await self._queue.get()

    def _read(self, fd: int) -> None:
        pending = b""
        while True:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                chunk = b""
            if not chunk:
                break
            *lines, pending = (pending + chunk).split(b"\n")
            if not all(self._put(line + b"\n") for line in lines):
                return
        if pending:
            self._put(pending)
        self._put(b"")

    def _put(self, line: bytes) -> bool:
        try:
            self._loop.call_soon_threadsafe(self._queue.put_nowait, line)
        except RuntimeError:  # the loop has closed: Hearth is stopping and nobody waits for input
            return False
        return True


def render(reply: Reply, prefix: str = "", *, styled: bool = False) -> str:
    return f"{prefix}{for_terminal(reply.text, styled=styled)}\n" + render_actions(reply)


def render_actions(reply: Reply) -> str:
    if not reply.actions:
        return ""
    options = "  ·  ".join(f"/{action.id} ({action.label})" for action in reply.actions)
    return f"[{options}]\n"


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "console-user"


async def run(app: App) -> None:
    interactive = sys.stdin.isatty()
    styled = styled_output(sys.stdout.isatty(), os.environ)
    await Console(app, sys.stdin.buffer, sys.stdout, interactive, styled=styled).run()
