"""A terminal chat. Interactive on a terminal; with stdin not a terminal, each line is one message, each
reply is printed as soon as it is ready, and it exits at end of input, so a conversation can be scripted.

The console user is the OS user: with the same `REDIS_URL` and `ID_HASH_SECRET`, a later run is the same person.
"""

from __future__ import annotations

import asyncio
import getpass
import sys
from typing import IO

from bot.bootstrap import App
from bot.models import ACTION_HANDOFF, ACTION_HANDOFF_SHARE, ACTION_STOP_EXERCISE, IncomingMessage, Platform, Reply

# Buttons become commands in the console: the reply lists them and typing one presses the button.
_ACTION_COMMANDS = {ACTION_HANDOFF, ACTION_HANDOFF_SHARE, ACTION_STOP_EXERCISE}


class Console:
    def __init__(self, app: App, stdin: IO[bytes], stdout: IO[str], interactive: bool) -> None:
        self._app = app
        self._stdin = stdin
        self._stdout = stdout
        self._interactive = interactive
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
        loop = asyncio.get_running_loop()
        if self._interactive:
            self._write("Hearth (console). Type /help for commands, Ctrl-D to leave.\n\n")
        while True:
            if self._interactive:
                self._write("you> ")
            raw = await loop.run_in_executor(None, self._stdin.readline)
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

        reply = await self._app.pipeline.handle(self.message(line), show_partial if self._interactive else None)
        if shown and reply.streamed and reply.text.startswith(shown):
            self._write(reply.text[len(shown) :] + "\n")
            self._write(render_actions(reply))
        else:
            if shown:
                self._write("\n")
            self._write(render(reply, prefix="hearth> " if self._interactive else ""))
        self._write("\n")

    def _write(self, text: str) -> None:
        self._stdout.write(text)
        self._stdout.flush()


def render(reply: Reply, prefix: str = "") -> str:
    return f"{prefix}{reply.text}\n" + render_actions(reply)


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
    await Console(app, sys.stdin.buffer, sys.stdout, interactive).run()
