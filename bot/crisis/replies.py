"""The deterministic crisis replies, composed from `prompts/crisis/replies.yaml` and the country's lines.

No LLM is involved: what a person in crisis reads was written and reviewed in advance (SAFETY.md, "Rules for
every crisis reply"). The order is fixed: acknowledgement; the emergency number first when in danger; that
Hearth is a bot; the lines; reaching a person; the handoff.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from bot.crisis.lexicon import CrisisDataError, read_yaml
from bot.crisis.resources import CountryLines
from bot.models import Category

# Each fixed text and the placeholders it may use.
TEXTS: dict[str, frozenset[str]] = {
    "imminent_first": frozenset({"emergency"}),
    "bot": frozenset(),
    "lines_header": frozenset({"country"}),
    "reach_person": frozenset(),
    "handoff_offer": frozenset(),
    "handoff_offer_lines": frozenset(),
    "moderators_alerted": frozenset(),
    "public_notice": frozenset(),
    "check_in": frozenset(),
    "method_declined": frozenset(),
    "handoff_sent": frozenset(),
    "handoff_share_offer": frozenset(),
    "handoff_shared": frozenset({"summary"}),
    "handoff_none": frozenset(),
    "resources_intro": frozenset(),
    "summary": frozenset({"what"}),
}


@dataclass(frozen=True)
class Texts:
    fixed: Mapping[str, str]
    opening: Mapping[Category, str]
    category_words: Mapping[Category, str]

    def say(self, key: str, **values: str) -> str:
        return self.fixed[key].format(**values) if values else self.fixed[key]

    def lines(self, country: CountryLines) -> str:
        return f"{self.say('lines_header', country=country.name)}\n{country.render()}"

    def crisis(
        self, categories: list[Category], country: CountryLines, *, imminent: bool, moderators: bool, alerted: bool
    ) -> str:
        opening = self.opening[categories[0] if categories else Category.SUICIDE]
        parts = [opening]
        if imminent or Category.MEDICAL in categories:
            # In immediate danger the emergency number comes before anything else (SAFETY.md rule 3).
            parts.insert(0, self.say("imminent_first", emergency=country.emergency))
        parts += [self.say("bot"), country.render(), self.say("reach_person")]
        if alerted:
            parts.append(self.say("moderators_alerted"))
        else:
            parts.append(self.say("handoff_offer" if moderators else "handoff_offer_lines"))
        return "\n\n".join(parts)

    def summary(self, categories: list[Category]) -> str:
        what = ", ".join(self.category_words[category] for category in categories) or "distress"
        return self.say("summary", what=what)


def load_texts(path: Path) -> Texts:
    data = read_yaml(path)
    fixed: dict[str, str] = {}
    for key, allowed in TEXTS.items():
        fixed[key] = _text(path, key, data.get(key), allowed)
    return Texts(
        fixed=fixed,
        opening=_per_category(path, "opening", data.get("opening")),
        category_words=_per_category(path, "category_words", data.get("category_words")),
    )


def _per_category(path: Path, key: str, raw: object) -> dict[Category, str]:
    if not isinstance(raw, dict):
        raise CrisisDataError(f"Crisis data file {path}: '{key}' must map each category to text")
    return {
        category: _text(path, f"{key}.{category.value}", raw.get(category.value), frozenset()) for category in Category
    }


def _text(path: Path, key: str, value: object, allowed: frozenset[str]) -> str:
    if not isinstance(value, str) or not value.strip():
        raise CrisisDataError(f"Crisis data file {path}: text '{key}' is missing or empty")
    used = {field for _, field, _, _ in string.Formatter().parse(value) if field is not None}
    if not used <= allowed:
        raise CrisisDataError(
            f"Crisis data file {path}: text '{key}' uses unknown placeholder(s) {', '.join(sorted(used - allowed))}"
        )
    return value.strip()
