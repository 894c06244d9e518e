"""Screens every LLM reply before anyone sees it: method or means, a diagnosis, medication dosing, or a promise
of secrecy Hearth cannot keep (SAFETY.md rule 6).

A language model asked "which bridges are tallest?" may simply answer. The screen is the last line of
SAFETY.md rule 2 and of "Hearth never diagnoses or gives medication advice". It errs on the side of withholding:
a withheld reply is replaced by a safe message, a leaked method is irreversible.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from bot.crisis.lexicon import CrisisDataError, read_yaml

KINDS = ("method", "diagnosis", "dosing", "secrecy")


@dataclass(frozen=True)
class OutputScreen:
    pattern: re.Pattern[str]

    def allows(self, text: str) -> bool:
        return self.pattern.search(text) is None

    def reason(self, text: str) -> str | None:
        """Which kind of content would be withheld (for tests and logs; never the text itself)."""
        match = self.pattern.search(text)
        return match.lastgroup if match else None


def load_screen(path: Path) -> OutputScreen:
    data = read_yaml(path)
    parts = []
    for kind in KINDS:
        items = data.get(kind)
        if not isinstance(items, list) or not items or not all(isinstance(item, str) for item in items):
            raise CrisisDataError(f"Crisis data file {path}: '{kind}' must be a list of patterns")
        for item in items:
            try:
                re.compile(item)
            except re.error as exc:
                raise CrisisDataError(f"Crisis data file {path}: {kind}: bad pattern ({exc.msg})") from None
        parts.append(f"(?P<{kind}>{'|'.join(f'(?:{item})' for item in items)})")
    return OutputScreen(re.compile("|".join(parts), re.IGNORECASE))
