"""Loads and validates `prompts/` at start-up. A bad file is a start-up error that names the file and the key.

Prompts are data: the system prompt, one prompt per mode, and every fixed message the bot says, one file per
language (`prompts/messages/<language>.yaml`). English (`en.yaml`) is required and complete; another language's
file is laid over it (bot/yamlfile.py, `overlay`), so a key it lacks is said in English, and a key it holds must
fill the same placeholders English does. Which language a turn is answered in is chosen in one place,
`Crisis.language` (bot/crisis/service.py), for these messages as for the crisis texts
(`prompts/crisis/replies/<language>.yaml`, bot/crisis/replies.py), which must be complete in every language.
The placeholders each message may use are checked here, once, so a typo in a prompt file can never raise while
a person is waiting for an answer. The `commands:` section of each file describes the slash commands (and their
options) in the platform's command picker; those texts are checked against the picker's length limit here too.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.crisis.language import DEFAULT_LANGUAGE
from bot.yamlfile import overlay, placeholders, read_mapping

# Each fixed message and the placeholders it may use.
MESSAGES: dict[str, frozenset[str]] = {
    "about": frozenset({"context_minutes", "flag_time", "checkin_time"}),
    "empty": frozenset(),
    "too_long": frozenset({"limit"}),
    "mydata_none": frozenset(),
    "mydata_intro": frozenset(),
    # /mydata's list: one line per thing held, and what each kind of thing is ({n}: how many).
    "held_item": frozenset({"what", "time"}),
    "held_ctx_one": frozenset(),
    "held_ctx": frozenset({"n"}),
    "held_crisis": frozenset(),
    "held_safety": frozenset(),
    "held_alerted": frozenset(),
    "held_consent": frozenset(),
    "held_disclaimer": frozenset(),
    "held_privacy": frozenset(),
    "held_flow": frozenset(),
    "held_checkins": frozenset({"n"}),
    "held_country": frozenset(),
    "held_lang": frozenset(),
    "held_pending": frozenset({"n"}),
    "held_limit": frozenset({"n"}),
    "held_other": frozenset(),
    # How long something is kept, as /about and /mydata say it (days only from 2 on).
    "duration_minutes": frozenset({"n"}),
    "duration_hours": frozenset({"n"}),
    "duration_days": frozenset({"n"}),
    "forgotten": frozenset(),
    "forget_failed": frozenset(),
    "storage_down": frozenset(),
    "sorry": frozenset(),  # a stage failed (bot/pipeline.py): never any of the exception's text
    "help": frozenset(),
    "unknown_command": frozenset({"command"}),
    "no_command": frozenset(),
    "screened_out": frozenset(),
    "screened_secrecy": frozenset(),
    # limits (bot/limit_stage.py, bot/reply.py, bot/fold.py): {when} is one of the `when_` texts below
    "limit_user": frozenset({"when"}),
    "limit_shared": frozenset({"when"}),
    "limit_budget": frozenset({"when"}),
    "still_answering": frozenset(),
    # When someone can write again, rounded up (days only from 2 on).
    "when_seconds_few": frozenset(),
    "when_seconds": frozenset({"n"}),
    "when_minute": frozenset(),
    "when_minutes": frozenset({"n"}),
    "when_hour": frozenset(),
    "when_hours": frozenset({"n"}),
    "when_days": frozenset({"n"}),
    # Step-by-step exercises (bot/tools/flows.py): /stop's answers, the way back after a safety question, the button.
    "exercise_stopped": frozenset(),
    "exercise_none": frozenset(),
    "exercise_resume": frozenset(),
    "stop_exercise": frozenset(),
    # Slack's App Home (adapters/slack/home.py), shown in the person's Slack language: headings, how to write to
    # Hearth there, and the buttons for the commands it offers ({country}: the workspace's, e.g. "NZ").
    "home_lines": frozenset(),
    "home_lines_in": frozenset({"country"}),
    "home_tools": frozenset(),
    "home_how": frozenset(),
    "home_breathe": frozenset(),
    "home_ground": frozenset(),
    "home_mydata": frozenset(),
    "home_forget": frozenset(),
    "home_help": frozenset(),
    # What moderators and admins read, in the community's language (`Community.language`, else the platform's
    # fallback), never the person's: the alerts on Discord (adapters/discord/alerts.py) and Slack
    # (adapters/slack/deliver.py), and the settings (adapters/discord/commands.py, adapters/slack/admin.py).
    # {member}, {person}, {channel}, {role}, {link}: mentions and links the adapter makes; {level}: the level's name.
    "language_name": frozenset(),
    "mod_alert": frozenset({"level"}),
    "mod_link": frozenset({"link"}),
    "mod_no_link": frozenset(),
    "mod_member": frozenset({"member"}),
    "mod_member_in": frozenset({"member", "channel"}),
    "mod_unreached": frozenset(),
    "mod_shared": frozenset({"summary"}),
    "mod_slack_alert": frozenset({"level", "link"}),
    "mod_slack_open": frozenset(),
    "mod_slack_in_dm": frozenset({"person"}),
    "mod_slack_no_link": frozenset({"person"}),
    "mod_slack_no_place": frozenset(),
    "config_title": frozenset(),
    "config_country": frozenset({"country"}),
    "config_country_unset": frozenset(),
    "config_language": frozenset({"language"}),
    "config_language_unset": frozenset({"language"}),
    "config_language_server": frozenset({"language"}),
    "config_channels": frozenset({"channels"}),
    "config_channels_none": frozenset(),
    "config_alerts": frozenset({"channel"}),
    "config_role": frozenset({"role"}),
    "config_unset": frozenset(),
    "config_not_admin": frozenset(),
    "config_storage_down": frozenset(),
    "config_bad_country": frozenset(),
    "config_not_a_country": frozenset({"code"}),
    "config_not_a_language": frozenset({"code", "languages"}),
    "config_saved": frozenset(),
    "config_slack_usage": frozenset(),
    "config_slack_champions": frozenset({"channel"}),
    "config_slack_channels": frozenset({"channels"}),
    "config_slack_not_a_country": frozenset({"code"}),
    "config_slack_not_admin": frozenset(),
    "config_slack_unavailable": frozenset(),
    "config_slack_store_down": frozenset(),
}
MODES = ("listen", "careful", "crisis", "declined")
# Discord's limit for a slash command's description and an option's (1 to 100 characters): longer, Discord
# refuses the whole command list, so it is checked when the files are read, not when the commands are synced.
COMMAND_TEXT_LIMIT = 100


class PromptError(Exception):
    """A prompt file is missing or malformed. The message is one line naming the file."""


@dataclass(frozen=True)
class Messages:
    """The fixed messages in one language (English where that language's file lacks one)."""

    language: str
    texts: Mapping[str, str]
    # The slash commands' picker texts: "about.description", "resources.options.country", as under `commands:`.
    commands: Mapping[str, str] = field(default_factory=dict)

    def say(self, key: str, **values: Any) -> str:
        return self.texts[key].format(**values) if values else self.texts[key]

    def duration(self, seconds: int) -> str:
        """How long something is kept, as people say it: '30 min', '24 h', '14 days'."""
        if seconds >= 2 * 86400:
            return self.say("duration_days", n=round(seconds / 86400))
        if seconds >= 5400:
            return self.say("duration_hours", n=round(seconds / 3600))
        return self.say("duration_minutes", n=max(1, round(seconds / 60)))

    def when(self, seconds: float) -> str:
        """'in a few seconds', 'in about 4 minutes', 'in about 2 hours': rounded up, never promising too early."""
        if seconds < 10:
            return self.say("when_seconds_few")
        if seconds < 60:
            return self.say("when_seconds", n=math.ceil(seconds / 10) * 10)
        if seconds < 90 * 60:
            count = math.ceil(seconds / 60)
            return self.say("when_minute") if count == 1 else self.say("when_minutes", n=count)
        if seconds < 36 * 3600:
            count = math.ceil(seconds / 3600)
            return self.say("when_hour") if count == 1 else self.say("when_hours", n=count)
        return self.say("when_days", n=math.ceil(seconds / 86400))


@dataclass(frozen=True)
class Prompts:
    system: str
    modes: dict[str, str]
    by_language: Mapping[str, Messages]

    def __call__(self, language: str | None = None) -> Messages:
        """The messages in `language` (as `Crisis.language` chose it for the turn); English when there are none."""
        return self.by_language.get(language or DEFAULT_LANGUAGE, self.by_language[DEFAULT_LANGUAGE])

    def say(self, key: str, **values: Any) -> str:
        """A message in English, for what no one's turn decides."""
        return self().say(key, **values)

    def named(self, language: str) -> str:
        """'Español (es)': a language as its own speakers name it, with the code an admin types to choose it."""
        return f"{self(language).say('language_name')} ({language})"


def load_prompts(folder: Path) -> Prompts:
    system = _read_text(folder / "system.md")
    modes = {mode: _read_text(folder / "modes" / f"{mode}.md") for mode in MODES}
    return Prompts(system=system, modes=modes, by_language=_read_messages(folder / "messages"))


def language_files(folder: Path, suffix: str = ".yaml") -> dict[str, Path]:
    """`folder/<language><suffix>` (or `folder/<language>/` for an empty suffix) by language, English required."""
    found = {
        path.name.removesuffix(suffix): path
        for path in sorted(folder.glob(f"*{suffix}" if suffix else "*"))
        if (path.is_file() if suffix else path.is_dir())
    }
    if DEFAULT_LANGUAGE not in found:
        raise PromptError(f"Prompt file missing: {folder / DEFAULT_LANGUAGE}{suffix}")
    return found


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


def _read_messages(folder: Path) -> dict[str, Messages]:
    files = language_files(folder)
    english_path = files[DEFAULT_LANGUAGE]
    english_data = read_mapping(english_path, PromptError, "Prompt file")
    english_commands = english_data.pop("commands", None)
    english = _checked(english_path, english_data)
    commands = _command_texts(english_path, english_commands)
    by_language = {DEFAULT_LANGUAGE: Messages(DEFAULT_LANGUAGE, english, commands)}
    for language, path in files.items():
        if language != DEFAULT_LANGUAGE:
            data = read_mapping(path, PromptError, "Prompt file")
            translated = data.pop("commands", {})
            own_commands = overlay(english_commands, translated, path, PromptError, "Prompt file", "commands")
            own = overlay(english, data, path, PromptError, "Prompt file")
            texts = {key: text.strip() for key, text in own.items()}
            by_language[language] = Messages(language, texts, _command_texts(path, own_commands))
    return by_language


def _command_texts(path: Path, section: Any) -> dict[str, str]:
    """The `commands:` section as flat keys ("resources.options.country"), each text one the picker can show.

    Its shape is English's to choose (each platform adapter looks up the commands it registers, and says which
    one English lacks); every file's texts must fit `COMMAND_TEXT_LIMIT`."""
    if not isinstance(section, dict) or not section:
        raise PromptError(f"Prompt file {path}: 'commands' is missing or not a mapping of command names")
    flat: dict[str, Any] = {}
    for name, entry in section.items():
        if not isinstance(entry, dict) or set(entry) - {"description", "options"}:
            raise PromptError(f"Prompt file {path}: 'commands.{name}' must hold a description and maybe options")
        options = entry.get("options", {})
        if not isinstance(options, dict):
            raise PromptError(f"Prompt file {path}: 'commands.{name}.options' must map option names to texts")
        flat[f"{name}.description"] = entry.get("description")
        flat.update({f"{name}.options.{option}": text for option, text in options.items()})
    for key, text in flat.items():
        if not isinstance(text, str) or not text.strip():
            raise PromptError(f"Prompt file {path}: 'commands.{key}' is missing or empty")
        if len(text.strip()) > COMMAND_TEXT_LIMIT:
            raise PromptError(
                f"Prompt file {path}: 'commands.{key}' is {len(text.strip())} characters long; "
                f"a command picker shows at most {COMMAND_TEXT_LIMIT}"
            )
    return {key: text.strip() for key, text in flat.items()}


def _checked(path: Path, data: dict[str, Any]) -> dict[str, str]:
    """English: every message there, each using only the placeholders it may (and nothing the code never reads)."""
    unknown = sorted(str(key) for key in data if key not in MESSAGES)
    if unknown:
        raise PromptError(f"Prompt file {path}: unknown message(s) {', '.join(unknown)}")
    messages: dict[str, str] = {}
    for key, allowed in MESSAGES.items():
        value = data.get(key)
        if not isinstance(value, str) or not value.strip():
            raise PromptError(f"Prompt file {path}: message '{key}' is missing or empty")
        try:
            used = placeholders(value)
        except ValueError:
            raise PromptError(f"Prompt file {path}: message '{key}' has a stray {{ or }}") from None
        if not used <= allowed:
            unknown_fields = ", ".join(sorted(used - allowed))
            raise PromptError(f"Prompt file {path}: message '{key}' uses unknown placeholder(s) {unknown_fields}")
        messages[key] = value.strip()
    return messages
