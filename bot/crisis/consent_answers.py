"""Whether a short reply to the consent question says yes or no, and in which language.

The words are data, one `consent_answers` section per language in `prompts/crisis/replies/<language>.yaml`
(`agree` and `decline`, regular expressions matching the whole reply). The person's own language is tried first,
then every other: a "oui" after a question Hearth asked in English is still a yes, and is answered in French.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from bot.crisis.lexicon import CrisisDataError, compiled, phrases


@dataclass(frozen=True)
class ConsentAnswer:
    agreed: bool
    language: str  # the language whose words these are: the person's own where they are its words too


@dataclass(frozen=True)
class ConsentAnswers:
    agree: Mapping[str, re.Pattern[str]]
    decline: Mapping[str, re.Pattern[str]]

    def answer(self, reply: str, language: str) -> bool | None:
        """True for a yes in `language`'s words, False for a no, None for neither; `reply` as `normalised` leaves it."""
        if self.agree[language].fullmatch(reply):
            return True
        if self.decline[language].fullmatch(reply):
            return False
        return None

    def understood(self, text: str, language: str) -> ConsentAnswer | None:
        """The reply's yes or no in the person's `language`, else in the one language whose words they are (two
        languages that share the word, Dutch and German "ja", leave the answer in the person's language)."""
        reply = normalised(text)
        agreed = self.answer(reply, language)
        if agreed is not None:
            return ConsentAnswer(agreed, language)
        said = {other: answer for other in self.agree if (answer := self.answer(reply, other)) is not None}
        if not said:
            return None
        if len(said) == 1:
            [(other, agreed)] = said.items()
            return ConsentAnswer(agreed, other)
        return ConsentAnswer(next(iter(said.values())), language)


def normalised(text: str) -> str:
    """A short reply brought to one form: lower case, no surrounding punctuation, spaces collapsed, ’ as '."""
    return " ".join(text.lower().replace("’", "'").strip(" \t.!,;:-¡").split())


def load_consent_answers(path: Path, data: Mapping[str, object]) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """One language's `consent_answers`: its `agree` and its `decline` words, each one pattern."""
    raw = data.get("consent_answers")
    if not isinstance(raw, dict):
        raise CrisisDataError(f"Crisis data file {path}: 'consent_answers' must be a mapping of agree and decline")
    agree, decline = ("|".join(phrases(path, f"consent_answers.{key}", raw.get(key))) for key in ("agree", "decline"))
    return compiled(path, "consent_answers.agree", agree), compiled(path, "consent_answers.decline", decline)
