"""What Discord's command picker says about each slash command and option, in the Discord client's language.

The texts are data (`commands:` in prompts/messages/<language>.yaml, checked when the prompts are loaded). The
English one is each command's `description`; `CommandTranslator` gives discord.py the others when the tree is
synced, and discord.py sends them as `description_localizations`, from which Discord picks the client's locale.
Command and option names are never translated: people type them, and the help texts name them.
"""

from __future__ import annotations

import discord
from discord import app_commands

from bot.bootstrap import App
from bot.crisis.language import DEFAULT_LANGUAGE
from bot.prompts import PromptError, Prompts


def picker_text(app: App, key: str) -> app_commands.locale_str:
    """The English text for `key` ("resources.options.country"), marked for translation. A command Discord
    registers whose text English lacks stops start-up, naming the file and the key."""
    english = app.prompts().commands.get(key)
    if english is None:
        path = app.settings.prompts_dir / "messages" / f"{DEFAULT_LANGUAGE}.yaml"
        raise PromptError(f"Prompt file {path}: 'commands.{key}' is missing, and Discord registers it")
    return app_commands.locale_str(english, key=key)


def language_of(locale: discord.Locale, prompts: Prompts) -> str | None:
    """Hearth's language for a Discord locale ("es-419" and "es-ES" → "es", "pt-BR" → "pt"), if it has texts in
    it other than English (English is the `description` itself)."""
    language = locale.value.split("-")[0].lower()
    return language if language != DEFAULT_LANGUAGE and language in prompts.by_language else None


class CommandTranslator(app_commands.Translator):
    """Translates the texts `picker_text` marked, and nothing else: the names stay as they are."""

    def __init__(self, prompts: Prompts) -> None:
        self._prompts = prompts

    async def translate(
        self,
        string: app_commands.locale_str,
        locale: discord.Locale,
        context: app_commands.TranslationContextTypes,
    ) -> str | None:
        key = string.extras.get("key")
        language = language_of(locale, self._prompts)
        if not isinstance(key, str) or language is None:
            return None
        return self._prompts(language).commands.get(key)
