"""The words every platform's settings share about the community's language, in the staff's own language.

What Hearth writes to a community's moderators and admins (alerts, settings) is in `Community.language`, else a
platform's fallback; these helpers say which one is in use, and what to type instead of an unknown one.
"""

from __future__ import annotations

from bot.community import LANGUAGES, Community
from bot.crisis.language import DEFAULT_LANGUAGE
from bot.prompts import Messages, Prompts

# The most of an unknown language an admin typed that is said back to them.
SHOWN = 12


def language_shown(prompts: Prompts, community: Community, said: Messages, fallback: str | None) -> str:
    """The settings' language line: the language an admin chose, else the one used instead (`fallback`, the
    platform's own, e.g. a Discord server's, or else English), said to be unset."""
    if community.language:
        return prompts.named(community.language)
    if fallback:
        return said.say("config_language_server", language=prompts.named(fallback))
    return said.say("config_language_unset", language=prompts.named(DEFAULT_LANGUAGE))


def not_a_language(said: Messages, shown: str) -> str:
    """The refusal of what an admin typed, which names no language of Hearth's (`shown`: at most `SHOWN`
    characters of it, made safe for the platform), with the codes to choose from."""
    return said.say("config_not_a_language", code=shown, languages=", ".join(sorted(LANGUAGES)))
