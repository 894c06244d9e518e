"""Loads and validates `prompts/` at start-up. A bad file is a start-up error that names the file and the key.

Prompts are data: the system prompt, one prompt per mode, and every fixed message the bot says in English only.
What a person near a crisis or at first contact reads (the disclaimer, the consent question and its answers, the
answer to a "no", what works without an LLM, while it fails or is busy, /country's answers) is in their language,
with the crisis texts
(`prompts/crisis/replies/<language>.yaml`, bot/crisis/replies.py). Fixed messages may use `{placeholders}`; the
placeholders each message may use are checked here, once, so a typo in a prompt file can never raise while a
person is waiting for an answer.
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.yamlfile import read_mapping

# Each fixed message and the placeholders it may use.
MESSAGES: dict[str, frozenset[str]] = {
    "about": frozenset({"context_minutes", "flag_time", "checkin_time"}),
    "empty": frozenset(),
    "too_long": frozenset({"limit"}),
    "mydata_none": frozenset(),
    "mydata_intro": frozenset(),
    "forgotten": frozenset(),
    "forget_failed": frozenset(),
    "storage_down": frozenset(),
    "help": frozenset(),
    "unknown_command": frozenset({"command"}),
    "no_command": frozenset(),
    "screened_out": frozenset(),
    "screened_secrecy": frozenset(),
    # limits (bot/limit_stage.py, bot/reply.py, bot/fold.py): {when} reads like "in about 4 minutes"
    "limit_user": frozenset({"when"}),
    "limit_shared": frozenset({"when"}),
    "limit_budget": frozenset({"when"}),
    "still_answering": frozenset(),
}
MODES = ("listen", "careful", "crisis", "declined")


class PromptError(Exception):
    """A prompt file is missing or malformed. The message is one line naming the file."""


@dataclass(frozen=True)
class Prompts:
    system: str
    modes: dict[str, str]
    messages: dict[str, str]

    def say(self, key: str, **values: Any) -> str:
        return self.messages[key].format(**values) if values else self.messages[key]


def load_prompts(folder: Path) -> Prompts:
    system = _read_text(folder / "system.md")
    modes = {mode: _read_text(folder / "modes" / f"{mode}.md") for mode in MODES}
    messages = _read_messages(folder / "messages.yaml")
    return Prompts(system=system, modes=modes, messages=messages)


def _read_text(path: Path) -> str:
    try:
        text = path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        raise PromptError(f"Prompt file missing: {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise PromptError(f"Prompt file unreadable: {path} ({type(exc).__name__})") from None
    if not text:
        raise PromptError(f"Prompt file is empty: {path}")
    return text


def _read_messages(path: Path) -> dict[str, str]:
    data = read_mapping(path, PromptError, "Prompt file")
    messages: dict[str, str] = {}
    for key, allowed in MESSAGES.items():
        value = data.get(key)
        if not isinstance(value, str) or not value.strip():
            raise PromptError(f"Prompt file {path}: message '{key}' is missing or empty")
        used = {field for _, field, _, _ in string.Formatter().parse(value) if field is not None}
        if not used <= allowed:
            unknown = ", ".join(sorted(used - allowed))
            raise PromptError(f"Prompt file {path}: message '{key}' uses unknown placeholder(s) {unknown}")
        messages[key] = value.strip()
    return messages
