"""Whether a message sent right after a crisis reply says the reply misread it ("lol no i was joking").

The phrases are data, one list per language in `prompts/crisis/replies/<language>.yaml` (`corrections`), written
as the normaliser leaves a message. Every language's phrases are tried on every message: someone who writes
"era broma" after an English reply was still joking. A phrase that says it was meant, or that they are not okay
("no era broma", "no im not ok"), anywhere in the message, wins: a correction that is not one would thank a
person in crisis for setting Hearth straight.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from bot.crisis.lexicon import CrisisDataError, compiled, phrases

_LISTS = ("before", "leads", "says", "unless")
_OPTIONAL = ("acknowledged",)  # words that correct only after one of `before` or `leads`
_CLARIFICATION_WORDS = 10  # how long what comes before a correction said last may be


@dataclass(frozen=True)
class Corrections:
    says: tuple[re.Pattern[str], ...]
    unless: tuple[re.Pattern[str], ...]

    def claimed(self, normalised: str) -> bool:
        """The message begins, or after a short clarification ends, by saying the reply misread it."""
        return any(pattern.match(normalised) for pattern in self.says)

    def denied(self, normalised: str) -> bool:
        """The message says it was meant, or that they are not okay: never a correction."""
        return any(pattern.search(normalised) for pattern in self.unless)

    @staticmethod
    def merged(languages: Iterable[Corrections]) -> Corrections:
        kept = list(languages)
        return Corrections(
            tuple(pattern for one in kept for pattern in one.says),
            tuple(pattern for one in kept for pattern in one.unless),
        )


def load_corrections(path: Path, data: Mapping[str, object]) -> Corrections:
    """One language's `corrections`: `before`, `leads` and `says` make one pattern; `acknowledged` ("ok", "fine"),
    where given, another that needs a word of `before` or `leads` first; each `unless` another."""
    raw = data.get("corrections")
    if not isinstance(raw, dict):
        raise CrisisDataError(f"Crisis data file {path}: 'corrections' must be a mapping")
    lists = {key: phrases(path, f"corrections.{key}", raw.get(key)) for key in _LISTS}
    lists.update({key: phrases(path, f"corrections.{key}", raw[key]) for key in _OPTIONAL if key in raw})
    if not lists["says"] or not lists["unless"]:
        raise CrisisDataError(f"Crisis data file {path}: 'corrections.says' and 'corrections.unless' must not be empty")
    before, leads, says = ("|".join(lists[key]) for key in ("before", "leads", "says"))
    # One word of `before` with what may follow it ("lol.", "no!"), and one of `leads` ("i was ").
    word_before, lead = rf"(?:(?:{before})\b[ .!?]*)", rf"(?:(?:{leads}) )"
    leading = (f"{word_before}*" if before else "") + (f"{lead}*" if leads else "")
    patterns = [compiled(path, "corrections", rf"^{leading}(?:{says})\b")]
    if before:
        # Or said last, after a short clarification and a word of `before`: "ending it with HIM lol not like that".
        trailing = rf"^(?:\S+ ){{1,{_CLARIFICATION_WORDS}}}{word_before}+" + (f"{lead}*" if leads else "")
        patterns.append(compiled(path, "corrections", rf"{trailing}(?:{says})\b[ .!?~]*$"))
    acknowledged = "|".join(lists.get("acknowledged", []))
    if acknowledged and (before or leads):
        first = [f"{word_before}+{lead}*" if before else "", f"{lead}+" if leads else ""]
        opening = "|".join(part for part in first if part)
        patterns.append(compiled(path, "corrections.acknowledged", rf"^(?:{opening})(?:{acknowledged})\b"))
    return Corrections(
        tuple(patterns),
        tuple(compiled(path, "corrections.unless", rf"\b(?:{phrase})") for phrase in lists["unless"]),
    )
